-- up
ALTER TABLE "blog_author" ADD CONSTRAINT "blog_author_email_8354ab3e_uniq" UNIQUE ("email");

-- down
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
