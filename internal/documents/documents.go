// Package documents decides which GraphQL document a request runs, before
// the engine sees it: automatic persisted queries (Apollo's protocol, in
// extensions.persistedQuery) and trusted documents (an allow-list
// manifest; in enforced mode nothing else runs, except for bypass roles).
//
// It sits between the HTTP handler and the engine: internal/httpapi calls
// Resolve with the request's query text and extensions, and Register once
// a new persisted query has parsed and validated, so the store only ever
// holds documents the engine accepted.
package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/engine"
)

// Error codes of refused documents. PERSISTED_QUERY_NOT_FOUND is the
// Apollo protocol's (clients resend the full document on it); the others
// are from SPEC §2.5.
const (
	CodeNotFound     = "PERSISTED_QUERY_NOT_FOUND"
	CodeBadUserInput = "BAD_USER_INPUT"
	CodeForbidden    = "FORBIDDEN"
)

// Error is a refused request; Message is safe to show.
type Error struct {
	Code, Message string
}

func (e *Error) Error() string { return e.Message }

// Options configure a Resolver.
type Options struct {
	// APQ turns automatic persisted queries on.
	APQ bool
	// Store keeps persisted queries (memory or Redis, shared by replicas);
	// required for APQ.
	Store cache.Store
	// TTL of a persisted query in the store (default 24h; refreshed when
	// registered again).
	TTL time.Duration
	// Manifest holds the trusted documents by hash (see LoadManifest).
	Manifest map[string]string
	// Enforce refuses every document that is not in Manifest.
	Enforce bool
	// BypassRoles may send any document while Enforce is on.
	BypassRoles []string
}

// Resolver resolves documents. It is safe for concurrent use.
type Resolver struct{ opts Options }

// New returns a Resolver; it does no I/O.
func New(opts Options) (*Resolver, error) {
	if opts.APQ && opts.Store == nil {
		return nil, errors.New("documents: automatic persisted queries need a store")
	}
	if opts.Enforce && len(opts.Manifest) == 0 {
		return nil, errors.New("documents: trusted documents are enforced but the manifest is empty")
	}
	if opts.TTL <= 0 {
		opts.TTL = 24 * time.Hour
	}
	return &Resolver{opts: opts}, nil
}

// Resolved is the outcome of Resolve.
type Resolved struct {
	// Query is the document to run.
	Query string
	// Hash is set when the request registered a new persisted query: call
	// Register with it once the engine has accepted the document.
	Hash string
}

// Hash is the lowercase hex SHA-256 of a document, as APQ and manifests
// name documents.
func Hash(query string) string {
	h := sha256.Sum256([]byte(query))
	return hex.EncodeToString(h[:])
}

const storePrefix = "apq:"

// Resolve returns the document a request runs: its query text, or the
// persisted one its extensions name.
func (r *Resolver) Resolve(ctx context.Context, query string, ext map[string]any, id *engine.Identity) (Resolved, error) {
	bypass := r.bypass(id)
	raw, has := ext["persistedQuery"]
	if !has || raw == nil {
		if query != "" && r.opts.Enforce && !bypass {
			if _, ok := r.opts.Manifest[Hash(query)]; !ok {
				return Resolved{}, &Error{Code: CodeForbidden, Message: "this document is not a trusted document: only the operations in the manifest may run (send one of them, or its hash in extensions.persistedQuery)"}
			}
		}
		return Resolved{Query: query}, nil
	}
	pq, ok := raw.(map[string]any)
	if !ok {
		return Resolved{}, &Error{Code: CodeBadUserInput, Message: "extensions.persistedQuery must be an object with version and sha256Hash"}
	}
	if v := fmt.Sprint(pq["version"]); v != "1" {
		return Resolved{}, &Error{Code: CodeBadUserInput, Message: "extensions.persistedQuery.version must be 1"}
	}
	hash, _ := pq["sha256Hash"].(string)
	hash = strings.ToLower(hash)
	if len(hash) != 64 || strings.Trim(hash, "0123456789abcdef") != "" {
		return Resolved{}, &Error{Code: CodeBadUserInput, Message: "extensions.persistedQuery.sha256Hash must be 64 hex digits"}
	}
	if query != "" {
		if Hash(query) != hash {
			return Resolved{}, &Error{Code: CodeBadUserInput, Message: "provided sha does not match query"}
		}
		if r.opts.Enforce && !bypass {
			if _, ok := r.opts.Manifest[hash]; !ok {
				return Resolved{}, &Error{Code: CodeForbidden, Message: "this document is not a trusted document: only the operations in the manifest may run"}
			}
		}
		res := Resolved{Query: query}
		if r.opts.APQ {
			if _, ok := r.opts.Manifest[hash]; !ok {
				res.Hash = hash
			}
		}
		return res, nil
	}
	if q, ok := r.opts.Manifest[hash]; ok {
		return Resolved{Query: q}, nil
	}
	if !r.opts.APQ {
		return Resolved{}, &Error{Code: CodeBadUserInput, Message: "PersistedQueryNotSupported"}
	}
	if r.opts.Enforce && !bypass {
		return Resolved{}, &Error{Code: CodeNotFound, Message: "PersistedQueryNotFound"}
	}
	v, found, err := r.opts.Store.Get(ctx, storePrefix+hash)
	if err != nil || !found {
		// A store that is down is a miss: the client sends the document.
		return Resolved{}, &Error{Code: CodeNotFound, Message: "PersistedQueryNotFound"}
	}
	return Resolved{Query: string(v)}, nil
}

// Register stores a persisted query the engine accepted. Store failures
// are returned for logging; the request itself has been answered.
func (r *Resolver) Register(ctx context.Context, hash, query string) error {
	if !r.opts.APQ || hash == "" {
		return nil
	}
	return r.opts.Store.Set(ctx, storePrefix+hash, []byte(query), r.opts.TTL)
}

func (r *Resolver) bypass(id *engine.Identity) bool {
	if id == nil {
		return false
	}
	for _, role := range id.Roles {
		if slices.Contains(r.opts.BypassRoles, role) {
			return true
		}
	}
	return false
}

// LoadManifest reads a trusted-documents manifest: Apollo's persisted
// query manifest ({"format": "apollo-persisted-query-manifest",
// "operations": [{"id", "body", …}]}) or a JSON object of id → document
// (Relay, GraphQL Code Generator; ids may be "sha256:<hash>"). Every
// document is listed under the SHA-256 of its text, and under its id.
func LoadManifest(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	out, err := ParseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	return out, nil
}

// ParseManifest is LoadManifest on the file's contents.
func ParseManifest(b []byte) (map[string]string, error) {
	out := map[string]string{}
	add := func(id, body string) {
		out[Hash(body)] = body
		if id = strings.ToLower(strings.TrimPrefix(id, "sha256:")); id != "" {
			out[id] = body
		}
	}
	var apollo struct {
		Format     string `json:"format"`
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(b, &apollo); err == nil && apollo.Format != "" {
		if apollo.Format != "apollo-persisted-query-manifest" {
			return nil, fmt.Errorf("unknown manifest format %q", apollo.Format)
		}
		for i, op := range apollo.Operations {
			if op.Body == "" {
				return nil, fmt.Errorf("operation %d has no body", i)
			}
			add(op.ID, op.Body)
		}
	} else {
		var m map[string]string
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&m); err != nil {
			return nil, errors.New("want an apollo-persisted-query-manifest or a JSON object of id → document")
		}
		for id, body := range m {
			add(id, body)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the manifest lists no document")
	}
	return out, nil
}
