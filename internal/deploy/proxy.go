package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
)

// defaultUpstream matches deploy/nginx/upstream/*.conf.
const defaultUpstream = `# Written by autogql deploy: do not edit (the next deploy replaces it).
upstream {{.Name}} {
    zone {{.Name}}_upstream 64k;
{{- if gt .Primaries 1}}
    least_conn;
{{- end}}
{{- range .Servers}}
    server {{.Addr}} max_fails=3 fail_timeout=10s{{if .Backup}} backup{{end}};
{{- end}}
    keepalive 32;
    keepalive_timeout 60s;
}
`

// Server is one line of the upstream block. A backup server only gets
// requests the primaries could not take (refused connections, timeouts):
// during a switch the old colour stays as backup, so a new colour that
// dies loses no request.
type Server struct {
	Addr   string
	Backup bool
}

// renderUpstream renders the upstream include for servers.
func (p *Proxy) renderUpstream(servers []Server) (string, error) {
	text := p.Template
	if text == "" {
		text = defaultUpstream
	}
	t, err := template.New("upstream").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("proxy.template: %w", err)
	}
	var b strings.Builder
	primaries := 0
	for _, s := range servers {
		if !s.Backup {
			primaries++
		}
	}
	if err := t.Execute(&b, struct {
		Name      string
		Servers   []Server
		Primaries int
	}{p.UpstreamName, servers, primaries}); err != nil {
		return "", fmt.Errorf("proxy.template: %w", err)
	}
	return b.String(), nil
}

// servers reads the servers of the current upstream file.
func (p *Proxy) servers() ([]Server, error) {
	b, err := os.ReadFile(p.UpstreamFile)
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(strings.TrimSuffix(strings.TrimSpace(line), ";"))
		if len(f) >= 2 && f[0] == "server" {
			out = append(out, Server{Addr: f[1], Backup: slices.Contains(f[2:], "backup")})
		}
	}
	return out, nil
}

// writeAtomic writes content to path through a temporary file in the same
// directory renamed over it: nginx never reads half a file.
func writeAtomic(path, content string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// switchTo points the proxy at servers: writes the file, tests the
// configuration (putting the old file back if the test fails) and reloads.
func (d *Deployer) switchTo(ctx context.Context, servers []Server) error {
	p := &d.env.Proxy
	content, err := p.renderUpstream(servers)
	if err != nil {
		return err
	}
	old, readErr := os.ReadFile(p.UpstreamFile)
	if err := writeAtomic(p.UpstreamFile, content); err != nil {
		return fmt.Errorf("write %s: %w", p.UpstreamFile, err)
	}
	var names []string
	for _, s := range servers {
		if s.Backup {
			names = append(names, s.Addr+" (backup)")
		} else {
			names = append(names, s.Addr)
		}
	}
	d.printf("  upstream %s → %s", p.UpstreamFile, strings.Join(names, ", "))
	if _, err := d.run.run(ctx, "proxy.test", p.Test, d.vars); err != nil {
		if readErr == nil {
			if rerr := writeAtomic(p.UpstreamFile, string(old)); rerr != nil {
				return fmt.Errorf("%w; restoring the previous upstream file also failed: %w", err, rerr)
			}
		}
		return err
	}
	_, err = d.run.run(ctx, "proxy.reload", p.Reload, d.vars)
	return err
}
