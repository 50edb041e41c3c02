-- posts
-- $1 = 2024-06-10T00:00:00Z
-- $2 = 2024-06-17T00:00:00Z
-- $3 = true
-- $4 = 2024-06-12T00:00:00Z
-- $5 = 2
-- $6 = 2024
-- $7 = "4.5"
-- $8 = 1
-- $9 = 9
-- $10 = 100
-- $11 = 0
SELECT coalesce(json_agg(json_build_object('id', s2."id"::text)
    ORDER BY s2."created_at" DESC, s2."id" DESC), '[]'::json)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE ((COALESCE(t1."created_at" >= $1::timestamptz AND t1."created_at" < $2::timestamptz, FALSE) = $3::boolean) AND (t1."published_at" AT TIME ZONE 'UTC')::date = $4::date AND (extract(dow from (t1."published_at" AT TIME ZONE 'UTC'))::int + 1) = $5::bigint AND extract(year from (t1."published_at" AT TIME ZONE 'UTC'))::int = $6::bigint AND t1."rating" >= $7::text::numeric AND t1."views" BETWEEN $8::bigint AND $9::bigint)
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT $10::bigint
  OFFSET $11::bigint) AS s2;

