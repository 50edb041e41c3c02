package engine

// Request is one GraphQL request as received over HTTP or from a library caller.
type Request struct {
	Query         string
	OperationName string
	// Variables as decoded from JSON with json.Decoder.UseNumber.
	Variables map[string]any
	// ReadOnly refuses mutations (GraphQL over HTTP GET).
	ReadOnly bool
	// RequestID is echoed in error extensions.
	RequestID string
	// Identity is the authenticated caller; nil is anonymous.
	Identity *Identity
	// Extensions is the request's "extensions" object (persisted query
	// hashes and the like), decoded with json.Decoder.UseNumber. The
	// transport resolves what it understands before Execute; the engine
	// does not read it.
	Extensions map[string]any
}

// Outcome classifies a response for the transport.
type Outcome int

// Outcomes.
const (
	// OutcomeOK: data and no errors.
	OutcomeOK Outcome = iota
	// OutcomeRequestError: the request could not be executed (parse or
	// validation failure, unknown operation, bad variables); the body has
	// "errors" and no "data".
	OutcomeRequestError
	// OutcomeFieldError: execution started; the body has "data" (possibly
	// null) and "errors".
	OutcomeFieldError
	// OutcomeMutationNotAllowed: a mutation arrived on a ReadOnly request.
	OutcomeMutationNotAllowed
)

// Result describes what Execute wrote.
type Result struct {
	Outcome Outcome
	// OperationType is "query", "mutation" or "" when unknown.
	OperationType string
	// OperationName is the executed operation's name ("" when anonymous).
	OperationName string
	// Rejected is set when a limit refused the request (before any SQL).
	Rejected bool
	// ErrorCode is the extensions.code of the first error ("" without
	// errors), for logs and metrics.
	ErrorCode string
	// Depth and Cost are the document's measures (see Limits); zero for a
	// document that did not validate.
	Depth, Cost int
	// Denied is the message of a FORBIDDEN error (which model or field,
	// which role), for the audit log; "" otherwise.
	Denied string
}
