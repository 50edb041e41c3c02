package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/autogql/autogql/internal/audit"
	"github.com/autogql/autogql/internal/auth"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/introspection"
)

// AccountsPath is where the built-in users' operations are served: a
// small GraphQL schema of its own (login, register, refresh_token, logout,
// me), kept apart from the generated API so that the generated schema stays
// exactly what the models file describes (SPEC §2) and /graphql/<name>/
// stays free for named schemas (SPEC §2.6).
const AccountsPath = "/auth/graphql"

// accountsSDL is the schema of AccountsPath; register is left out unless
// registration is on.
const accountsSDL = `
"The caller of a request."
type Me {
  "The user id rules read as $user.id; null for an anonymous caller."
  id: ID
  "The built-in user's name; null for other credentials."
  username: String
  "The caller's roles (authenticated or anonymous when it has no named role)."
  roles: [String!]!
}

type FieldError {
  field: String
  message: String!
  code: String!
}

type AuthPayload {
  ok: Boolean!
  "A short-lived JWT for Authorization: Bearer."
  access_token: String
  token_type: String
  "Seconds until access_token expires."
  expires_in: Int
  "An opaque token for refresh_token; it works once (each use returns a new one)."
  refresh_token: String
  user: Me
  errors: [FieldError!]!
}

type LogoutPayload {
  ok: Boolean!
}

type Query {
  "Who the request's credentials say the caller is."
  me: Me!
}

type Mutation {
  "Checks a password and starts a session."
  login(username: String!, password: String!): AuthPayload!
%s  "Trades a refresh token for new tokens; a used refresh token ends its session."
  refresh_token(refresh_token: String!): AuthPayload!
  "Ends the session of a refresh token."
  logout(refresh_token: String!): LogoutPayload!
}
`

const registerSDL = `  "Creates a user and starts a session."
  register(username: String!, password: String!): AuthPayload!
`

// Accounts serves the built-in users' operations.
type Accounts struct {
	users         *auth.Users
	register      bool
	introspection bool
	schema        *ast.Schema
}

// NewAccounts returns the accounts endpoint over users; register offers
// self-registration, introspection answers __schema and __type.
func NewAccounts(users *auth.Users, register, introspection bool) (*Accounts, error) {
	reg := ""
	if register {
		reg = registerSDL
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "accounts.graphql", Input: fmt.Sprintf(accountsSDL, reg)})
	if err != nil {
		return nil, fmt.Errorf("accounts schema: %w", err)
	}
	return &Accounts{users: users, register: register, introspection: introspection, schema: s}, nil
}

// serveAccounts answers AccountsPath: GraphQL over HTTP like /graphql/,
// through the same guard (IP budget, authentication for me), with logins
// drawing from their own budget.
func (h *Handler) serveAccounts(w http.ResponseWriter, r *http.Request) {
	var req engine.Request
	r, media, id, ok := h.readRequest(w, r, &req)
	if !ok {
		return
	}
	if req.Query == "" {
		writeError(w, r, http.StatusBadRequest, media, codeBadUserInput, `request has no "query"`)
		return
	}
	a := h.opts.Accounts
	doc, gerr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if gerr != nil {
		h.accountsRequestError(w, r, media, gerr, engine.CodeParseFailed)
		return
	}
	if errs := validator.Validate(a.schema, doc); len(errs) > 0 {
		h.accountsRequestError(w, r, media, errs, engine.CodeValidationFailed)
		return
	}
	var op *ast.OperationDefinition
	if req.OperationName == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	} else {
		op = doc.Operations.ForName(req.OperationName)
	}
	if op == nil {
		writeError(w, r, http.StatusBadRequest, media, codeBadUserInput, "say which operation to run with operationName")
		return
	}
	if req.ReadOnly && op.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeError(w, r, http.StatusMethodNotAllowed, media, codeBadUserInput, "only queries are allowed over GET; send mutations with POST")
		return
	}
	vars, gerr := validator.VariableValues(a.schema, op, req.Variables)
	if gerr != nil {
		h.accountsRequestError(w, r, media, gerr, engine.CodeBadUserInput)
		return
	}
	if op.Operation == ast.Mutation && !h.allow(w, r, media, "login", "login:"+ClientIP(r.Context()), h.opts.RateLimits.Login, id) {
		return
	}
	out, err := h.runAccounts(r.Context(), a, op, vars, id, RequestID(r.Context()))
	if err != nil {
		h.log.ErrorContext(r.Context(), "accounts operation failed", "err", err, "request_id", RequestID(r.Context()))
		writeError(w, r, http.StatusInternalServerError, media, codeInternal, "internal server error")
		return
	}
	hdr := w.Header()
	hdr["Content-Type"] = media.contentTypeHeader()
	hdr["Cache-Control"] = noStore
	hdr.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func (h *Handler) accountsRequestError(w http.ResponseWriter, r *http.Request, media mediaType, err error, code string) {
	var list gqlerror.List
	var one *gqlerror.Error
	msg := err.Error()
	switch {
	case errors.As(err, &list) && len(list) > 0:
		msg = list[0].Message
	case errors.As(err, &one):
		msg = one.Message
	}
	status := http.StatusOK
	if media == mediaGraphQLResponse {
		status = http.StatusBadRequest
	}
	writeError(w, r, status, media, code, msg)
}

