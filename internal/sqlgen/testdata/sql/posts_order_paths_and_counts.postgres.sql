-- posts
-- $1 = 4
-- $2 = 3
SELECT coalesce(json_agg(json_build_object('id', s4."id"::text)
    ORDER BY s4.__o0 ASC NULLS LAST, s4.__o1 DESC, s4."rating" ASC NULLS LAST, s4."id" ASC), '[]'::json)
FROM (
  SELECT t1.*, (
    SELECT t2."name"
    FROM "blog_category" AS t2
    WHERE t2."id" = t1."category_id"
    LIMIT 1) AS __o0, (
    SELECT count(*)
    FROM "blog_comment" AS t3
    WHERE t3."post_id" = t1."id") AS __o1
  FROM "blog_post" AS t1
  ORDER BY __o0 ASC NULLS LAST, __o1 DESC, t1."rating" ASC NULLS LAST, t1."id" ASC
  LIMIT $1::bigint
  OFFSET $2::bigint) AS s4;

