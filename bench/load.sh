#!/usr/bin/env bash
# Load test of the PERFORMANCE.md queries over HTTP with wrk.
#
#   bench/load.sh DATABASE_URL [seconds] [connections]
#
# The database must hold the blog data set; create it with
#   autogql seed --models examples/blog/models.yaml --database URL --generate \
#     --count Author=1000,Post=20000,Comment=100000,Tag=50,Category=20
# and (as the peers' measurements had) an index on blog_post(published_at).
# Prints requests/s per query and the server's peak RSS. Runs the server and
# wrk on the same machine: say so when you quote the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?usage: bench/load.sh DATABASE_URL [seconds] [connections]}
secs=${2:-10}
conns=${3:-8}
port=${PORT:-18099}
bin=$(mktemp -d)/autogql
go build -o "$bin" ./cmd/autogql
# Production profile, measured as a public read API: the example declares no
# access rules (closed by default in production) and one client would trip
# the per-IP rate limit; the access log stays on (info), as in production.
AUTOGQL_SECURITY_CLOSED_BY_DEFAULT=false AUTOGQL_RATE_LIMIT_ENABLED=false \
  "$bin" serve --models examples/blog/models.yaml --database "$db" --addr "127.0.0.1:$port" --env production 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -fs "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

declare -A q
q[q1]='{"query":"query($id: ID!) { post(id: $id) { id title author { name } } }","variables":{"id":"42"}}'
q[q2]='{"query":"{ posts(limit: 20, filters: {is_published: true}, order_by: [\"-published_at\"]) { id title author { name } comments(limit: 5) { id content } } }"}'
q[q3]='{"query":"{ authors(limit: 50) { id name posts_count } }"}'
q[q4]='{"query":"{ authors(limit: 10) { name posts(limit: 10) { title comments(limit: 5) { content author { name } } } } }"}'
for name in q1 q2 q3 q4; do
  BODY=${q[$name]} wrk -t2 -c"$conns" -d2s -s bench/post.lua "http://127.0.0.1:$port/graphql/" >/dev/null # warm-up
  out=$(BODY=${q[$name]} wrk -t2 -c"$conns" -d"${secs}s" -s bench/post.lua "http://127.0.0.1:$port/graphql/")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  echo "$name req/s=$rps $(echo "$out" | grep '^requests=')"
done
echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
