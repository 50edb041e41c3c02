-- posts_aggregate
-- $1 = 0
SELECT json_build_object('count', count(*), 'sum', json_build_object('views', sum(t1."views")::text, 'rating', sum(t1."rating")::text), 'avg', json_build_object('views', avg(t1."views")::float8, 'rating', round(avg(t1."rating"), 1)::text), 'min', json_build_object('published_at', (to_char(min(t1."published_at") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN date_trunc('second', min(t1."published_at")) = min(t1."published_at") THEN '' ELSE to_char(min(t1."published_at") AT TIME ZONE 'UTC', '.US') END || 'Z'), 'title', min(t1."title")), 'max', json_build_object('rating', max(t1."rating")::text))
FROM "blog_post" AS t1
WHERE t1."views" > $1::bigint;

