package httpapi

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/engine"
)

var bodySeeds = []string{
	`{"query":"{ hello }"}`,
	` { "query" : "query Q($id: ID!) { post(id: $id) { id } }" , "variables" : {"id":"1","n":1.50,"l":[1,{"a":null}]}, "operationName":"Q" } `,
	`{"query":"{ a }","variables":null,"operationName":null,"extensions":null}`,
	`{"query":"{ a }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
	`{"query":"{ a }","variables":{}}`,
	`{"query":"é ü 😀"}`,
	`{"query":"a\"b"}`,
	`{"query":"a\nb"}`,
	"{\"query\":\"a\x01b\"}",
	"{\"query\":\"a\xffb\"}",
	`{"query":"a","query":"b"}`,
	`{"query":1}`,
	`{"query":null}`,
	`{"Query":"x"}`,
	`{"query":"x","other":[1,2]}`,
	`{"query":"x","variables":[1]}`,
	`{"query":"x","variables":{"a":}}`,
	`{"query":"x","variables":{"a":"}"}}`,
	`{"query":"x","variables":{"a":"\"}"}}`,
	`{"query":"x","extensions":{"a":tru}}`,
	`{"query":"x","operationName":nul}`,
	`{"query":"x","operationName":nullx}`,
	`{"query":"x"} {}`,
	`{"query":"x",}`,
	`{}`,
	``,
	`[]`,
	`{"query":"x"`,
	`{"query":"x","variables":{"a":1}}}`,
}

// TestDecodeBodyFastAgreesWithStrict checks the fast path on the seeds; the
// fuzz target extends it to arbitrary bodies.
func TestDecodeBodyFastAgreesWithStrict(t *testing.T) {
	fastHits := 0
	for _, body := range bodySeeds {
		if checkFastBody(t, []byte(body)) {
			fastHits++
		}
	}
	if fastHits < 6 {
		t.Errorf("fast path took %d seeds, want at least the 6 well-formed common ones", fastHits)
	}
}

func FuzzDecodeBody(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkFastBody(t, body) })
}

// checkFastBody fails when decodeBodyFast accepts a body that the strict
// path rejects or reads differently.
func checkFastBody(t *testing.T, body []byte) bool {
	t.Helper()
	var fast, strict engine.Request
	if !decodeBodyFast(body, &fast) {
		return false
	}
	if err := decodeBodyStrict(body, &strict); err != nil {
		t.Fatalf("fast path accepted %q; strict path says %v", body, err)
	}
	if diff := cmp.Diff(strict, fast); diff != "" {
		t.Fatalf("fast path read %q differently (-strict +fast):\n%s", body, diff)
	}
	return true
}
