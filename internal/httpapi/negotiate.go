package httpapi

import (
	"strconv"
	"strings"
)

// mediaType is a response media type the GraphQL endpoint can produce.
type mediaType int

const (
	mediaNone mediaType = iota
	// mediaGraphQLResponse is application/graphql-response+json: request
	// errors get 4xx status codes.
	mediaGraphQLResponse
	// mediaJSON is application/json, kept for legacy clients: every
	// well-formed request gets 200.
	mediaJSON
)

func (m mediaType) contentType() string {
	return m.contentTypeHeader()[0]
}

// Header values of the hot path, shared to save an allocation per header
// per response. net/http only reads them; Header.Add appends to a copy
// because each slice is at capacity.
var (
	graphQLResponseContentType = []string{"application/graphql-response+json; charset=utf-8"}
	jsonContentType            = []string{"application/json; charset=utf-8"}
	noStore                    = []string{"no-store"}
	nosniff                    = []string{"nosniff"}
)

func (m mediaType) contentTypeHeader() []string {
	if m == mediaGraphQLResponse {
		return graphQLResponseContentType
	}
	return jsonContentType
}

// acceptRange is the match of one candidate media type against an Accept
// header: the quality of the most specific range that matches it (RFC 9110
// §12.5.1) and how specific that range was.
type acceptRange struct {
	q           float64
	specificity int // 0 none, 1 */*, 2 type/*, 3 type/subtype
}

// accepts evaluates the Accept header values for one media type.
func accepts(values []string, typ, subtype string) acceptRange {
	var best acceptRange
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			rng, params, _ := strings.Cut(part, ";")
			rt, rs, ok := strings.Cut(strings.TrimSpace(rng), "/")
			if !ok {
				continue
			}
			rt, rs = strings.TrimSpace(rt), strings.TrimSpace(rs)
			spec := 0
			switch {
			case rt == "*" && rs == "*":
				spec = 1
			case strings.EqualFold(rt, typ) && rs == "*":
				spec = 2
			case strings.EqualFold(rt, typ) && strings.EqualFold(rs, subtype):
				spec = 3
			default:
				continue
			}
			q, charsetOK := acceptParams(params)
			if !charsetOK || spec < best.specificity {
				continue
			}
			if spec > best.specificity || q > best.q {
				best = acceptRange{q: q, specificity: spec}
			}
		}
	}
	return best
}

// acceptParams reads the q and charset parameters of an Accept element. Only
// UTF-8 is produced, so a range asking for another charset does not match.
func acceptParams(params string) (q float64, charsetOK bool) {
	q, charsetOK = 1, true
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		switch {
		case strings.EqualFold(k, "q"):
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				f = 0
			}
			q = f
		case strings.EqualFold(k, "charset"):
			charsetOK = strings.EqualFold(v, "utf-8") || strings.EqualFold(v, "utf8")
		}
	}
	return q, charsetOK
}

// negotiate picks the response media type for the Accept header values, or
// mediaNone when the client accepts neither.
//
// No Accept header means application/graphql-response+json: the
// GraphQL-over-HTTP legacy watershed (1 January 2025) has passed. When both
// types are acceptable the higher quality wins; at equal quality the one
// named explicitly wins, and application/graphql-response+json when both are
// named, while a bare wildcard (*/*, as curl and fetch send) keeps legacy
// clients on application/json.
func negotiate(values []string) mediaType {
	if !hasValue(values) {
		return mediaGraphQLResponse
	}
	gr := accepts(values, "application", "graphql-response+json")
	js := accepts(values, "application", "json")
	if gr.specificity == 0 || gr.q <= 0 {
		gr = acceptRange{}
	}
	if js.specificity == 0 || js.q <= 0 {
		js = acceptRange{}
	}
	switch {
	case gr.specificity == 0 && js.specificity == 0:
		return mediaNone
	case gr.q != js.q:
		if gr.q > js.q {
			return mediaGraphQLResponse
		}
		return mediaJSON
	case gr.specificity == 3:
		return mediaGraphQLResponse
	default:
		return mediaJSON
	}
}

// wantsHTML reports whether the client (a browser) names text/html at least
// as strongly as any GraphQL media type it names.
func wantsHTML(values []string) bool {
	html := accepts(values, "text", "html")
	if html.specificity != 3 || html.q <= 0 {
		return false
	}
	for _, sub := range [...]string{"graphql-response+json", "json"} {
		if m := accepts(values, "application", sub); m.specificity == 3 && m.q > html.q {
			return false
		}
	}
	return true
}

func hasValue(values []string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// isJSONContentType reports whether a request Content-Type is
// application/json with no charset or UTF-8.
func isJSONContentType(v string) bool {
	mt, params, _ := strings.Cut(v, ";")
	if !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
		return false
	}
	for p := range strings.SplitSeq(params, ";") {
		k, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "charset") {
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !strings.EqualFold(val, "utf-8") && !strings.EqualFold(val, "utf8") {
				return false
			}
		}
	}
	return true
}
