package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader carries the request ID in both directions.
const RequestIDHeader = "X-Request-ID"

// canonicalRequestIDHeader is the http.Header map key of RequestIDHeader.
var canonicalRequestIDHeader = http.CanonicalHeaderKey(RequestIDHeader)

type requestIDKey struct{}

// RequestID returns the ID the handler gave the request: the caller's
// X-Request-ID when valid, else a generated one. It is "" outside a request
// served by Handler.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID accepts an incoming ID of 1 to 64 characters from
// [A-Za-z0-9._-], so it can be logged and echoed without escaping.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// newRequestID returns 128 random bits as 32 hex digits.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
