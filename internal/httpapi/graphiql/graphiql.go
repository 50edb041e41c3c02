package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AssetsPath is the URL path under which Assets serves the embedded files.
const AssetsPath = "/graphiql/assets/"

//go:embed assets
var files embed.FS

// asset is one embedded file, fingerprinted so the page can reference it
// with a version and browsers can cache it for good.
type asset struct {
	data        []byte
	contentType string
	version     string // first 16 hex digits of the SHA-256 of data

	gzipOnce sync.Once
	gzipped  []byte // nil when compression does not pay
}

// gzipData compresses the asset on first use. The GraphiQL bundle shrinks
// from about 1 MiB to a quarter of that; doing it lazily keeps start-up free
// of the work when nobody opens GraphiQL.
func (a *asset) gzipData() []byte {
	a.gzipOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		_, _ = zw.Write(a.data)
		if zw.Close() == nil && b.Len() < len(a.data)*9/10 {
			a.gzipped = b.Bytes()
		}
	})
	return a.gzipped
}

var assets = sync.OnceValue(func() map[string]*asset {
	m := make(map[string]*asset)
	err := fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8" // LICENSE, VERSIONS
		}
		sum := sha256.Sum256(data)
		m[strings.TrimPrefix(p, "assets/")] = &asset{data: data, contentType: ctype, version: hex.EncodeToString(sum[:8])}
		return nil
	})
	if err != nil {
		panic("graphiql: reading embedded assets: " + err.Error()) // the embed is part of the binary
	}
	return m
})

// Assets returns a handler for the embedded files at AssetsPath/<name>. A
// request carrying the file's current version (?v=…, as the page links them)
// may be cached for a year; any other request must revalidate. Responses are
// gzip-compressed when the client accepts it.
func Assets() http.Handler {
	return http.HandlerFunc(serveAsset)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, AssetsPath)
	a := assets()[name]
	if !ok || a == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	data, etag := a.data, `"`+a.version+`"`
	if acceptsGzip(r) {
		if gz := a.gzipData(); gz != nil {
			data, etag = gz, `"`+a.version+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// acceptsGzip reports whether Accept-Encoding lists gzip (or *) with a
// non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding == "gzip" || coding == "*" {
				return quality(params) > 0
			}
		}
	}
	return false
}

// quality returns the q parameter of an HTTP list element's parameters
// ("q=0.5;…"), 1 when absent and 0 when malformed.
func quality(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || q < 0 || q > 1 {
				return 0
			}
			return q
		}
	}
	return 1
}

// ContentSecurityPolicy is sent with the page. Scripts and styles load only
// from this origin (no inline code); fonts and icons embedded in the
// GraphiQL stylesheet are data: URLs; the IDE talks only to this origin.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var page = template.Must(template.New("graphiql").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>GraphiQL · autogql</title>
<link rel="stylesheet" href="{{.Asset "graphiql/graphiql.min.css"}}">
<link rel="stylesheet" href="{{.Asset "autogql/page.css"}}">
</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}"><noscript>GraphiQL needs JavaScript.</noscript><div class="loading">Loading GraphiQL…</div></div>
<script src="{{.Asset "react/react.production.min.js"}}"></script>
<script src="{{.Asset "react-dom/react-dom.production.min.js"}}"></script>
<script src="{{.Asset "graphiql/graphiql.min.js"}}"></script>
<script src="{{.Asset "autogql/init.js"}}"></script>
</body>
</html>
`))

type pageData struct{ Endpoint string }

// Asset returns the versioned URL of an embedded file.
func (pageData) Asset(name string) string {
	return AssetsPath + name + "?v=" + assets()[name].version
}

// ServePage writes the GraphiQL page for the GraphQL endpoint at the URL
// path endpoint, with its Content-Security-Policy and anti-framing headers.
func ServePage(w http.ResponseWriter, endpoint string) {
	var b bytes.Buffer
	if err := page.Execute(&b, pageData{Endpoint: endpoint}); err != nil {
		http.Error(w, "graphiql page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(b.Bytes())
}
