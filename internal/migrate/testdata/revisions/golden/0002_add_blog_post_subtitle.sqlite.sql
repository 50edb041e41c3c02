-- up
ALTER TABLE "blog_post" ADD COLUMN "subtitle" varchar(200) NOT NULL DEFAULT '';

-- down
ALTER TABLE "blog_post" DROP COLUMN "subtitle";
