-- authors
-- $1 = "%x%"
-- $2 = 100
-- $3 = 0
-- $4 = 2024-05-13T00:00:00Z
-- $5 = 2024-06-13T00:00:00Z
-- $6 = true
-- $7 = 100
-- $8 = 0
SELECT coalesce(json_agg(json_build_object('name', s2."name", 'posts_count', (
        SELECT count(*)
        FROM "blog_post" AS t3
        WHERE t3."author_id" = s2."id"), 'posts', (
        SELECT coalesce(json_agg(json_build_object('title', s5."title")
            ORDER BY s5."created_at" DESC, s5."id" DESC), '[]'::json)
        FROM (
          SELECT t4.*
          FROM "blog_post" AS t4
          WHERE t4."author_id" = s2."id" AND (COALESCE(t4."published_at" >= $4::timestamptz AND t4."published_at" < $5::timestamptz, FALSE) = $6::boolean)
          ORDER BY t4."created_at" DESC, t4."id" DESC
          LIMIT $7::bigint
          OFFSET $8::bigint) AS s5))
    ORDER BY s2."id" DESC), '[]'::json)
FROM (
  SELECT t1.*
  FROM "blog_author" AS t1
  WHERE (t1."name" ILIKE $1::text ESCAPE '\' OR t1."email" ILIKE $1::text ESCAPE '\' OR t1."bio" ILIKE $1::text ESCAPE '\')
  ORDER BY t1."id" DESC
  LIMIT $2::bigint
  OFFSET $3::bigint) AS s2;

