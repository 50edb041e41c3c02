-- posts
-- $1 = "draft"
-- $2 = "%go%"
-- $3 = [1 2]
-- $4 = 100
-- $5 = 0
SELECT coalesce(json_agg(json_build_object('id', s2."id"::text)
    ORDER BY s2.__inc DESC, s2."created_at" DESC, s2."id" DESC), '[]'::json)
FROM (
  SELECT t1.*, (t1."id" = ANY($3::bigint[])) AS __inc
  FROM "blog_post" AS t1
  WHERE ((t1."status" = $1::text AND (t1."title" ILIKE $2::text ESCAPE '\' OR t1."content" ILIKE $2::text ESCAPE '\')) OR t1."id" = ANY($3::bigint[]))
  ORDER BY __inc DESC, t1."created_at" DESC, t1."id" DESC
  LIMIT $4::bigint
  OFFSET $5::bigint) AS s2;

