-- posts
-- $1 = "draft"
-- $2 = "%go%"
-- $3 = "[1,2]"
-- $4 = 100
-- $5 = 0
SELECT json_group_array(json_object('id', CAST(s2."id" AS TEXT))
  ORDER BY s2.__inc DESC, s2."created_at" DESC, s2."id" DESC)
FROM (
  SELECT t1.*, (t1."id" IN (
      SELECT value
      FROM json_each(?3))) AS __inc
  FROM "blog_post" AS t1
  WHERE ((t1."status" = ?1 AND (casefold(t1."title") LIKE ?2 ESCAPE '\' OR casefold(t1."content") LIKE ?2 ESCAPE '\')) OR t1."id" IN (
      SELECT value
      FROM json_each(?3)))
  ORDER BY __inc DESC, t1."created_at" DESC, t1."id" DESC
  LIMIT ?4
  OFFSET ?5) AS s2;

