// Package server is the composition root: it loads the models, opens the
// database, prepares tables in development, builds the engine and the HTTP
// handler, and runs the listener until its context ends, then shuts down in
// order (stop accepting, finish in-flight requests, close the database).
package server
