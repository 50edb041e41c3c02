package deploy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	good := `
version: 1
environments:
  production:
    colours:
      blue:  {url: "http://127.0.0.1:8081", start: "systemctl restart autogql@blue", stop: "systemctl stop autogql@blue"}
      green: {url: "http://127.0.0.1:8082", start: "systemctl restart autogql@green", stop: "systemctl stop autogql@green"}
    proxy: {upstream_file: /etc/nginx/autogql/upstream/active.conf, reload: "nginx -s reload", test: "nginx -t", url: "https://api.example.com"}
    smoke:
      - query: "{ posts(first: 1) { id } }"
`
	f, err := Parse("deploy.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	e := f.Environments["production"]
	if e.Strategy != BlueGreen || e.Colours["green"].Upstream != "127.0.0.1:8082" || e.Smoke[0].ExpectStatus != 200 || e.GracePeriod == 0 {
		t.Errorf("defaults not applied: %+v", e)
	}
	if !strings.Contains(e.Migrations.Apply, "--expand-only") {
		t.Errorf("blue-green apply %q is not expand-only", e.Migrations.Apply)
	}

	bad := []struct{ name, yaml, want string }{
		{"unknown key", "version: 1\nenvironments:\n  p:\n    colors: {}\n", "field colors not found"},
		{"version", "version: 2\nenvironments:\n  p: {strategy: recreate, instances: [{url: 'http://a:1', start: x, stop: y}]}\n", "version: 2, want 1"},
		{"strategy", "version: 1\nenvironments:\n  p: {strategy: canary}\n", `strategy: "canary"`},
		{"colours", "version: 1\nenvironments:\n  p: {proxy: {upstream_file: /x, reload: r}, colours: {blue: {url: 'http://a:1', start: x, stop: y}}}\n", "colours.green: empty"},
		{"proxy", "version: 1\nenvironments:\n  p: {colours: {blue: {url: 'http://a:1', start: x, stop: y}, green: {url: 'http://a:2', start: x, stop: y}}}\n", "proxy.upstream_file: required"},
		{"url", "version: 1\nenvironments:\n  p: {strategy: recreate, instances: [{url: 'a:1', start: x, stop: y}]}\n", `instances[0].url: "a:1"`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("deploy.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestUpstreamRender(t *testing.T) {
	p := &Proxy{UpstreamName: "autogql"}
	got, err := p.renderUpstream([]Server{{Addr: "127.0.0.1:8082"}, {Addr: "127.0.0.1:8081", Backup: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := `# Written by autogql deploy: do not edit (the next deploy replaces it).
upstream autogql {
    zone autogql_upstream 64k;
    server 127.0.0.1:8082 max_fails=3 fail_timeout=10s;
    server 127.0.0.1:8081 max_fails=3 fail_timeout=10s backup;
    keepalive 32;
    keepalive_timeout 60s;
}
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("upstream (-want +got):\n%s", diff)
	}
}

func TestNumber(t *testing.T) {
	for name, want := range map[string]int{"0002_add_subtitle": 2, "": 0, "auto_1234": 0, "0010": 10} {
		if got := number(name); got != want {
			t.Errorf("number(%q) = %d, want %d", name, got, want)
		}
	}
}
