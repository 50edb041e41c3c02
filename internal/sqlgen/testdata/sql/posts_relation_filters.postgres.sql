-- posts
-- $1 = 2
-- $2 = "%a%"
-- $3 = true
-- $4 = "%x%"
-- $5 = [go]
-- $6 = 100
-- $7 = 0
SELECT coalesce(json_agg(json_build_object('id', s9."id"::text)
    ORDER BY s9."created_at" DESC, s9."id" DESC), '[]'::json)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  WHERE ((
      SELECT count(*)
      FROM "blog_comment" AS t2
      WHERE t2."post_id" = t1."id") > $1::bigint AND EXISTS (
      SELECT 1
      FROM "blog_author" AS t3
      WHERE t3."id" = t1."author_id" AND t3."name" ILIKE $2::text ESCAPE '\') AND (EXISTS (
        SELECT 1
        FROM "blog_category" AS t4
        WHERE t4."id" = t1."category_id" AND ((t4."name" IS NULL) = $3::boolean)) OR (NOT EXISTS (
          SELECT 1
          FROM "blog_category" AS t5
          WHERE t5."id" = t1."category_id") AND $3::boolean)) AND EXISTS (
      SELECT 1
      FROM "blog_comment" AS t6
      WHERE t6."post_id" = t1."id" AND t6."content" ILIKE $4::text ESCAPE '\') AND EXISTS (
      SELECT 1
      FROM "blog_tag" AS t7
      JOIN "blog_post_tags" AS j8 ON j8."tag_id" = t7."id"
      WHERE j8."post_id" = t1."id" AND t7."name" = ANY($5::text[])))
  ORDER BY t1."created_at" DESC, t1."id" DESC
  LIMIT $6::bigint
  OFFSET $7::bigint) AS s9;

