package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// autogqlMetrics are the series autogql exports (SPEC §7 and the
// production-server contract); histograms also have _bucket, _sum, _count.
// Rules and dashboards may use only these, so a typo fails here instead of
// drawing an empty panel or never firing.
var autogqlMetrics = map[string]bool{
	"autogql_http_requests_total":                   false,
	"autogql_http_request_duration_seconds":         true,
	"autogql_graphql_operations_total":              false,
	"autogql_graphql_operation_duration_seconds":    true,
	"autogql_graphql_query_depth":                   true,
	"autogql_graphql_query_cost":                    true,
	"autogql_sql_statement_duration_seconds":        true,
	"autogql_db_pool_connections":                   false,
	"autogql_db_pool_max_connections":               false,
	"autogql_db_up":                                 false,
	"autogql_redis_up":                              false,
	"autogql_cache_hits_total":                      false,
	"autogql_cache_misses_total":                    false,
	"autogql_rate_limited_total":                    false,
	"autogql_schema_reloads_total":                  false,
	"autogql_build_info":                            false,
	"autogql_backup_last_success_timestamp_seconds": false,
}

var metricRef = regexp.MustCompile(`\b(autogql_[a-z0-9_]+|go_[a-z0-9_]+|process_[a-z0-9_]+|probe_[a-z0-9_]+)\b`)

// checkMetricNames reports metric names in expr that nothing exports.
func checkMetricNames(t *testing.T, where, expr string) {
	t.Helper()
	for _, name := range metricRef.FindAllString(expr, -1) {
		if !strings.HasPrefix(name, "autogql_") {
			continue // Go, process and blackbox metrics come from their libraries
		}
		if _, ok := autogqlMetrics[name]; ok {
			continue
		}
		base := name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			base = strings.TrimSuffix(base, suffix)
		}
		if hist, ok := autogqlMetrics[base]; ok && hist && base != name {
			continue
		}
		t.Errorf("%s uses %s, which autogql does not export", where, name)
	}
}

func TestPrometheusConfig(t *testing.T) {
	promtool := tool(t, "promtool", "apt-get install -y prometheus")
	out := run(t, repoPath("deploy/prometheus"), promtool, "check", "config", "prometheus.yml")
	if strings.Contains(out, "WARNING") || !strings.Contains(out, "SUCCESS: 1 rule files found") {
		t.Errorf("promtool check config:\n%s", out)
	}
}

type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Record      string            `json:"record"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

type ruleTests struct {
	RuleFiles []string `json:"rule_files"`
	Tests     []struct {
		Name          string `json:"name"`
		AlertRuleTest []struct {
			Alertname string `json:"alertname"`
			ExpAlerts []any  `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

func TestPrometheusRules(t *testing.T) {
	promtool := tool(t, "promtool", "apt-get install -y prometheus")
	dir := repoPath("deploy/prometheus")
	if out := run(t, dir, promtool, "check", "rules", "rules/autogql.rules.yml"); !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules:\n%s", out)
	}
	testFiles, err := filepath.Glob(filepath.Join(dir, "tests", "*.test.yml"))
	if err != nil || len(testFiles) == 0 {
		t.Fatalf("no rule tests in deploy/prometheus/tests (%v)", err)
	}
	fires := map[string]bool{}
	for _, f := range testFiles {
		if out := run(t, dir, promtool, "test", "rules", f); !strings.Contains(out, "SUCCESS") {
			t.Errorf("promtool test rules %s:\n%s", filepath.Base(f), out)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests ruleTests
		if err := yaml.Unmarshal(b, &tests); err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests.Tests {
			for _, at := range tc.AlertRuleTest {
				if len(at.ExpAlerts) > 0 {
					fires[at.Alertname] = true
				}
			}
		}
	}

	var rules ruleFile
	if err := yaml.UnmarshalStrict(readFile(t, "deploy/prometheus/rules/autogql.rules.yml"), &rules); err != nil {
		t.Fatal(err)
	}
	// The alerts the delivery issue asks for.
	wanted := []string{"AutogqlInstanceDown", "AutogqlHigh5xxRatio", "AutogqlHighP99Latency", "AutogqlDatabaseDown",
		"AutogqlRedisDown", "AutogqlDatabasePoolSaturated", "AutogqlRateLimitSurge", "AutogqlBackupTooOld", "AutogqlTLSCertificateExpiring"}
	var alerts []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts = append(alerts, r.Alert)
			if !fires[r.Alert] {
				t.Errorf("alert %s has no unit test in which it fires", r.Alert)
			}
			if s := r.Labels["severity"]; s != "critical" && s != "warning" && s != "info" {
				t.Errorf("alert %s: severity %q, want critical, warning or info (alertmanager routes on it)", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s lacks a summary or description", r.Alert)
			}
			checkMetricNames(t, "alert "+r.Alert, r.Expr)
		}
	}
	for _, w := range wanted {
		if !slices.Contains(alerts, w) {
			t.Errorf("no alert %s", w)
		}
	}
}

