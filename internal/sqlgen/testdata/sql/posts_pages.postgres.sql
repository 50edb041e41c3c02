-- posts_pages
-- $1 = true
-- $2 = 5
-- $3 = 5
-- $4 = 2
-- $5 = 10
SELECT json_build_object('items', (
    SELECT coalesce(json_agg(json_build_object('id', s2."id"::text)
        ORDER BY s2."created_at" DESC, s2."id" DESC), '[]'::json)
    FROM (
      SELECT t1.*
      FROM "blog_post" AS t1
      WHERE t1."is_published" = $1::boolean
      ORDER BY t1."created_at" DESC, t1."id" DESC
      LIMIT $2::bigint
      OFFSET $3::bigint) AS s2), 'page_info', json_build_object('total_count', c.n, 'page_count', ((c.n + $2::bigint - 1) / $2::bigint), 'current_page', $4::bigint, 'per_page', $2::bigint, 'has_next_page', (c.n > $5::bigint), 'has_previous_page', ($4::bigint > 1)))
FROM (
  SELECT count(*) AS n
  FROM "blog_post" AS t3
  WHERE t3."is_published" = $1::boolean) AS c;

