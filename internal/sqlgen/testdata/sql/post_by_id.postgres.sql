-- post
-- $1 = 1
SELECT json_build_object('id', t1."id"::text, 'title', t1."title", 'status', t1."status", 'is_published', t1."is_published", 'rating', t1."rating"::text, 'published_at', (to_char(t1."published_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN date_trunc('second', t1."published_at") = t1."published_at" THEN '' ELSE to_char(t1."published_at" AT TIME ZONE 'UTC', '.US') END || 'Z'), 'author', (
    SELECT json_build_object('name', t2."name")
    FROM "blog_author" AS t2
    WHERE t2."id" = t1."author_id"
    LIMIT 1), 'category', (
    SELECT json_build_object('name', t3."name")
    FROM "blog_category" AS t3
    WHERE t3."id" = t1."category_id"
    LIMIT 1))
FROM "blog_post" AS t1
WHERE t1."id" = $1::bigint;

