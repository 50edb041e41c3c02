package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

const authzSynopsis = `authz explain --role ROLE [--user-id ID] [--claim name=value] --query FILE [--operation NAME] [--variables JSON] [--models M1,M2]

Prints, for a caller with ROLE (anonymous, authenticated or a named role),
the rules that apply to every model the query touches (or to --models) and
the SQL each root field compiles to, with the values it binds. Nothing is
run. Exit status 1 when the role may not make the request, with the reason.`

func runAuthz(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("authz", authzSynopsis, stderr)
	c := addCommon(fs)
	role := fs.String("role", "", "the caller's role: anonymous, authenticated or a role of the models file")
	userID := fs.String("user-id", "", "the caller's id ($user.id)")
	queryFile := fs.String("query", "", "file holding the GraphQL document (- for stdin)")
	opName := fs.String("operation", "", "the operation to explain when the document has several")
	varsJSON := fs.String("variables", "", "the variables as a JSON object")
	var claims multiFlag
	fs.Var(&claims, "claim", "a further identity value, name=value ($user.name); repeatable")
	// --models is the models file for every command; the model filter is
	// --only (and --models M1,M2 is read as a filter when it names no file).
	only := fs.String("only", "", "comma-separated models whose rules to print (default: those the query touches)")
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "explain" || fs.NArg() != 0 || *role == "" || *queryFile == "" {
		fs.Usage()
		return fmt.Errorf("want explain --role ROLE --query FILE: %w", errUsage)
	}
	var filter []string
	if *only != "" {
		filter = splitComma(*only)
	}
	// "--models Post,Comment": a comma list that is not a file filters
	// models, as the synopsis spells it.
	named := modelFilter(c.models)
	if named {
		filter = append(filter, splitComma(c.models)...)
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if named { // the models file is then AUTOGQL_MODELS or the default
		if c.models = os.Getenv("AUTOGQL_MODELS"); c.models == "" {
			c.models = "models.yaml"
		}
	}
	var src []byte
	if *queryFile == "-" {
		src, err = io.ReadAll(os.Stdin)
	} else {
		src, err = os.ReadFile(*queryFile)
	}
	if err != nil {
		return err
	}
	req := &engine.Request{Query: string(src), OperationName: *opName}
	if *varsJSON != "" {
		if err := json.Unmarshal([]byte(*varsJSON), &req.Variables); err != nil {
			return fmt.Errorf("--variables: %v: %w", err, errUsage)
		}
	}
	if *role != model.RoleAnonymous {
		id := &engine.Identity{ID: *userID, Claims: map[string]any{}}
		if *role != model.RoleAuthenticated {
			id.Roles = []string{*role}
		}
		for _, kv := range claims {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("--claim %q: want name=value: %w", kv, errUsage)
			}
			id.Claims[k] = v
		}
		req.Identity = id
	}
	ms, err := model.Load(c.models)
	if err != nil {
		return err
	}
	if *role != model.RoleAnonymous && *role != model.RoleAuthenticated && ms.Roles[*role] == nil {
		return fmt.Errorf("role %q is not declared under roles in %s: %w", *role, c.models, errUsage)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{MaxPageSize: cfg.GraphQL.MaxPageSize})
	if err != nil {
		return err
	}
	d := database.SQLite
	if cfg.Database.IsPostgres() {
		d = database.Postgres
	}
	eng := engine.New(nil, g, engine.Options{ClosedByDefault: cfg.Security.ClosedByDefault})
	ex, exErr := eng.Explain(ctx, req, d)
	if exErr != nil && !errors.Is(exErr, engine.ErrExplain) {
		return exErr
	}
	roles := g.Roles(identityRoles(req.Identity))
	if ex != nil {
		roles = ex.Roles
	}
	fmt.Fprintf(stdout, "roles: %s (with inherited ones)\n", strings.Join(roles, ", "))
	fmt.Fprintf(stdout, "environment: %s (models without rules are %s)\n", cfg.Env, map[bool]string{true: "closed", false: "open"}[cfg.Security.ClosedByDefault])
	touched := filter
	if len(touched) == 0 && ex != nil {
		touched = ex.Models
	}
	if len(touched) == 0 {
		for _, m := range ms.Models {
			touched = append(touched, m.Name)
		}
	}
	for _, name := range touched {
		m := ms.Model(name)
		if m == nil {
			return fmt.Errorf("no model %q in %s: %w", name, c.models, errUsage)
		}
		printRules(stdout, ms, m, roles, cfg.Security.ClosedByDefault)
	}
	if exErr != nil {
		fmt.Fprintf(stdout, "\ndenied: %s\n", exErr)
		return &exitError{code: exitFail}
	}
	for _, r := range ex.Roots {
		fmt.Fprintf(stdout, "\n-- %s (%s)\n", r.Key, r.Kind)
		if r.Guard != "" {
			fmt.Fprintf(stdout, "-- row guard (the row must pass the role's filter to be written):\n%s;\n", r.Guard)
		}
		if r.SQL != "" {
			if r.Kind == "mutation" {
				fmt.Fprintln(stdout, "-- payload read:")
			}
			fmt.Fprintf(stdout, "%s;\n", r.SQL)
			if len(r.Params) > 0 {
				b, _ := json.Marshal(r.Params)
				fmt.Fprintf(stdout, "-- params: %s\n", b)
			}
		}
	}
	return nil
}

