-- posts_connection
-- $1 = "5.0"
-- $2 = 0
-- $3 = 2
-- $4 = 4
-- $5 = 3
-- $6 = "golden"
WITH s AS (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE (COALESCE(CAST(t1."rating" AS REAL) IS NULL AND NOT ?2, FALSE) OR COALESCE(CAST(t1."rating" AS REAL) > CAST(?1 AS REAL), FALSE) OR ((COALESCE(CAST(t1."rating" AS REAL) IS NULL AND ?2, FALSE) OR COALESCE(CAST(t1."rating" AS REAL) = CAST(?1 AS REAL), FALSE)) AND (t1."id" > ?3)))
  ORDER BY CAST(t1."rating" AS REAL) ASC NULLS LAST, t1."id" ASC
  LIMIT ?4)
SELECT json_object('edges', json((
      SELECT json_group_array(json_object('cursor', (lower(hex(json_array(CASE WHEN e2."rating" IS NULL THEN NULL ELSE printf('%.1f', e2."rating") END, CAST(e2."id" AS TEXT)))) || substr(md5(json_array(CASE WHEN e2."rating" IS NULL THEN NULL ELSE printf('%.1f', e2."rating") END, CAST(e2."id" AS TEXT)) || ?6), 1, 16)), 'node', json_object('id', CAST(e2."id" AS TEXT)))
        ORDER BY CAST(e2."rating" AS REAL) ASC NULLS LAST, e2."id" ASC)
      FROM (
        SELECT *
        FROM s
        ORDER BY CAST(s."rating" AS REAL) ASC NULLS LAST, s."id" ASC
        LIMIT ?5) AS e2)), 'page_info', json_object('has_next_page', json(CASE WHEN (
        SELECT count(*)
        FROM s) > ?5 THEN 'true' ELSE 'false' END), 'has_previous_page', json(CASE WHEN true THEN 'true' ELSE 'false' END), 'start_cursor', (
      SELECT (lower(hex(json_array(CASE WHEN e2."rating" IS NULL THEN NULL ELSE printf('%.1f', e2."rating") END, CAST(e2."id" AS TEXT)))) || substr(md5(json_array(CASE WHEN e2."rating" IS NULL THEN NULL ELSE printf('%.1f', e2."rating") END, CAST(e2."id" AS TEXT)) || ?6), 1, 16))
      FROM (
        SELECT *
        FROM s
        ORDER BY CAST(s."rating" AS REAL) ASC NULLS LAST, s."id" ASC
        LIMIT ?5) AS e2
      ORDER BY CAST(e2."rating" AS REAL) ASC NULLS LAST, e2."id" ASC
      LIMIT 1), 'end_cursor', (
      SELECT (lower(hex(json_array(CASE WHEN e2."rating" IS NULL THEN NULL ELSE printf('%.1f', e2."rating") END, CAST(e2."id" AS TEXT)))) || substr(md5(json_array(CASE WHEN e2."rating" IS NULL THEN NULL ELSE printf('%.1f', e2."rating") END, CAST(e2."id" AS TEXT)) || ?6), 1, 16))
      FROM (
        SELECT *
        FROM s
        ORDER BY CAST(s."rating" AS REAL) ASC NULLS LAST, s."id" ASC
        LIMIT ?5) AS e2
      ORDER BY CAST(e2."rating" AS REAL) DESC NULLS FIRST, e2."id" DESC
      LIMIT 1)), 'total_count', (
    SELECT count(*)
    FROM "blog_post" AS t3));