// accountsError is a field error of an accounts operation.
type accountsError struct {
	Message    string            `json:"message"`
	Path       []string          `json:"path"`
	Extensions map[string]string `json:"extensions"`
}

// runAccounts executes a validated operation of the accounts schema.
func (h *Handler) runAccounts(ctx context.Context, a *Accounts, op *ast.OperationDefinition, vars map[string]any, id *engine.Identity, requestID string) ([]byte, error) {
	data := []byte{'{'}
	var errs []accountsError
	failed := false
	for i, f := range collectFields(op.SelectionSet, vars) {
		if i > 0 {
			data = append(data, ',')
		}
		data = appendJSONString(data, f.Alias)
		data = append(data, ':')
		var value any
		var err error
		switch f.Name {
		case "__typename":
			value = string(op.Operation)
			if op.Operation == ast.Query {
				value = "Query"
			} else {
				value = "Mutation"
			}
		case "__schema", "__type":
			if !a.introspection {
				errs = append(errs, accountsError{Message: "introspection is disabled", Path: []string{f.Alias}, Extensions: map[string]string{"code": engine.CodeValidationFailed, "request_id": requestID}})
				failed = true
				continue
			}
			data, err = introspection.Append(data, a.schema, f, vars)
			if err != nil {
				return nil, err
			}
			continue
		case "me":
			value = meObject(id, "")
		default:
			value, err = h.accountsMutation(ctx, a, f, vars, id, requestID)
		}
		if err != nil {
			var ue *userError
			if !errors.As(err, &ue) {
				return nil, err
			}
			errs = append(errs, accountsError{Message: ue.msg, Path: []string{f.Alias}, Extensions: map[string]string{"code": ue.code, "request_id": requestID}})
			failed = true
			continue
		}
		data = appendSelection(data, value, f.SelectionSet, vars)
	}
	data = append(data, '}')
	var out []byte
	out = append(out, '{')
	if len(errs) > 0 {
		b, _ := json.Marshal(errs)
		out = append(out, `"errors":`...)
		out = append(out, b...)
		out = append(out, ',')
	}
	out = append(out, `"data":`...)
	if failed {
		// Every root field is non-null: one failure nulls the data.
		out = append(out, "null"...)
	} else {
		out = append(out, data...)
	}
	return append(out, '}'), nil
}

// userError is an accounts failure the client is told about.
type userError struct{ code, msg string }

func (e *userError) Error() string { return e.msg }

func unauthenticated(msg string) error { return &userError{code: codeUnauthenticated, msg: msg} }

// object is an ordered-by-lookup result object: field name → value.
type object map[string]any

func meObject(id *engine.Identity, username string) object {
	if id == nil {
		return object{"__typename": "Me", "id": nil, "username": nil, "roles": []string{"anonymous"}}
	}
	roles := id.Roles
	if len(roles) == 0 {
		roles = []string{"authenticated"}
	}
	o := object{"__typename": "Me", "id": id.ID, "roles": roles, "username": nil}
	if u, ok := id.Claims["username"].(string); ok {
		o["username"] = u
	}
	if username != "" {
		o["username"] = username
	}
	return o
}

