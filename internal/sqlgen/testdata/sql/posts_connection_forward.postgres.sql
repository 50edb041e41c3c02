-- posts_connection
-- $1 = "5.0"
-- $2 = false
-- $3 = 2
-- $4 = 4
-- $5 = 3
-- $6 = "golden"
WITH s AS (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE (COALESCE(t1."rating" IS NULL AND NOT $2::boolean, FALSE) OR COALESCE(t1."rating" > $1::text::numeric, FALSE) OR ((COALESCE(t1."rating" IS NULL AND $2::boolean, FALSE) OR COALESCE(t1."rating" = $1::text::numeric, FALSE)) AND (t1."id" > $3::bigint)))
  ORDER BY t1."rating" ASC NULLS LAST, t1."id" ASC
  LIMIT $4::bigint)
SELECT json_build_object('edges', (
    SELECT coalesce(json_agg(json_build_object('cursor', (encode(convert_to(('[' || coalesce(to_json(e2."rating"::text)::text, 'null') || ',' || coalesce(to_json(e2."id"::text)::text, 'null') || ']'), 'UTF8'), 'hex') || substr(md5(('[' || coalesce(to_json(e2."rating"::text)::text, 'null') || ',' || coalesce(to_json(e2."id"::text)::text, 'null') || ']') || $6::text), 1, 16)), 'node', json_build_object('id', e2."id"::text))
        ORDER BY e2."rating" ASC NULLS LAST, e2."id" ASC), '[]'::json)
    FROM (
      SELECT *
      FROM s
      ORDER BY s."rating" ASC NULLS LAST, s."id" ASC
      LIMIT $5::bigint) AS e2), 'page_info', json_build_object('has_next_page', ((
        SELECT count(*)
        FROM s) > $5::bigint), 'has_previous_page', (true), 'start_cursor', (
      SELECT (encode(convert_to(('[' || coalesce(to_json(e2."rating"::text)::text, 'null') || ',' || coalesce(to_json(e2."id"::text)::text, 'null') || ']'), 'UTF8'), 'hex') || substr(md5(('[' || coalesce(to_json(e2."rating"::text)::text, 'null') || ',' || coalesce(to_json(e2."id"::text)::text, 'null') || ']') || $6::text), 1, 16))
      FROM (
        SELECT *
        FROM s
        ORDER BY s."rating" ASC NULLS LAST, s."id" ASC
        LIMIT $5::bigint) AS e2
      ORDER BY e2."rating" ASC NULLS LAST, e2."id" ASC
      LIMIT 1), 'end_cursor', (
      SELECT (encode(convert_to(('[' || coalesce(to_json(e2."rating"::text)::text, 'null') || ',' || coalesce(to_json(e2."id"::text)::text, 'null') || ']'), 'UTF8'), 'hex') || substr(md5(('[' || coalesce(to_json(e2."rating"::text)::text, 'null') || ',' || coalesce(to_json(e2."id"::text)::text, 'null') || ']') || $6::text), 1, 16))
      FROM (
        SELECT *
        FROM s
        ORDER BY s."rating" ASC NULLS LAST, s."id" ASC
        LIMIT $5::bigint) AS e2
      ORDER BY e2."rating" DESC NULLS FIRST, e2."id" DESC
      LIMIT 1)), 'total_count', (
    SELECT count(*)
    FROM "blog_post" AS t3));

