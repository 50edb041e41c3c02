-- up
CREATE TABLE IF NOT EXISTS "blog_author" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(100) NOT NULL,
    "email" varchar(254) NOT NULL
);

CREATE TABLE IF NOT EXISTS "blog_post" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" varchar(200) NOT NULL,
    "body" text NOT NULL,
    "author_id" bigint NOT NULL,
    CONSTRAINT "blog_post_author_id_dd7a8485_fk_blog_author_id" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "blog_post_author_id_dd7a8485" ON "blog_post" ("author_id");

CREATE TABLE IF NOT EXISTS "blog_tag" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(50) NOT NULL
);

-- down
DROP TABLE "blog_tag";

DROP TABLE "blog_post";

DROP TABLE "blog_author";