// modelFilter reports a --models value that names models rather than a
// models file: a comma list, or a name that is neither a file nor ends
// in .yaml/.yml.
func modelFilter(v string) bool {
	if v == "" || strings.HasSuffix(v, ".yaml") || strings.HasSuffix(v, ".yml") {
		return false
	}
	_, err := os.Stat(v)
	return err != nil
}

func identityRoles(id *engine.Identity) []string {
	if id == nil {
		return []string{model.RoleAnonymous}
	}
	return append([]string{model.RoleAuthenticated}, id.Roles...)
}

// printRules prints what roles may do with m.
func printRules(w io.Writer, ms *model.Schema, m *model.Model, roles []string, closed bool) {
	fmt.Fprintf(w, "\nmodel %s (table %s):\n", m.Name, m.Table)
	if len(m.Meta.Permissions) == 0 {
		if closed {
			fmt.Fprintln(w, "  no meta.permissions: closed to every role here")
		} else {
			fmt.Fprintln(w, "  no meta.permissions: open to every role here (closed in production)")
		}
		return
	}
	any := false
	names := make([]string, 0, len(m.Meta.Permissions))
	for r := range m.Meta.Permissions {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, r := range names {
		if !slices.Contains(roles, r) {
			continue
		}
		any = true
		p := m.Meta.Permissions[r]
		fmt.Fprintf(w, "  role %s:\n", r)
		for _, op := range []struct {
			name string
			rule *model.Rule
		}{{"read", p.Read}, {"create", p.Create}, {"update", p.Update}, {"delete", p.Delete}} {
			if op.rule == nil {
				fmt.Fprintf(w, "    %-7s denied\n", op.name)
				continue
			}
			var parts []string
			if op.rule.Filter != nil {
				b, _ := json.Marshal(op.rule.Filter)
				parts = append(parts, "filter "+string(b))
			} else {
				parts = append(parts, "every row")
			}
			if op.rule.Fields != nil {
				parts = append(parts, "fields ["+strings.Join(op.rule.Fields, ", ")+"]")
			}
			if op.rule.Preset != nil {
				b, _ := json.Marshal(op.rule.Preset)
				parts = append(parts, "preset "+string(b))
			}
			fmt.Fprintf(w, "    %-7s %s\n", op.name, strings.Join(parts, "; "))
		}
		fmt.Fprintf(w, "    aggregate %v, bulk %v\n", p.Aggregate, p.Bulk)
	}
	if !any {
		fmt.Fprintf(w, "  no rule for %s: denied\n", strings.Join(roles, ", "))
	}
	for _, r := range roles {
		if def := ms.Roles[r]; def != nil && def.MaxPageSize > 0 {
			fmt.Fprintf(w, "  role %s lists at most %d rows per page\n", r, def.MaxPageSize)
		}
	}
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
