package engine

import "github.com/autogql/autogql/internal/gqlschema"

// WithSchema returns a new engine serving schema on the same database with
// the same options (serve --watch builds one per models change). Its
// caches start empty: documents and plans belong to one schema.
func (e *Engine) WithSchema(schema *gqlschema.Schema) *Engine {
	return New(e.db, schema, e.opts)
}
