-- posts_connection
-- $1 = "Alice Martin"
-- $2 = 0
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
  WHERE (COALESCE(?2 AND (
        SELECT t2."name"
        FROM "blog_author" AS t2
        WHERE t2."id" = t1."author_id"
        LIMIT 1) IS NOT NULL, FALSE) OR COALESCE((
        SELECT t2."name"
        FROM "blog_author" AS t2
        WHERE t2."id" = t1."author_id"
        LIMIT 1) < ?1, FALSE) OR ((COALESCE((
            SELECT t2."name"
            FROM "blog_author" AS t2
            WHERE t2."id" = t1."author_id"
            LIMIT 1) IS NULL AND ?2, FALSE) OR COALESCE((
            SELECT t2."name"
            FROM "blog_author" AS t2
            WHERE t2."id" = t1."author_id"
            LIMIT 1) = ?1, FALSE)) AND (t1."id" < ?3)))
  ORDER BY __o0 DESC NULLS FIRST, t1."id" DESC
  LIMIT ?4)
SELECT json_object('edges', json((
      SELECT json_group_array(json_object('node', json_object('id', CAST(e4."id" AS TEXT)))
        ORDER BY e4.__o0 ASC NULLS LAST, e4."id" ASC)
      FROM (
        SELECT *
        FROM s
        ORDER BY s.__o0 DESC NULLS FIRST, s."id" DESC
        LIMIT ?5) AS e4)), 'page_info', json_object('has_previous_page', json(CASE WHEN (
        SELECT count(*)
        FROM s) > ?5 THEN 'true' ELSE 'false' END)));

