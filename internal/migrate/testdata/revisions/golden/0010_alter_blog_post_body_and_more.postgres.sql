-- up
ALTER TABLE "blog_post" ALTER COLUMN "body" SET DEFAULT '';

ALTER TABLE "blog_post" ALTER COLUMN "body" DROP NOT NULL;

ALTER TABLE "blog_post" ADD CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq" UNIQUE ("headline", "author_id");

CREATE INDEX IF NOT EXISTS "blog_post_author_id_headline_1c660fcf_idx" ON "blog_post" ("author_id", "headline");

-- down
DROP INDEX "blog_post_author_id_headline_1c660fcf_idx";

ALTER TABLE "blog_post" DROP CONSTRAINT "blog_post_headline_author_id_0aa5fa0c_uniq";

ALTER TABLE "blog_post" ALTER COLUMN "body" DROP DEFAULT;

UPDATE "blog_post" SET "body" = '' WHERE "body" IS NULL;

ALTER TABLE "blog_post" ALTER COLUMN "body" SET NOT NULL;