func (h *Handler) accountsMutation(ctx context.Context, a *Accounts, f *ast.Field, vars map[string]any, id *engine.Identity, requestID string) (any, error) {
	args := f.ArgumentMap(vars)
	str := func(name string) string { s, _ := args[name].(string); return s }
	ev := func(name, actor, detail string) {
		h.security(ctx, audit.Event{Event: name, Actor: actor, RequestID: requestID, Detail: detail})
	}
	var tok auth.Tokens
	var err error
	switch f.Name {
	case "login":
		tok, err = a.users.Login(ctx, str("username"), str("password"))
		var locked *auth.LockedError
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			ev(audit.LoginFailure, "", "username "+strconv.Quote(truncate(str("username"), 150)))
			return nil, unauthenticated(err.Error())
		case errors.As(err, &locked):
			ev(audit.LoginLocked, "", "username "+strconv.Quote(truncate(str("username"), 150)))
			return nil, unauthenticated(err.Error())
		case err != nil:
			return nil, err
		}
		ev(audit.LoginSuccess, tok.User.ID, "")
	case "register":
		tok, err = a.users.Register(ctx, str("username"), str("password"))
		var in *auth.InputError
		if errors.As(err, &in) {
			return object{"__typename": "AuthPayload", "ok": false, "errors": []object{{"__typename": "FieldError", "field": in.Field, "message": in.Message, "code": in.Code}}}, nil
		}
		if err != nil {
			return nil, err
		}
		ev(audit.Register, tok.User.ID, "")
	case "refresh_token":
		tok, err = a.users.Refresh(ctx, str("refresh_token"))
		switch {
		case errors.Is(err, auth.ErrRefreshReused):
			ev(audit.RefreshReused, "", "the session's refresh tokens were revoked")
			return nil, unauthenticated(err.Error())
		case errors.Is(err, auth.ErrRefreshInvalid):
			return nil, unauthenticated(err.Error())
		case err != nil:
			return nil, err
		}
	case "logout":
		ok, err := a.users.Logout(ctx, str("refresh_token"))
		if err != nil {
			return nil, err
		}
		actor, _ := audit.Actor(id)
		ev(audit.Logout, actor, "")
		return object{"__typename": "LogoutPayload", "ok": ok}, nil
	default:
		return nil, fmt.Errorf("accounts: unknown field %q", f.Name)
	}
	user := meObject(&engine.Identity{ID: tok.User.ID, Roles: tok.User.Roles}, tok.User.Username)
	return object{
		"__typename": "AuthPayload", "ok": true, "access_token": tok.AccessToken, "token_type": "Bearer",
		"expires_in": int(tok.ExpiresIn / time.Second), "refresh_token": tok.RefreshToken, "user": user, "errors": []object{},
	}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// collectFields flattens a selection set (fragments, @skip, @include).
// Fields with one response key are merged: their sub-selections combine.
func collectFields(set ast.SelectionSet, vars map[string]any) []*ast.Field {
	var out []*ast.Field
	index := map[string]int{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			var dirs ast.DirectiveList
			switch s := s.(type) {
			case *ast.Field:
				dirs = s.Directives
			case *ast.InlineFragment:
				dirs = s.Directives
			case *ast.FragmentSpread:
				dirs = s.Directives
			}
			if !included(dirs, vars) {
				continue
			}
			switch s := s.(type) {
			case *ast.Field:
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if i, ok := index[key]; ok {
					merged := *out[i]
					merged.SelectionSet = append(append(ast.SelectionSet{}, merged.SelectionSet...), s.SelectionSet...)
					out[i] = &merged
					continue
				}
				f := *s
				f.Alias = key
				index[key] = len(out)
				out = append(out, &f)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return out
}

func included(dirs ast.DirectiveList, vars map[string]any) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := d.ArgumentMap(vars)["if"].(bool)
		if d.Name == "skip" && v || d.Name == "include" && !v {
			return false
		}
	}
	return true
}

// appendSelection writes value shaped by the selection set.
func appendSelection(dst []byte, value any, set ast.SelectionSet, vars map[string]any) []byte {
	switch v := value.(type) {
	case object:
		dst = append(dst, '{')
		for i, f := range collectFields(set, vars) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, f.Alias)
			dst = append(dst, ':')
			dst = appendSelection(dst, v[f.Name], f.SelectionSet, vars)
		}
		return append(dst, '}')
	case []object:
		dst = append(dst, '[')
		for i, o := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendSelection(dst, o, set, vars)
		}
		return append(dst, ']')
	}
	b, err := json.Marshal(value)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}
