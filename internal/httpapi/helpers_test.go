package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
)

func jsonNumber(s string) json.Number { return json.Number(s) }

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
