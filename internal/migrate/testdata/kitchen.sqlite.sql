CREATE TABLE IF NOT EXISTS "shop_badge" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "number" integer NOT NULL UNIQUE CHECK ("number" >= 0)
);

CREATE TABLE IF NOT EXISTS "shop_warehouse" (
    "code" varchar(10) NOT NULL PRIMARY KEY,
    "name" varchar(100) NOT NULL,
    "manager_id" char(36) NULL,
    CONSTRAINT "shop_warehouse_manager_id_a41f1ae6_fk_shop_employee_uid" FOREIGN KEY ("manager_id") REFERENCES "shop_employee" ("uid") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "shop_warehouse_name_05626804" ON "shop_warehouse" ("name");

CREATE INDEX IF NOT EXISTS "shop_warehouse_manager_id_a41f1ae6" ON "shop_warehouse" ("manager_id");

CREATE TABLE IF NOT EXISTS "shop_employee" (
    "uid" char(36) NOT NULL PRIMARY KEY,
    "name" varchar(120) NOT NULL,
    "warehouse_id" varchar(10) NOT NULL,
    "mentor_id" char(36) NULL,
    "badge_id" bigint NULL UNIQUE,
    CONSTRAINT "shop_employee_warehouse_id_0019d0fa_fk_shop_warehouse_code" FOREIGN KEY ("warehouse_id") REFERENCES "shop_warehouse" ("code") ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_employee_mentor_id_cf90524c_fk_shop_employee_uid" FOREIGN KEY ("mentor_id") REFERENCES "shop_employee" ("uid") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_employee_badge_id_8ce011a9_fk_shop_badge_id" FOREIGN KEY ("badge_id") REFERENCES "shop_badge" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "shop_employee_warehouse_id_0019d0fa" ON "shop_employee" ("warehouse_id");

CREATE INDEX IF NOT EXISTS "shop_employee_mentor_id_cf90524c" ON "shop_employee" ("mentor_id");

CREATE TABLE IF NOT EXISTS "shop_membership" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "employee_id" char(36) NOT NULL,
    "badge_id" bigint NOT NULL,
    "since" date NOT NULL,
    CONSTRAINT "shop_membership_employee_id_a867b927_fk_shop_employee_uid" FOREIGN KEY ("employee_id") REFERENCES "shop_employee" ("uid") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_membership_badge_id_ddb00040_fk_shop_badge_id" FOREIGN KEY ("badge_id") REFERENCES "shop_badge" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_membership_employee_id_badge_id_82b09106_uniq" UNIQUE ("employee_id", "badge_id")
);

CREATE INDEX IF NOT EXISTS "shop_membership_employee_id_a867b927" ON "shop_membership" ("employee_id");

CREATE INDEX IF NOT EXISTS "shop_membership_badge_id_ddb00040" ON "shop_membership" ("badge_id");

CREATE TABLE IF NOT EXISTS "shop_everything_with_a_remarkably_long_table_name" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "label" varchar(50) NOT NULL DEFAULT 'it''s',
    "body" text NOT NULL DEFAULT '',
    "slug" varchar(50) NOT NULL,
    "email" varchar(254) NOT NULL,
    "url" varchar(200) NOT NULL,
    "token" char(36) NULL UNIQUE,
    "count" integer NOT NULL DEFAULT 7,
    "small" smallint NOT NULL DEFAULT -3,
    "big" bigint NOT NULL DEFAULT 9007199254740993,
    "positive" integer NOT NULL DEFAULT 0 CHECK ("positive" >= 0),
    "ratio" real NOT NULL DEFAULT 0.25,
    "price" text NOT NULL DEFAULT '19.99',
    "active" bool NOT NULL DEFAULT 1 CHECK ("active" IN (0, 1)),
    "day" date NOT NULL DEFAULT '2024-02-29',
    "moment" datetime NOT NULL DEFAULT '2024-02-29 12:30:00',
    "at" time NOT NULL DEFAULT '08:15:00',
    "span" bigint NOT NULL DEFAULT 5400000000,
    "data" text NULL DEFAULT '{"a":[1,2],"b":"ü"}' CHECK (json_valid("data")),
    "created" datetime NOT NULL,
    "owner_id" char(36) NOT NULL,
    "fallback_id" bigint NOT NULL DEFAULT 1,
    CONSTRAINT "shop_everything_with_owner_id_ba9a4939_fk_shop_empl" FOREIGN KEY ("owner_id") REFERENCES "shop_employee" ("uid") ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_everything_with_fallback_id_0cbbcec3_fk_shop_badg" FOREIGN KEY ("fallback_id") REFERENCES "shop_badge" ("id") ON DELETE SET DEFAULT DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_everything_with_a_r_label_day_4d4c1a2e_uniq" UNIQUE ("label", "day")
);

CREATE INDEX IF NOT EXISTS "shop_everything_with_a_rem_moment_2236a7c1" ON "shop_everything_with_a_remarkably_long_table_name" ("moment");

CREATE INDEX IF NOT EXISTS "shop_everything_with_a_rem_owner_id_ba9a4939" ON "shop_everything_with_a_remarkably_long_table_name" ("owner_id");

CREATE INDEX IF NOT EXISTS "shop_everything_with_a_rem_fallback_id_0cbbcec3" ON "shop_everything_with_a_remarkably_long_table_name" ("fallback_id");

CREATE INDEX IF NOT EXISTS "shop_everything_with_a_r_moment_label_835e04d0_idx" ON "shop_everything_with_a_remarkably_long_table_name" ("moment", "label");

CREATE TABLE IF NOT EXISTS "shop_everything_badges_with_a_rather_long_join_table_name" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    "everything_id" bigint NOT NULL,
    "badge_id" bigint NOT NULL,
    CONSTRAINT "shop_everything_badges_w_everything_id_badge_id_2376963c_uniq" UNIQUE ("everything_id", "badge_id"),
    CONSTRAINT "shop_everything_badg_everything_id_252d15a1_fk_shop_ever" FOREIGN KEY ("everything_id") REFERENCES "shop_everything_with_a_remarkably_long_table_name" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "shop_everything_badg_badge_id_bb3e7e0c_fk_shop_badg" FOREIGN KEY ("badge_id") REFERENCES "shop_badge" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX IF NOT EXISTS "shop_everything_badges_wit_everything_id_252d15a1" ON "shop_everything_badges_with_a_rather_long_join_table_name" ("everything_id");

CREATE INDEX IF NOT EXISTS "shop_everything_badges_wit_badge_id_bb3e7e0c" ON "shop_everything_badges_with_a_rather_long_join_table_name" ("badge_id");
