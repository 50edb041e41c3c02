package model

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileJSONSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema))
	if err != nil {
		t.Fatalf("models.schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("models.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("models.schema.json")
	if err != nil {
		t.Fatalf("compile models.schema.json: %v", err)
	}
	return sch
}

// yamlInstance reads a YAML file as the JSON value a JSON Schema validates.
func yamlInstance(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Keys are taken as text, as Parse does: yaml.v3 would decode the key
	// of "null: true" as nil, which JSON cannot hold.
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	budget := 1 << 20
	v, problem := jsonValue(n.Content[0], &budget, 0)
	if problem != "" {
		t.Fatalf("%s: %s", path, problem)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s as JSON: %v", path, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestJSONSchemaGood checks that every file Parse accepts is valid
// against the JSON Schema editors use.
func TestJSONSchemaGood(t *testing.T) {
	sch := compileJSONSchema(t)
	files, _ := filepath.Glob(filepath.Join("testdata", "good", "*.yaml"))
	files = append(files, blogExample)
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			if err := sch.Validate(yamlInstance(t, file)); err != nil {
				t.Errorf("got %v, want valid", err)
			}
		})
	}
}

// TestJSONSchemaBad checks that the schema rejects mistakes it can see.
func TestJSONSchemaBad(t *testing.T) {
	sch := compileJSONSchema(t)
	for _, name := range []string{
		"unknown_option", "string_without_max_length", "decimal", "top_level",
		"field_names", "model_names", "version_wrong", "meta_options", "type_unknown",
		"on_delete", "choices", "related_name_invalid", "models_empty", "renamed_from",
	} {
		t.Run(name, func(t *testing.T) {
			if err := sch.Validate(yamlInstance(t, filepath.Join("testdata", "bad", name+".yaml"))); err == nil {
				t.Error("got valid, want a schema violation")
			}
		})
	}
}
