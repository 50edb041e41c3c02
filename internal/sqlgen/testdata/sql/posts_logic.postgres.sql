-- posts
-- $1 = true
-- $2 = 10
-- $3 = false
-- $4 = 100
-- $5 = 0
SELECT coalesce(json_agg(json_build_object('id', s2."id"::text)
    ORDER BY s2."created_at" DESC, s2."id" DESC), '[]'::json)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE (((t1."rating" IS NULL) = $1::boolean) OR NOT COALESCE((t1."views" < $2::bigint AND ((t1."category_id" IS NULL) = $3::boolean)), FALSE))
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT $4::bigint
  OFFSET $5::bigint) AS s2;

