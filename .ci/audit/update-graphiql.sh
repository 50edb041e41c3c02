#!/usr/bin/env bash
# Refreshes the third-party GraphiQL files that autogql embeds
# (internal/httpapi/graphiql/assets/{graphiql,react,react-dom}/)
# so its GraphiQL page works offline, without a CDN.
#
# GraphiQL 4.1.x is the last line that ships a standalone UMD bundle
# (graphiql.min.js + graphiql.min.css, expecting the React and ReactDOM
# globals); GraphiQL 5 is ESM-only and needs a bundler. React 18 is the last
# React that ships UMD builds (umd/*.production.min.js). The tarballs come from
# the npm registry through `npm pack`; nothing else is fetched.
#
# Each package's LICENSE is copied next to its files. The only change made to
# the third-party files is dropping the trailing sourceMappingURL comment, since
# the source maps are not shipped.
#
# Usage: .ci/audit/update-graphiql.sh   (then review and commit the assets diff)
set -euo pipefail

GRAPHIQL_VERSION=4.1.2
REACT_VERSION=18.3.1

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dest="$root/internal/httpapi/graphiql/assets"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION" >/dev/null
for pkg in graphiql react react-dom; do
  mkdir "$pkg"
  tar -xzf "$pkg"-[0-9]*.tgz -C "$pkg" --strip-components=1
done

strip_map() { sed '/^\/\/# sourceMappingURL=/d; s|/\*# sourceMappingURL=[^*]*\*/||' "$1" > "$2"; }

# assets/autogql/ holds autogql's own page script and style: leave it alone.
rm -rf "$dest/graphiql" "$dest/react" "$dest/react-dom"
mkdir -p "$dest/graphiql" "$dest/react" "$dest/react-dom"
strip_map graphiql/graphiql.min.js "$dest/graphiql/graphiql.min.js"
strip_map graphiql/graphiql.min.css "$dest/graphiql/graphiql.min.css"
cp graphiql/LICENSE "$dest/graphiql/LICENSE"
strip_map react/umd/react.production.min.js "$dest/react/react.production.min.js"
cp react/LICENSE "$dest/react/LICENSE"
strip_map react-dom/umd/react-dom.production.min.js "$dest/react-dom/react-dom.production.min.js"
cp react-dom/LICENSE "$dest/react-dom/LICENSE"

cat > "$dest/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL_VERSION (MIT) graphiql.min.js graphiql.min.css
react $REACT_VERSION (MIT) umd/react.production.min.js
react-dom $REACT_VERSION (MIT) umd/react-dom.production.min.js
Fetched with .ci/audit/update-graphiql.sh; sourceMappingURL comments removed.
VERSIONS

echo "updated $dest"
