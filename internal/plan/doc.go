// Package plan turns a validated GraphQL operation into a dialect-neutral
// plan: for each root field the rows to read (model, conditions, order,
// limits, nested relations and counts) and the parameters to bind. It sits
// between the engine (which caches plans) and sqlgen (which renders a plan
// as SQL for a dialect). No value from a request ever becomes SQL text: the
// plan holds parameter producers that read the request's variables.
package plan
