// Package write performs the writes of mutations: it decodes create and
// update inputs, validates them against the model (reporting every failing
// field at once as FieldErrors with stable codes), and runs INSERT, UPDATE
// and DELETE statements, nested writes and many-to-many links inside the
// caller's transaction. The engine owns the transaction and reads the
// written rows back through the read path for the payload.
package write
