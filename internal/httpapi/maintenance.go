package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// codeMaintenance is the error code of requests refused during maintenance.
const codeMaintenance = "MAINTENANCE"

// Maintenance is the maintenance mode as the handler needs it (the
// maintenance package's Watcher provides it; this package does not
// import it).
type Maintenance struct {
	// On refuses every request but the health endpoints with 503.
	On bool
	// ReadOnly (with On) refuses mutations only.
	ReadOnly bool
	// Message is the error message; RetryAfter the Retry-After seconds.
	Message    string
	RetryAfter int
}

// exemptFromMaintenance lists what keeps answering in full maintenance:
// probes and the health report (so orchestrators do not restart healthy
// instances), and metrics.
func exemptFromMaintenance(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || strings.HasPrefix(path, "/health/")
}

// maintenanceRefuses answers 503 MAINTENANCE when full maintenance is on
// and the request is not exempt. It reports whether it answered.
func (h *Handler) maintenanceRefuses(w http.ResponseWriter, r *http.Request) bool {
	if h.opts.Maintenance == nil {
		return false
	}
	m := h.opts.Maintenance()
	if !m.On || m.ReadOnly || exemptFromMaintenance(r.URL.Path) {
		return false
	}
	refuseMaintenance(w, r, negotiate(r.Header.Values("Accept")), m)
	return true
}

func refuseMaintenance(w http.ResponseWriter, r *http.Request, media mediaType, m Maintenance) {
	if m.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(m.RetryAfter))
	}
	writeError(w, r, http.StatusServiceUnavailable, media, codeMaintenance, m.Message)
}

// readOnlyRefuses answers 503 MAINTENANCE for a mutation while read-only
// maintenance is on. The document is parsed only in that mode; a document
// that does not parse is left to the engine's error.
func (h *Handler) readOnlyRefuses(w http.ResponseWriter, r *http.Request, media mediaType, query, operationName string) bool {
	if h.opts.Maintenance == nil {
		return false
	}
	m := h.opts.Maintenance()
	if !m.On || !m.ReadOnly {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return false
	}
	for _, op := range doc.Operations {
		if (operationName == "" || op.Name == operationName) && op.Operation != ast.Query {
			refuseMaintenance(w, r, media, m)
			return true
		}
	}
	return false
}
