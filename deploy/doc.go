// Package deploy holds no code: it is the home of the delivery artefacts
// (nginx, Prometheus, Alertmanager, Grafana, the Helm chart, systemd units,
// the live-reload script) and of the tests that check them together with the
// repository's Dockerfiles, compose files and GitHub workflows.
//
// Each artefact is verified by the tool that consumes it, or by that tool's
// own parser used as a library: BuildKit's Dockerfile parser and linter,
// go-containerregistry to assemble the runtime image without an engine,
// compose-go, nginx -t and a real nginx in front of real autogql processes,
// promtool, amtool, helm with the rendered manifests decoded strictly into
// Kubernetes API types, actionlint with shellcheck, systemd-analyze. A tool
// that is missing skips its test, except under AUTOGQL_REQUIRE_SERVICES=1
// (what .ci/run sets and installs the tools for), where it fails.
package deploy
