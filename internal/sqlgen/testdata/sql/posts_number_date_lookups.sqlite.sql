-- posts
-- $1 = "2024-06-10 00:00:00"
-- $2 = "2024-06-17 00:00:00"
-- $3 = 1
-- $4 = "2024-06-12"
-- $5 = 2
-- $6 = 2024
-- $7 = "4.5"
-- $8 = 1
-- $9 = 9
-- $10 = 100
-- $11 = 0
SELECT json_group_array(json_object('id', CAST(s2."id" AS TEXT))
  ORDER BY s2."created_at" DESC, s2."id" DESC)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE ((COALESCE(t1."created_at" >= ?1 AND t1."created_at" < ?2, FALSE) = ?3) AND date(t1."published_at") = ?4 AND (CAST(strftime('%w', t1."published_at") AS INTEGER) + 1) = ?5 AND CAST(strftime('%Y', t1."published_at") AS INTEGER) = ?6 AND CAST(t1."rating" AS REAL) >= CAST(?7 AS REAL) AND t1."views" BETWEEN ?8 AND ?9)
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT ?10
  OFFSET ?11) AS s2;

