// Package httpapi is autogql's HTTP surface for GraphQL: the endpoint at
// /graphql and /graphql/ speaking GraphQL over HTTP (POST with a JSON body,
// GET with URL parameters; application/graphql-response+json and
// application/json responses with the specification's status codes), the
// embedded GraphiQL IDE, /schema.graphql, and the /healthz and /readyz probes.
//
// It is the first stage of the request flow: it turns an HTTP request into an
// engine.Request, hands it to an Executor (the engine) and writes the bytes
// the engine produced straight to the client, without decoding them. The
// composition root (internal/server) mounts Handler and wraps it with
// cross-cutting middleware (CORS, rate limits, metrics).
package httpapi
