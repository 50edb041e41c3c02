-- posts_connection
-- $1 = "Alice Martin"
-- $2 = false
-- $3 = 7
-- $4 = 4
-- $5 = 3
WITH s AS (
  SELECT t1.*, (
    SELECT t3."name"
    FROM "blog_author" AS t3
    WHERE t3."id" = t1."author_id"
    LIMIT 1) AS __o0
  FROM "blog_post" AS t1
  WHERE (COALESCE($2::boolean AND (
        SELECT t2."name"
        FROM "blog_author" AS t2
        WHERE t2."id" = t1."author_id"
        LIMIT 1) IS NOT NULL, FALSE) OR COALESCE((
        SELECT t2."name"
        FROM "blog_author" AS t2
        WHERE t2."id" = t1."author_id"
        LIMIT 1) < $1::text, FALSE) OR ((COALESCE((
            SELECT t2."name"
            FROM "blog_author" AS t2
            WHERE t2."id" = t1."author_id"
            LIMIT 1) IS NULL AND $2::boolean, FALSE) OR COALESCE((
            SELECT t2."name"
            FROM "blog_author" AS t2
            WHERE t2."id" = t1."author_id"
            LIMIT 1) = $1::text, FALSE)) AND (t1."id" < $3::bigint)))
  ORDER BY __o0 DESC NULLS FIRST, t1."id" DESC
  LIMIT $4::bigint)
SELECT json_build_object('edges', (
    SELECT coalesce(json_agg(json_build_object('node', json_build_object('id', e4."id"::text))
        ORDER BY e4.__o0 ASC NULLS LAST, e4."id" ASC), '[]'::json)
    FROM (
      SELECT *
      FROM s
      ORDER BY s.__o0 DESC NULLS FIRST, s."id" DESC
      LIMIT $5::bigint) AS e4), 'page_info', json_build_object('has_previous_page', ((
        SELECT count(*)
        FROM s) > $5::bigint)));

