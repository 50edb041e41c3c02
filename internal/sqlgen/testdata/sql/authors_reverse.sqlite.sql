-- authors
-- $1 = "%x%"
-- $2 = 100
-- $3 = 0
-- $4 = "2024-05-13 00:00:00"
-- $5 = "2024-06-13 00:00:00"
-- $6 = 1
-- $7 = 100
-- $8 = 0
SELECT json_group_array(json_object('name', s2."name", 'posts_count', (
      SELECT count(*)
      FROM "blog_post" AS t3
      WHERE t3."author_id" = s2."id"), 'posts', json((
        SELECT json_group_array(json_object('title', s5."title")
          ORDER BY s5."created_at" DESC, s5."id" DESC)
        FROM (
          SELECT t4.*
          FROM "blog_post" AS t4
          WHERE t4."author_id" = s2."id" AND (COALESCE(t4."published_at" >= ?4 AND t4."published_at" < ?5, FALSE) = ?6)
          ORDER BY t4."created_at" DESC, t4."id" DESC
          LIMIT ?7
          OFFSET ?8) AS s5)))
  ORDER BY s2."id" DESC)
FROM (
  SELECT t1.*
  FROM "blog_author" AS t1
  WHERE (casefold(t1."name") LIKE ?1 ESCAPE '\' OR casefold(t1."email") LIKE ?1 ESCAPE '\' OR casefold(t1."bio") LIKE ?1 ESCAPE '\')
  ORDER BY t1."id" DESC
  LIMIT ?2
  OFFSET ?3) AS s2;

