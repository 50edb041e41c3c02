-- up
ALTER TABLE "blog_post" RENAME COLUMN "title" TO "headline";

-- down
ALTER TABLE "blog_post" RENAME COLUMN "headline" TO "title";
