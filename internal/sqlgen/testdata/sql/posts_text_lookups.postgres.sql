-- posts
-- $1 = "^x"
-- $2 = "a\\_b%"
-- $3 = [draft published]
-- $4 = "%été%"
-- $5 = 100
-- $6 = 0
SELECT coalesce(json_agg(json_build_object('id', s2."id"::text)
    ORDER BY s2."created_at" DESC, s2."id" DESC), '[]'::json)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE (t1."content" ~ $1::text AND t1."slug" LIKE $2::text ESCAPE '\' AND t1."status" = ANY($3::text[]) AND t1."title" ILIKE $4::text ESCAPE '\')
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT $5::bigint
  OFFSET $6::bigint) AS s2;

