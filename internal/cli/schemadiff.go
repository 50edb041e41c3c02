package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/schemadiff"
)

// runSchemaDiff is `autogql schema diff OLD NEW`: the API changes from
// OLD to NEW (models files or GraphQL SDL files), breaking ones first.
// Exit code 1 when any change is breaking, so CI can gate on it.
func runSchemaDiff(args []string, stdout, stderr io.Writer) error {
	fs := flagSet("schema diff", "schema diff OLD NEW [--format text|json]\n\n"+
		"OLD and NEW are models files (the GraphQL API they generate is compared) or\n"+
		"GraphQL SDL files (.graphql, .graphqls, .gql). Exit codes: 0 no breaking\n"+
		"change, 1 breaking changes (or an error), 2 usage error.", stderr)
	format := fs.String("format", "text", "output format: text or json")
	// Flags may follow the files: parse, take a file, parse again.
	var files []string
	for {
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 2 || *format != "text" && *format != "json" {
		fs.Usage()
		return fmt.Errorf("want OLD and NEW files and --format text or json: %w", errUsage)
	}
	old, err := loadAPI(files[0])
	if err != nil {
		return err
	}
	nw, err := loadAPI(files[1])
	if err != nil {
		return err
	}
	changes := schemadiff.Diff(old, nw)
	breaking := schemadiff.Count(changes, schemadiff.Breaking)
	if *format == "json" {
		if changes == nil {
			changes = []schemadiff.Change{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Breaking  int                 `json:"breaking"`
			Dangerous int                 `json:"dangerous"`
			Safe      int                 `json:"safe"`
			Changes   []schemadiff.Change `json:"changes"`
		}{breaking, schemadiff.Count(changes, schemadiff.Dangerous), schemadiff.Count(changes, schemadiff.Safe), changes}); err != nil {
			return err
		}
	} else {
		for _, c := range changes {
			fmt.Fprintln(stdout, c)
		}
		fmt.Fprintf(stdout, "%d breaking, %d dangerous, %d safe changes\n",
			breaking, schemadiff.Count(changes, schemadiff.Dangerous), schemadiff.Count(changes, schemadiff.Safe))
	}
	if breaking > 0 {
		return &exitError{code: exitFail}
	}
	return nil
}

// loadAPI reads a GraphQL schema from an SDL file, or generates it from a
// models file.
func loadAPI(path string) (*ast.Schema, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".graphql", ".graphqls", ".gql", ".sdl":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		s, err := gqlparser.LoadSchema(&ast.Source{Name: path, Input: string(data)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return s, nil
	}
	ms, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		return nil, err
	}
	return g.AST, nil
}
