-- up
ALTER TABLE "blog_author" ALTER COLUMN "name" TYPE varchar(150) USING "name"::varchar(150);

-- down
ALTER TABLE "blog_author" ALTER COLUMN "name" TYPE varchar(100) USING "name"::varchar(100);
