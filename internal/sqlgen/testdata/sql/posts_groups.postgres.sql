-- status
-- $1 = 50
SELECT coalesce(json_agg(json_build_object('key', g.r, 'label', CASE g.r WHEN 'draft' THEN 'draft' WHEN 'published' THEN 'published' WHEN 'archived' THEN 'archived' ELSE g.r END, 'count', g.n)
    ORDER BY g.n DESC, g.r ASC NULLS LAST), '[]'::json)
FROM (
  SELECT r, count(*) AS n
  FROM (
    SELECT t1."status" AS r
    FROM "blog_post" AS t1) AS x
  GROUP BY r
  ORDER BY n DESC, r ASC NULLS LAST
  LIMIT $1::bigint) AS g;

-- category
-- $1 = 50
SELECT coalesce(json_agg(json_build_object('key', g.r::text::text, 'label', (
        SELECT t2."name"
        FROM "blog_category" AS t2
        WHERE t2."id" = g.r), 'count', g.n)
    ORDER BY g.r ASC NULLS LAST), '[]'::json)
FROM (
  SELECT r, count(*) AS n
  FROM (
    SELECT t1."category_id" AS r
    FROM "blog_post" AS t1) AS x
  GROUP BY r
  ORDER BY r ASC NULLS LAST
  LIMIT $1::bigint) AS g;

-- year
-- $1 = 3
SELECT coalesce(json_agg(json_build_object('key', g.r::text, 'count', g.n)
    ORDER BY g.n DESC, g.r ASC NULLS LAST), '[]'::json)
FROM (
  SELECT r, count(*) AS n
  FROM (
    SELECT extract(year from (t1."published_at" AT TIME ZONE 'UTC'))::int AS r
    FROM "blog_post" AS t1) AS x
  GROUP BY r
  ORDER BY n DESC, r ASC NULLS LAST
  LIMIT $1::bigint) AS g;

