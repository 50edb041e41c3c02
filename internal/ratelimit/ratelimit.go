// Package ratelimit holds the request budgets of SPEC §6: a token bucket
// per client IP, per user or API key, and a separate one for logins. Each
// budget is a rate and a burst, kept with GCRA (the generic cell rate
// algorithm: one stored "theoretical arrival time" per key, equivalent to
// a token bucket). Buckets live in memory for one instance, or in Redis,
// updated by one Lua script, so that every replica draws from the same
// budget.
//
// It sits in front of the engine: internal/httpapi asks before reading a
// request body (IP), after authentication (user) and on login.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Limit is a budget: Rate requests per second on average, Burst at once.
type Limit struct {
	Rate  float64
	Burst int
}

// Zero reports a limit that allows everything.
func (l Limit) Zero() bool { return l.Rate <= 0 }

// interval is the time one request "costs".
func (l Limit) interval() time.Duration {
	return time.Duration(float64(time.Second) / l.Rate)
}

// tolerance is how far ahead of now the bucket may run (the burst).
func (l Limit) tolerance() time.Duration {
	return time.Duration(max(l.Burst, 1)) * l.interval()
}

// ParseLimit reads "N/s", "N/m" or "N/h" (N may be fractional) with a
// burst; "" or "0" is no limit. A burst of 0 means the rate's count.
func ParseLimit(rate string, burst int) (Limit, error) {
	rate = strings.TrimSpace(rate)
	if rate == "" || rate == "0" {
		return Limit{}, nil
	}
	n, unit, ok := strings.Cut(rate, "/")
	v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	if !ok || err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return Limit{}, fmt.Errorf("rate %q: want N/s, N/m or N/h", rate)
	}
	var per float64
	switch strings.TrimSpace(unit) {
	case "s", "sec", "second":
		per = 1
	case "m", "min", "minute":
		per = 60
	case "h", "hour":
		per = 3600
	default:
		return Limit{}, fmt.Errorf("rate %q: the unit is s, m or h", rate)
	}
	if burst < 0 {
		return Limit{}, fmt.Errorf("burst %d must not be negative", burst)
	}
	if burst == 0 {
		burst = max(int(math.Ceil(v)), 1)
	}
	return Limit{Rate: v / per, Burst: burst}, nil
}

// Decision is the answer for one request.
type Decision struct {
	Allowed bool
	// RetryAfter is when the next request would be allowed (refusals).
	RetryAfter time.Duration
}

// Limiter draws one request from the bucket of key.
type Limiter interface {
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}

// ErrUnavailable wraps failures of a shared store.
var ErrUnavailable = errors.New("rate limit store unavailable")
