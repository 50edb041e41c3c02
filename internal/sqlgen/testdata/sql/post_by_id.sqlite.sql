-- post
-- $1 = 1
SELECT json_object('id', CAST(t1."id" AS TEXT), 'title', t1."title", 'status', t1."status", 'is_published', json(CASE WHEN t1."is_published" IS NULL THEN NULL WHEN t1."is_published" THEN 'true' ELSE 'false' END), 'rating', CASE WHEN t1."rating" IS NULL THEN NULL ELSE printf('%.1f', t1."rating") END, 'published_at', (replace(t1."published_at", ' ', 'T') || 'Z'), 'author', json((
      SELECT json_object('name', t2."name")
      FROM "blog_author" AS t2
      WHERE t2."id" = t1."author_id"
      LIMIT 1)), 'category', json((
      SELECT json_object('name', t3."name")
      FROM "blog_category" AS t3
      WHERE t3."id" = t1."category_id"
      LIMIT 1)))
FROM "blog_post" AS t1
WHERE t1."id" = ?1;

