// Package engine is the embeddable autogql pipeline: document cache (parse
// and validate) → plan cache (IR → SQL for the dialect) → one statement per
// root field → the response bytes the database built. It has no HTTP
// imports; internal/httpapi wraps it.
package engine
