-- What Django 5 creates on SQLite for the "library" app described in
-- django.postgres.sql (python manage.py sqlmigrate library 0001).
CREATE TABLE "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL);
CREATE TABLE "library_author" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(100) NOT NULL, "birth" date NULL);
CREATE TABLE "library_genre" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(50) NOT NULL UNIQUE);
CREATE TABLE "library_book" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "title" varchar(200) NOT NULL, "isbn" varchar(13) NOT NULL UNIQUE, "pages" integer unsigned NOT NULL CHECK ("pages" >= 0), "price" decimal NOT NULL, "status" varchar(10) NOT NULL, "published" bool DEFAULT 0 NOT NULL, "author_id" bigint NOT NULL REFERENCES "library_author" ("id") DEFERRABLE INITIALLY DEFERRED, CONSTRAINT "library_book_status_valid" CHECK ("status" IN ('draft', 'published', 'archived')));
CREATE TABLE "library_book_genres" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "book_id" bigint NOT NULL REFERENCES "library_book" ("id") DEFERRABLE INITIALLY DEFERRED, "genre_id" bigint NOT NULL REFERENCES "library_genre" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE UNIQUE INDEX "library_book_title_author_id_5f3e7c5d_uniq" ON "library_book" ("title", "author_id");
CREATE INDEX "library_book_title_6c6e2f38" ON "library_book" ("title");
CREATE INDEX "library_book_author_id_a4b7d3c1" ON "library_book" ("author_id");
CREATE UNIQUE INDEX "library_book_genres_book_id_genre_id_8d2e6f1b_uniq" ON "library_book_genres" ("book_id", "genre_id");
CREATE INDEX "library_book_genres_book_id_1b2c3d4e" ON "library_book_genres" ("book_id");
CREATE INDEX "library_book_genres_genre_id_5e6f7a8b" ON "library_book_genres" ("genre_id");
