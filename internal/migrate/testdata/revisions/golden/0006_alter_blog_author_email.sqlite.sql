-- up
CREATE TABLE IF NOT EXISTS "new__blog_author" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(150) NOT NULL,
    "email" varchar(254) NOT NULL UNIQUE
);

INSERT INTO "new__blog_author" ("id", "name", "email") SELECT "id", "name", "email" FROM "blog_author";

DROP TABLE "blog_author";

ALTER TABLE "new__blog_author" RENAME TO "blog_author";

-- down
CREATE TABLE IF NOT EXISTS "new__blog_author" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" varchar(150) NOT NULL,
    "email" varchar(254) NOT NULL
);

INSERT INTO "new__blog_author" ("id", "name", "email") SELECT "id", "name", "email" FROM "blog_author";

DROP TABLE "blog_author";

ALTER TABLE "new__blog_author" RENAME TO "blog_author";
