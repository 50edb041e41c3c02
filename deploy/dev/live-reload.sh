#!/bin/sh
# Live reload for development: rebuilds and restarts `autogql serve` whenever
# Go source, go.mod/go.sum, the models file or the config file changes.
#
#   deploy/dev/live-reload.sh [serve flags...]
#
# Dockerfile.dev runs it on the bind-mounted source (docker-compose.dev.yml);
# on a laptop it needs only Go and entr(1). The models file and config file
# come from AUTOGQL_MODELS and AUTOGQL_CONFIG, like `autogql serve` itself.
# A build error keeps the loop alive: fix the code and save again.
set -eu

cd "${AUTOGQL_SRC:-.}"
bin="${AUTOGQL_DEV_BIN:-${TMPDIR:-/tmp}/autogql-dev}"
models="${AUTOGQL_MODELS:-models.yaml}"
config="${AUTOGQL_CONFIG:-autogql.yaml}"

watched() {
  find . \( -name .git -o -name node_modules -o -name testdata \) -prune \
    -o -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' -print
  for f in "$models" "$config"; do
    if [ -f "$f" ]; then echo "$f"; fi
  done
}

# -r restarts the server on every change, -n because there is no terminal in
# a container. Not -d: it would also fire on the SQLite files and build
# output beside a watched file; a new .go file is picked up at the next save
# of any watched one (entr is restarted with a fresh list after each exit).
while :; do
  status=0
  watched | entr -n -r sh -c 'echo "live-reload: building" >&2 && go build -o "$0" ./cmd/autogql && exec "$0" serve "$@"' "$bin" "$@" || status=$?
  case "$status" in
    0|130|143) exit 0 ;;                  # interrupted or terminated: stop
    *) echo "live-reload: entr exited $status; rescanning" >&2; sleep 1 ;;
  esac
done
