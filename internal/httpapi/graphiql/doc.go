// Package graphiql serves the GraphiQL IDE from files embedded in the binary,
// so the page works offline and behind a strict Content-Security-Policy: no
// CDN, no inline script or style.
//
// internal/httpapi mounts Assets under AssetsPath and calls ServePage when a
// browser opens the GraphQL endpoint. The third-party files under assets/ (the
// GraphiQL UMD bundle and the React 18 UMD builds, each with its LICENSE) come
// from npm through .ci/audit/update-graphiql.sh; assets/autogql/ holds the
// page's own script and style.
package graphiql
