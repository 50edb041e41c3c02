-- up
ALTER TABLE "blog_post" DROP CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id";

DO $autogql$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT conname FROM pg_constraint
        WHERE conrelid = '"blog_author"'::regclass AND contype = 'u' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = '"blog_author"'::regclass AND attname = 'email')]::int2[]
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', 'blog_author', r.conname);
    END LOOP;
END
$autogql$;

ALTER TABLE "blog_post" ALTER COLUMN "body" DROP DEFAULT;

UPDATE "blog_post" SET "body" = '' WHERE "body" IS NULL;

ALTER TABLE "blog_post" ALTER COLUMN "body" SET NOT NULL;

DO $autogql$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"blog_post"'::regclass AND conname = 'blog_post_category_id_c326dbf8_fk_blog_category_id') THEN
        ALTER TABLE "blog_post" ADD CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id" FOREIGN KEY ("category_id") REFERENCES "blog_category" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
    END IF;
END
$autogql$;

-- down
ALTER TABLE "blog_post" DROP CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id";

ALTER TABLE "blog_post" ALTER COLUMN "body" SET DEFAULT '';

ALTER TABLE "blog_post" ALTER COLUMN "body" DROP NOT NULL;

ALTER TABLE "blog_author" ADD CONSTRAINT "blog_author_email_8354ab3e_uniq" UNIQUE ("email");

DO $autogql$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '"blog_post"'::regclass AND conname = 'blog_post_category_id_c326dbf8_fk_blog_category_id') THEN
        ALTER TABLE "blog_post" ADD CONSTRAINT "blog_post_category_id_c326dbf8_fk_blog_category_id" FOREIGN KEY ("category_id") REFERENCES "blog_category" ("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
    END IF;
END
$autogql$;
