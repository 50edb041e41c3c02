-- up
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

-- down
DROP TABLE "blog_post_tags";
