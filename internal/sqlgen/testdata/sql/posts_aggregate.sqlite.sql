-- posts_aggregate
-- $1 = 0
SELECT json_object('count', count(*), 'sum', json_object('views', CAST(sum(t1."views") AS TEXT), 'rating', CASE WHEN sum(CAST(round(CAST(t1."rating" AS REAL) * 10) AS INTEGER)) / 10.0 IS NULL THEN NULL ELSE printf('%.1f', sum(CAST(round(CAST(t1."rating" AS REAL) * 10) AS INTEGER)) / 10.0) END), 'avg', json_object('views', avg(t1."views"), 'rating', CASE WHEN round(sum(CAST(round(CAST(t1."rating" AS REAL) * 10) AS INTEGER)) * 1.0 / count(t1."rating")) / 10.0 IS NULL THEN NULL ELSE printf('%.1f', round(sum(CAST(round(CAST(t1."rating" AS REAL) * 10) AS INTEGER)) * 1.0 / count(t1."rating")) / 10.0) END), 'min', json_object('published_at', (replace(min(t1."published_at"), ' ', 'T') || 'Z'), 'title', min(t1."title")), 'max', json_object('rating', CASE WHEN max(CAST(t1."rating" AS REAL)) IS NULL THEN NULL ELSE printf('%.1f', max(CAST(t1."rating" AS REAL))) END))
FROM "blog_post" AS t1
WHERE t1."views" > ?1;

