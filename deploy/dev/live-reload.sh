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

while :; do
  status=0
  # -r restarts the server on every change, -d also notices new files in the
  # watched directories (entr then exits 2 and the loop rescans), -n because
  # there is no terminal in a container.
  watched | entr -d -n -r sh -c 'echo "live-reload: building" >&2 && go build -o "$0" ./cmd/autogql && exec "$0" serve "$@"' "$bin" "$@" || status=$?
  if [ "$status" -ne 2 ]; then
    exit "$status"
  fi
done
