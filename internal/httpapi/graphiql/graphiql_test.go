package graphiql

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestPageReferencesOnlyEmbeddedAssets(t *testing.T) {
	rec := httptest.NewRecorder()
	ServePage(rec, `/graphql/"><script>`)
	body := rec.Body.String()
	if got := rec.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy = %q, want %q", got, ContentSecurityPolicy)
	}
	if !strings.Contains(body, `data-endpoint="/graphql/&#34;&gt;&lt;script&gt;"`) {
		t.Errorf("endpoint not escaped in the page:\n%s", body)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(refs) != 7 {
		t.Errorf("got %d references, want 7 (icon, 2 stylesheets, 4 scripts)", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		if ref == "data:," {
			continue
		}
		name, version, ok := strings.Cut(strings.TrimPrefix(ref, AssetsPath), "?v=")
		a := assets()[name]
		if !strings.HasPrefix(ref, AssetsPath) || !ok || a == nil || version != a.version {
			t.Errorf("reference %q is not a versioned embedded asset", ref)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
		t.Errorf("page has inline script or style, which its CSP forbids")
	}
}

func TestAssets(t *testing.T) {
	js := assets()["graphiql/graphiql.min.js"]
	if js == nil {
		t.Fatal("graphiql.min.js is not embedded")
	}
	for _, name := range []string{"graphiql/LICENSE", "react/LICENSE", "react-dom/LICENSE", "VERSIONS"} {
		if assets()[name] == nil {
			t.Errorf("%s is not embedded", name)
		}
	}
	tests := []struct {
		name, target, acceptEncoding string
		wantStatus                   int
		wantCache, wantEncoding      string
	}{
		{"versioned is immutable", "graphiql/graphiql.min.js?v=" + js.version, "", 200, "public, max-age=31536000, immutable", ""},
		{"unversioned revalidates", "graphiql/graphiql.min.js", "", 200, "no-cache", ""},
		{"stale version revalidates", "graphiql/graphiql.min.js?v=0000", "", 200, "no-cache", ""},
		{"gzip when accepted", "graphiql/graphiql.min.js?v=" + js.version, "br, gzip", 200, "public, max-age=31536000, immutable", "gzip"},
		{"no gzip at q=0", "graphiql/graphiql.min.js", "gzip;q=0", 200, "no-cache", ""},
		{"unknown file", "nope.js", "", 404, "", ""},
		{"no directory listing", "graphiql/", "", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", AssetsPath+tt.target, nil)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			rec := httptest.NewRecorder()
			Assets().ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
			}
			if got := rec.Header().Get("Content-Encoding"); got != tt.wantEncoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tt.wantEncoding)
			}
			if got := rec.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			body := rec.Body.Bytes()
			if tt.wantEncoding == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, js.data) {
				t.Errorf("served bytes differ from the embedded file")
			}
		})
	}
}

func TestAssetsRevalidate(t *testing.T) {
	js := assets()["autogql/init.js"]
	req := httptest.NewRequest("GET", AssetsPath+"autogql/init.js", nil)
	req.Header.Set("If-None-Match", `"`+js.version+`"`)
	rec := httptest.NewRecorder()
	Assets().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("status = %d, want 304", rec.Code)
	}
}
