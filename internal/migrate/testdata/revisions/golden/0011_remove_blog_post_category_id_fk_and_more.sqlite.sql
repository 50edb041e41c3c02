-- up
CREATE TABLE IF NOT EXISTS "new__blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headline" varchar(200) NOT NULL,
    "body" text NULL DEFAULT '',
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id")
);

INSERT INTO "new__blog_post" ("id", "headline", "body", "author_id", "category_id") SELECT "id", "headline", "body", "author_id", "category_id" FROM "blog_post";

DROP TABLE "blog_post";

ALTER TABLE "new__blog_post" RENAME TO "blog_post";

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");

CREATE TABLE IF NOT EXISTS "new__blog_author" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(150) NOT NULL,
    "email" varchar(254) NOT NULL
);

INSERT INTO "new__blog_author" ("id", "name", "email") SELECT "id", "name", "email" FROM "blog_author";

DROP TABLE "blog_author";

ALTER TABLE "new__blog_author" RENAME TO "blog_author";

CREATE TABLE IF NOT EXISTS "new__blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headline" varchar(200) NOT NULL,
    "body" text NOT NULL,
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id")
);

INSERT INTO "new__blog_post" ("id", "headline", "body", "author_id", "category_id") SELECT "id", "headline", coalesce("body", ''), "author_id", "category_id" FROM "blog_post";

DROP TABLE "blog_post";

ALTER TABLE "new__blog_post" RENAME TO "blog_post";

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");

CREATE TABLE IF NOT EXISTS "new__blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headline" varchar(200) NOT NULL,
    "body" text NOT NULL,
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id"),
    CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id" FOREIGN KEY ("category_id") REFERENCES "blog_category" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

INSERT INTO "new__blog_post" ("id", "headline", "body", "author_id", "category_id") SELECT "id", "headline", "body", "author_id", "category_id" FROM "blog_post";

DROP TABLE "blog_post";

ALTER TABLE "new__blog_post" RENAME TO "blog_post";

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");

-- down
CREATE TABLE IF NOT EXISTS "new__blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headline" varchar(200) NOT NULL,
    "body" text NOT NULL,
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id")
);

INSERT INTO "new__blog_post" ("id", "headline", "body", "author_id", "category_id") SELECT "id", "headline", "body", "author_id", "category_id" FROM "blog_post";

DROP TABLE "blog_post";

ALTER TABLE "new__blog_post" RENAME TO "blog_post";

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");

CREATE TABLE IF NOT EXISTS "new__blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headline" varchar(200) NOT NULL,
    "body" text NULL DEFAULT '',
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id")
);

INSERT INTO "new__blog_post" ("id", "headline", "body", "author_id", "category_id") SELECT "id", "headline", "body", "author_id", "category_id" FROM "blog_post";

DROP TABLE "blog_post";

ALTER TABLE "new__blog_post" RENAME TO "blog_post";

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");

CREATE TABLE IF NOT EXISTS "new__blog_author" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(150) NOT NULL,
    "email" varchar(254) NOT NULL UNIQUE
);

INSERT INTO "new__blog_author" ("id", "name", "email") SELECT "id", "name", "email" FROM "blog_author";

DROP TABLE "blog_author";

ALTER TABLE "new__blog_author" RENAME TO "blog_author";

CREATE TABLE IF NOT EXISTS "new__blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "headline" varchar(200) NOT NULL,
    "body" text NULL DEFAULT '',
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id"),
    CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id" FOREIGN KEY ("category_id") REFERENCES "blog_category" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);

INSERT INTO "new__blog_post" ("id", "headline", "body", "author_id", "category_id") SELECT "id", "headline", "body", "author_id", "category_id" FROM "blog_post";

DROP TABLE "blog_post";

ALTER TABLE "new__blog_post" RENAME TO "blog_post";

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");
