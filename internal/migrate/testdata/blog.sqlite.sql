CREATE TABLE IF NOT EXISTS "blog_category" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(100) NOT NULL UNIQUE,
    "description" text NOT NULL
);

CREATE TABLE IF NOT EXISTS "blog_tag" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(50) NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS "blog_author" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(120) NOT NULL,
    "email" varchar(254) NOT NULL UNIQUE,
    "bio" text NOT NULL
);

CREATE TABLE IF NOT EXISTS "blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" varchar(200) NOT NULL,
    "slug" varchar(200) NOT NULL UNIQUE,
    "content" text NOT NULL,
    "status" varchar(10) NOT NULL DEFAULT 'draft',
    "is_published" bool NOT NULL DEFAULT 0 CHECK ("is_published" IN (0, 1)),
    "views" integer NOT NULL DEFAULT 0,
    "rating" text NULL,
    "published_at" datetime NULL,
    "author_id" bigint NOT NULL,
    "category_id" bigint NULL,
    "created_at" datetime NOT NULL,
    "updated_at" datetime NOT NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id" FOREIGN KEY ("category_id") REFERENCES "blog_category" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE INDEX IF NOT EXISTS "blog_post_category_id_c326dbf8" ON "blog_post" ("category_id");

CREATE INDEX IF NOT EXISTS "blog_post_status_published_at_b604476a_idx" ON "blog_post" ("status", "published_at");

CREATE TABLE IF NOT EXISTS "blog_comment" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "post_id" bigint NOT NULL,
    "author_id" bigint NULL,
    "content" text NOT NULL,
    "created_at" datetime NOT NULL,
    CONSTRAINT "blog_comment_post_id_580e96ef_fk_blog_post_id" FOREIGN KEY ("post_id") REFERENCES "blog_post" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_comment_author_id_4f11e2e0_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "blog_comment_post_id_580e96ef" ON "blog_comment" ("post_id");

CREATE INDEX IF NOT EXISTS "blog_comment_author_id_4f11e2e0" ON "blog_comment" ("author_id");

CREATE TABLE IF NOT EXISTS "blog_post_tags" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "post_id" bigint NOT NULL,
    "tag_id" bigint NOT NULL,
    CONSTRAINT "blog_post_tags_post_id_tag_id_4925ec37_uniq" UNIQUE ("post_id", "tag_id"),
    CONSTRAINT "blog_post_tags_post_id_a1c71c8a_fk_blog_post_id" FOREIGN KEY ("post_id") REFERENCES "blog_post" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "blog_post_tags_tag_id_0875c551_fk_blog_tag_id" FOREIGN KEY ("tag_id") REFERENCES "blog_tag" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "blog_post_tags_post_id_a1c71c8a" ON "blog_post_tags" ("post_id");

CREATE INDEX IF NOT EXISTS "blog_post_tags_tag_id_0875c551" ON "blog_post_tags" ("tag_id");
