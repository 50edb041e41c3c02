-- posts
-- $1 = 1
-- $2 = 10
-- $3 = 0
-- $4 = 100
-- $5 = 0
SELECT json_group_array(json_object('id', CAST(s2."id" AS TEXT))
  ORDER BY s2."created_at" DESC, s2."id" DESC)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE (((t1."rating" IS NULL) = ?1) OR NOT COALESCE((t1."views" < ?2 AND ((t1."category_id" IS NULL) = ?3)), FALSE))
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT ?4
  OFFSET ?5) AS s2;

