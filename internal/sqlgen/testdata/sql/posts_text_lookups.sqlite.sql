-- posts
-- $1 = "^x"
-- $2 = "a\\_b%"
-- $3 = "[\"draft\",\"published\"]"
-- $4 = "%été%"
-- $5 = 100
-- $6 = 0
SELECT json_group_array(json_object('id', CAST(s2."id" AS TEXT))
  ORDER BY s2."created_at" DESC, s2."id" DESC)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE (regexp(?1, t1."content") AND t1."slug" LIKE ?2 ESCAPE '\' AND t1."status" IN (
      SELECT value
      FROM json_each(?3)) AND casefold(t1."title") LIKE ?4 ESCAPE '\')
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT ?5
  OFFSET ?6) AS s2;