func TestAlertmanagerConfig(t *testing.T) {
	amtool := tool(t, "amtool", "apt-get install -y prometheus-alertmanager")
	dir := repoPath("deploy/alertmanager")
	if out := run(t, dir, amtool, "check-config", "alertmanager.yml"); !strings.Contains(out, "SUCCESS") || !strings.Contains(out, "1 templates") {
		t.Errorf("amtool check-config:\n%s", out)
	}
	for _, tc := range []struct {
		labels []string
		want   string
	}{
		{[]string{"severity=critical", "alertname=AutogqlDatabaseDown"}, "webhook,pager,slack"},
		{[]string{"severity=warning", "alertname=AutogqlRedisDown"}, "webhook,slack"},
		{[]string{"severity=info", "alertname=Something"}, "webhook,team-email"},
		{[]string{"alertname=NoSeverity"}, "webhook,team-email"},
	} {
		args := append([]string{"config", "routes", "test", "--config.file=alertmanager.yml"}, tc.labels...)
		out := run(t, dir, amtool, args...)
		if got := lastLine(out); got != tc.want {
			t.Errorf("alert %v goes to %q, want %q", tc.labels, got, tc.want)
		}
	}
	var cfg struct {
		Receivers []map[string]any `json:"receivers"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy/alertmanager/alertmanager.yml"), &cfg); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, r := range cfg.Receivers {
		for k := range r {
			kinds[k] = true
		}
	}
	for _, k := range []string{"email_configs", "slack_configs", "pagerduty_configs", "webhook_configs"} {
		if !kinds[k] {
			t.Errorf("no receiver with %s", k)
		}
	}
	// Secrets are files, never inline.
	if b := string(readFile(t, "deploy/alertmanager/alertmanager.yml")); regexp.MustCompile(`(?m)^\s*(routing_key|api_url|slack_api_url|smtp_auth_password|auth_password):`).MatchString(b) {
		t.Error("alertmanager.yml holds a secret inline; use the *_file form")
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func TestBlackboxConfig(t *testing.T) {
	bb := tool(t, "prometheus-blackbox-exporter", "apt-get install -y prometheus-blackbox-exporter")
	out := run(t, repoPath("deploy/prometheus"), bb, "--config.file=blackbox.yml", "--config.check")
	if !strings.Contains(out, "Config file is ok") {
		t.Errorf("blackbox exporter --config.check:\n%s", out)
	}
}

// grafanaVar matches Grafana's template variables: $name, ${name} and
// ${name:format}; the built-in intervals become a duration, the dashboard's
// own variables a regular expression (they only appear in =~ matchers).
var grafanaVar = regexp.MustCompile(`\$\{?(\w+)(?::\w+)?\}?`)

func grafanaToPromQL(expr string) string {
	return grafanaVar.ReplaceAllStringFunc(expr, func(v string) string {
		name := strings.Trim(grafanaVar.FindStringSubmatch(v)[1], "_")
		switch name {
		case "rate_interval", "interval", "range":
			return "5m"
		}
		return ".+"
	})
}

var labelValues = regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)

type grafanaPanel struct {
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Datasource map[string]any `json:"datasource"`
	Targets    []struct {
		Expr       string         `json:"expr"`
		Datasource map[string]any `json:"datasource"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"`
}

// TestGrafanaDashboards parses every query of every provisioned dashboard
// with promtool (as recording rules) after substituting Grafana's variables,
// and checks the provisioning points where compose mounts things.
func TestGrafanaDashboards(t *testing.T) {
	var provider struct {
		Providers []struct {
			Options struct {
				Path string `json:"path"`
			} `json:"options"`
		} `json:"providers"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy/grafana/provisioning/dashboards/autogql.yml"), &provider); err != nil {
		t.Fatal(err)
	}
	if len(provider.Providers) != 1 || provider.Providers[0].Options.Path != "/var/lib/grafana/dashboards" {
		t.Errorf("dashboard provider = %+v, want one reading /var/lib/grafana/dashboards (docker-compose.yml mounts deploy/grafana/dashboards there)", provider)
	}
	var ds struct {
		Datasources []struct {
			UID  string `json:"uid"`
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"datasources"`
	}
	if err := yaml.Unmarshal(readFile(t, "deploy/grafana/provisioning/datasources/prometheus.yml"), &ds); err != nil {
		t.Fatal(err)
	}
	if len(ds.Datasources) != 1 || ds.Datasources[0].Type != "prometheus" || ds.Datasources[0].URL != "http://prometheus:9090" {
		t.Fatalf("datasources = %+v, want the compose Prometheus", ds.Datasources)
	}
	dsUID := ds.Datasources[0].UID

	files, err := filepath.Glob(repoPath("deploy/grafana/dashboards/*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards (%v)", err)
	}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: grafana\n    rules:\n")
	n := 0
	add := func(where, expr string) {
		checkMetricNames(t, where, expr)
		n++
		q, _ := json.Marshal(grafanaToPromQL(expr))
		fmt.Fprintf(&rules, "      - record: grafana:query_%d\n        expr: %s\n", n, q)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var dash struct {
			UID        string         `json:"uid"`
			Panels     []grafanaPanel `json:"panels"`
			Templating struct {
				List []struct {
					Name  string          `json:"name"`
					Type  string          `json:"type"`
					Query json.RawMessage `json:"query"`
					Curr  struct {
						Value any `json:"value"`
					} `json:"current"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(b, &dash); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		if dash.UID == "" {
			t.Errorf("%s has no uid (links and provisioning need a stable one)", name)
		}
		for _, v := range dash.Templating.List {
			switch v.Type {
			case "datasource":
				if v.Curr.Value != dsUID {
					t.Errorf("%s: variable %s defaults to %v, want the provisioned data source %q", name, v.Name, v.Curr.Value, dsUID)
				}
			case "query":
				var q struct {
					Query string `json:"query"`
				}
				if err := json.Unmarshal(v.Query, &q); err != nil {
					t.Fatalf("%s: variable %s: %v", name, v.Name, err)
				}
				m := labelValues.FindStringSubmatch(q.Query)
				if m == nil {
					t.Errorf("%s: variable %s query %q is not label_values(expr, label)", name, v.Name, q.Query)
					continue
				}
				add(name+" variable "+v.Name, m[1])
			}
		}
		var walk func([]grafanaPanel)
		walk = func(ps []grafanaPanel) {
			for _, p := range ps {
				walk(p.Panels)
				if p.Type == "row" {
					continue
				}
				if len(p.Targets) == 0 {
					t.Errorf("%s: panel %q has no query", name, p.Title)
				}
				if p.Datasource["uid"] != "${datasource}" {
					t.Errorf("%s: panel %q data source = %v, want ${datasource}", name, p.Title, p.Datasource)
				}
				for _, tg := range p.Targets {
					if strings.TrimSpace(tg.Expr) == "" {
						t.Errorf("%s: panel %q has an empty query", name, p.Title)
						continue
					}
					add(fmt.Sprintf("%s panel %q", name, p.Title), tg.Expr)
				}
			}
		}
		walk(dash.Panels)
	}
	if n < 20 {
		t.Errorf("only %d queries found; the dashboard covers RED per operation, DB, cache and runtime", n)
	}

	promtool := tool(t, "promtool", "apt-get install -y prometheus")
	rulesFile := filepath.Join(t.TempDir(), "grafana-queries.yml")
	if err := os.WriteFile(rulesFile, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runErr("", nil, promtool, "check", "rules", rulesFile)
	if err != nil || !strings.Contains(out, fmt.Sprintf("SUCCESS: %d rules found", n)) {
		t.Errorf("promtool rejects a dashboard query: %v\n%s\nqueries as rules:\n%s", err, out, rules.String())
	}
}
