package deploy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unitDirectives parses a systemd unit into section → key → values.
func unitDirectives(t *testing.T, b []byte) map[string]map[string][]string {
	t.Helper()
	units := map[string]map[string][]string{}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			units[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("unit line %q is not key=value in a section", line)
			}
			units[section][k] = append(units[section][k], v)
		}
	}
	return units
}

// TestSystemdUnits runs systemd-analyze verify on the units (with the
// binary path pointed at a real build, the only change) and checks the
// hardening and the blue/green layout.
func TestSystemdUnits(t *testing.T) {
	analyze := tool(t, "systemd-analyze", "apt-get install -y systemd")
	bin := autogqlBinary(t)
	dir := t.TempDir()
	for src, dst := range map[string]string{"autogql@.service": "autogql@blue.service", "autogql-migrate.service": "autogql-migrate.service"} {
		b := readFile(t, "deploy/systemd", src)
		s := string(b)
		for _, p := range []string{"/opt/autogql/%i/autogql", "/opt/autogql/current/autogql"} {
			s = strings.ReplaceAll(s, p, bin)
		}
		if !strings.Contains(s, bin) {
			t.Fatalf("%s: no ExecStart path to point at the test binary", src)
		}
		unit := filepath.Join(dir, dst)
		if err := os.WriteFile(unit, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := runErr(dir, nil, analyze, "verify", unit)
		if err != nil || strings.TrimSpace(out) != "" {
			t.Errorf("systemd-analyze verify %s: %v\n%s", src, err, out)
		}
	}

	u := unitDirectives(t, readFile(t, "deploy/systemd/autogql@.service"))
	svc := u["Service"]
	for key, want := range map[string]string{
		"User": "autogql", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "CapabilityBoundingSet": "", "KillSignal": "SIGTERM", "Restart": "on-failure",
		"ExecStart": "/opt/autogql/%i/autogql serve", "Type": "exec",
	} {
		if got := svc[key]; len(got) != 1 || got[0] != want {
			t.Errorf("[Service] %s = %q, want %q", key, got, want)
		}
	}
	if envs := strings.Join(svc["EnvironmentFile"], " "); !strings.Contains(envs, "/etc/autogql/%i.env") {
		t.Errorf("EnvironmentFile = %q, want the per-colour file", envs)
	}
	// The colours listen on distinct loopback ports, which the VM's nginx
	// upstreams and Prometheus targets name.
	addrs := map[string]string{}
	for _, colour := range []string{"blue", "green"} {
		env := unitDirectives(t, append([]byte("[env]\n"), readFile(t, "deploy/systemd", colour+".env")...))["env"]
		addr := env["AUTOGQL_ADDR"]
		if len(addr) != 1 || !strings.HasPrefix(addr[0], "127.0.0.1:") {
			t.Fatalf("%s.env AUTOGQL_ADDR = %q, want a loopback address behind nginx", colour, addr)
		}
		addrs[colour] = addr[0]
		if !strings.Contains(string(readFile(t, "deploy/prometheus/targets/autogql.yml")), addr[0]) {
			t.Errorf("deploy/prometheus/targets/autogql.yml does not show %s (%s)", addr[0], colour)
		}
	}
	if addrs["blue"] == addrs["green"] {
		t.Error("blue and green listen on the same address")
	}
}
