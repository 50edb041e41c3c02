// Package introspection answers GraphQL introspection (the __schema and
// __type root fields) straight from a gqlparser *ast.Schema, writing the
// JSON by hand into a caller's buffer.
//
// It sits beside the engine in the request flow: after the document cache has
// parsed and validated an operation, the engine hands each introspection root
// field to Append instead of planning SQL for it, and splices the bytes into
// the response it is building. The output follows the October 2021 GraphQL
// specification plus the additions gqlparser's prelude declares and graphql-js
// 16 understands (isOneOf, includeDeprecated on arguments and input fields), so
// graphql-js buildClientSchema and validateSchema accept it for any schema.
//
// What is advertised matches what the server implements: the directives
// @include, @skip, @deprecated and @specifiedBy always, @oneOf only when an
// input object uses it, the schema's own directives, and never @defer or
// @stream. Built-in scalars Int, Float and ID appear only when something
// references them, as in graphql-js.
package introspection
