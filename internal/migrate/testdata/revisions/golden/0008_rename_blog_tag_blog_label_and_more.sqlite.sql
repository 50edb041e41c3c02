-- up
ALTER TABLE "blog_tag" RENAME TO "blog_label";

ALTER TABLE "blog_post_tags" RENAME COLUMN "tag_id" TO "label_id";

-- down
ALTER TABLE "blog_post_tags" RENAME COLUMN "label_id" TO "tag_id";

ALTER TABLE "blog_label" RENAME TO "blog_tag";
