-- status
-- $1 = 50
SELECT json_group_array(json_object('key', g.r, 'label', CASE g.r WHEN 'draft' THEN 'draft' WHEN 'published' THEN 'published' WHEN 'archived' THEN 'archived' ELSE g.r END, 'count', g.n)
  ORDER BY g.n DESC, g.r ASC NULLS LAST)
FROM (
  SELECT r, count(*) AS n
  FROM (
    SELECT t1."status" AS r
    FROM "blog_post" AS t1) AS x
  GROUP BY r
  ORDER BY n DESC, r ASC NULLS LAST
  LIMIT ?1) AS g;

-- category
-- $1 = 50
SELECT json_group_array(json_object('key', CAST(g.r AS TEXT), 'label', (
      SELECT t2."name"
      FROM "blog_category" AS t2
      WHERE t2."id" = g.r), 'count', g.n)
  ORDER BY g.r ASC NULLS LAST)
FROM (
  SELECT r, count(*) AS n
  FROM (
    SELECT t1."category_id" AS r
    FROM "blog_post" AS t1) AS x
  GROUP BY r
  ORDER BY r ASC NULLS LAST
  LIMIT ?1) AS g;

-- year
-- $1 = 3
SELECT json_group_array(json_object('key', CAST(g.r AS TEXT), 'count', g.n)
  ORDER BY g.n DESC, g.r ASC NULLS LAST)
FROM (
  SELECT r, count(*) AS n
  FROM (
    SELECT CAST(strftime('%Y', t1."published_at") AS INTEGER) AS r
    FROM "blog_post" AS t1) AS x
  GROUP BY r
  ORDER BY n DESC, r ASC NULLS LAST
  LIMIT ?1) AS g;

