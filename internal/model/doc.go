// Package model is the declared data model and the loader of models.yaml.
//
// It is the bottom of autogql's data flow: every other package (schema
// generation, planning, SQL generation, migrations, the server) reads the
// *Schema that Load or Parse returns, and this package imports nothing
// internal. A Schema is validated and fully resolved before anyone sees
// it: database names (tables, columns, join tables) follow Django's
// conventions, API names (Singular, Plural) are computed, relations point
// at their target models and every model lists its Edges, forward and
// reverse. A file with problems yields no Schema, only an error listing
// every problem as "file:line:col: message".
//
// Files: load.go decodes the file and meta options, field.go the field
// options, value.go checks literal values (defaults, choices), validate.go
// checks each field on its own and resolve.go everything that spans
// models. naming.go and plural.go hold the name conventions, and
// jsonschema.go the JSON Schema editors use to check a models file.
package model
