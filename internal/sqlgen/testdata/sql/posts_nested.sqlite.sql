-- posts
-- $1 = 5
-- $2 = 0
-- $3 = 100
-- $4 = 0
-- $5 = 0
-- $6 = 2
-- $7 = 0
-- $8 = 1
SELECT json_group_array(json_object('id', CAST(s2."id" AS TEXT), 'author', json((
        SELECT json_object('name', t3."name")
        FROM "blog_author" AS t3
        WHERE t3."id" = s2."author_id"
        LIMIT 1)), 'tags', json((
        SELECT json_group_array(json_object('name', s6."name")
          ORDER BY s6."name" ASC, s6."id" ASC)
        FROM (
          SELECT t4.*
          FROM "blog_tag" AS t4
          JOIN "blog_post_tags" AS j5 ON j5."tag_id" = t4."id"
          WHERE j5."post_id" = s2."id"
          ORDER BY t4."name" ASC, t4."id" ASC
          LIMIT ?3
          OFFSET ?4) AS s6)), 'comments', json((
        SELECT json_group_array(json_object('content', s8."content")
          ORDER BY s8."id" DESC)
        FROM (
          SELECT t7.*
          FROM "blog_comment" AS t7
          WHERE t7."post_id" = s2."id" AND ((t7."author_id" IS NULL) = ?5)
          ORDER BY t7."id" DESC
          LIMIT ?6
          OFFSET ?7) AS s8)), 'comments_count', (
      SELECT count(*)
      FROM "blog_comment" AS t9
      WHERE t9."post_id" = s2."id" AND ((t9."author_id" IS NULL) = ?8)))
  ORDER BY s2."views" DESC, s2."id" DESC)
FROM (
  SELECT t1.*
  FROM "blog_post" AS t1
  ORDER BY t1."views" DESC, t1."id" DESC
  LIMIT ?1
  OFFSET ?2) AS s2;

