-- posts_pages
-- $1 = 1
-- $2 = 5
-- $3 = 5
-- $4 = 2
-- $5 = 10
SELECT json_object('items', json((
      SELECT json_group_array(json_object('id', CAST(s2."id" AS TEXT))
        ORDER BY s2."created_at" DESC, s2."id" DESC)
      FROM (
        SELECT t1.*
        FROM "blog_post" AS t1
        WHERE t1."is_published" = ?1
        ORDER BY t1."created_at" DESC, t1."id" DESC
        LIMIT ?2
        OFFSET ?3) AS s2)), 'page_info', json_object('total_count', c.n, 'page_count', ((c.n + ?2 - 1) / ?2), 'current_page', ?4, 'per_page', ?2, 'has_next_page', json(CASE WHEN c.n > ?5 THEN 'true' ELSE 'false' END), 'has_previous_page', json(CASE WHEN ?4 > 1 THEN 'true' ELSE 'false' END)))
FROM (
  SELECT count(*) AS n
  FROM "blog_post" AS t3
  WHERE t3."is_published" = ?1) AS c;

