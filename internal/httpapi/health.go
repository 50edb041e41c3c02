package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// readyTimeout bounds one readiness check, so a hung dependency turns into
// "not ready" rather than a hung probe.
const readyTimeout = 5 * time.Second

func writeStatus(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// serveHealthz is liveness: the process is serving HTTP.
func (h *Handler) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	writeStatus(w, http.StatusOK, `{"status":"ok"}`)
}

// serveReadyz is readiness, as Options.Ready reports it. The reason for
// "unavailable" goes to the log, not to the (possibly public) caller.
func (h *Handler) serveReadyz(w http.ResponseWriter, r *http.Request) {
	if h.opts.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := h.opts.Ready(ctx); err != nil {
			h.log.InfoContext(ctx, "not ready", "err", err, "request_id", RequestID(ctx))
			writeStatus(w, http.StatusServiceUnavailable, `{"status":"unavailable"}`)
			return
		}
	}
	writeStatus(w, http.StatusOK, `{"status":"ok"}`)
}

// serveSchema answers GET /schema.graphql with the SDL. The ETag lets
// tools poll it cheaply.
func (h *Handler) serveSchema(w http.ResponseWriter, r *http.Request) {
	sdl := h.exec.SDL()
	sum := sha256.Sum256([]byte(sdl))
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(sdl))
}
