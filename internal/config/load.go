package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultFile is read when it exists and no file is named.
const DefaultFile = "autogql.yaml"

// Sources are the layers Load reads, besides the defaults and profiles.
type Sources struct {
	// File is the config file (--config). Empty means AUTOGQL_CONFIG, then
	// autogql.yaml when it exists.
	File string
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Flags are values given on the command line, keyed by yaml path
	// ("server.addr", "env"). Only flags the user set belong here.
	Flags map[string]string
}

// Error is a configuration mistake with its position: "autogql.yaml:3:5:
// …" for the file, the variable or flag name otherwise.
type Error struct {
	File      string
	Line, Col int
	// Source names the variable or flag when File is empty.
	Source string
	Msg    string
}

func (e *Error) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return e.Source + ": " + e.Msg
}

// Load builds the effective configuration: built-in defaults < profile
// (AUTOGQL_ENV) < config file < environment < flags. It reports every
// mistake it finds at once; it does not Validate.
func Load(src Sources) (*Config, error) {
	lookup := src.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	file := src.File
	explicit := file != ""
	if !explicit {
		if v, ok := lookup("AUTOGQL_CONFIG"); ok && v != "" {
			file, explicit = v, true
		}
	}
	if !explicit {
		if _, err := os.Stat(DefaultFile); err == nil {
			file = DefaultFile
		}
	}
	var root *yaml.Node
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("config file %s does not exist", file)
			}
			return nil, fmt.Errorf("read config: %w", err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(doc.Content) > 0 {
			root = doc.Content[0]
		}
	}

	// The profile comes first but is chosen by the later layers.
	env := Development
	if v := mappingValue(root, "env"); v != nil && v.Kind == yaml.ScalarNode {
		env = v.Value
	}
	if v, ok := lookup("AUTOGQL_ENV"); ok && v != "" {
		env = v
	}
	if v, ok := src.Flags["env"]; ok {
		env = v
	}
	c := Default()
	applyProfile(&c, env)

	var errs []error
	fields := fieldsOf(&c)
	if root != nil {
		errs = append(errs, decodeNode(file, root, reflect.ValueOf(&c).Elem(), "")...)
	}
	errs = append(errs, applyEnv(fields, lookup)...)
	for _, path := range sortedKeys(src.Flags) {
		f := findField(fields, path)
		if f == nil {
			errs = append(errs, &Error{Source: "--" + path, Msg: "not a configuration setting"})
			continue
		}
		if err := setText(f.value, src.Flags[path]); err != nil {
			errs = append(errs, &Error{Source: "--" + flagName(path), Msg: err.Error()})
		}
	}
	c.Env = env
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &c, nil
}

func flagName(path string) string {
	return strings.ReplaceAll(path[strings.LastIndexByte(path, '.')+1:], "_", "-")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// field is one leaf setting.
type field struct {
	path  string   // yaml path: "server.addr"
	env   []string // variables, strongest first
	value reflect.Value
	doc   reflect.StructField
}

// fieldsOf lists c's leaf settings in declaration order.
func fieldsOf(c *Config) []*field {
	var out []*field
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			key := yamlKey(sf)
			path := prefix + key
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct {
				walk(fv, path+".")
				continue
			}
			var env []string
			if tag := sf.Tag.Get("env"); tag != "" {
				env = strings.Split(tag, ",")
			}
			derived := "AUTOGQL_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
			if !slices.Contains(env, derived) {
				env = append(env, derived)
			}
			out = append(out, &field{path: path, env: env, value: fv, doc: sf})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

func yamlKey(sf reflect.StructField) string {
	k, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
	return k
}

func findField(fields []*field, path string) *field {
	for _, f := range fields {
		if f.path == path {
			return f
		}
	}
	return nil
}

// applyEnv sets every field whose variable (or VARIABLE_FILE, for secrets
// kept in files) is set. For one field the first listed variable wins.
// PORT=N means server.addr ":N" unless AUTOGQL_ADDR is set.
func applyEnv(fields []*field, lookup func(string) (string, bool)) []error {
	var errs []error
	if port, ok := lookup("PORT"); ok && port != "" {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			errs = append(errs, &Error{Source: "PORT", Msg: fmt.Sprintf("%q is not a port number", port)})
		} else if f := findField(fields, "server.addr"); f != nil {
			f.value.SetString(":" + port)
		}
	}
	for _, f := range fields {
		// Weakest first, so the first listed variable is applied last.
		for i := len(f.env) - 1; i >= 0; i-- {
			name := f.env[i]
			text, ok := lookup(name)
			if fileName, fok := lookup(name + "_FILE"); fok && fileName != "" {
				if ok && text != "" {
					errs = append(errs, &Error{Source: name, Msg: "set both " + name + " and " + name + "_FILE: keep one"})
					continue
				}
				data, err := os.ReadFile(fileName)
				if err != nil {
					errs = append(errs, &Error{Source: name + "_FILE", Msg: err.Error()})
					continue
				}
				text, ok = strings.TrimRight(string(data), "\r\n"), true
				name += "_FILE"
			}
			if !ok || text == "" {
				continue
			}
			if err := setText(f.value, text); err != nil {
				errs = append(errs, &Error{Source: name, Msg: err.Error()})
			}
		}
	}
	return errs
}

// setText sets v from its text form: the environment and flag syntax (and
// a YAML scalar's value). Lists are comma-separated.
func setText(v reflect.Value, text string) error {
	switch v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(text)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration (use a number with a unit: 500ms, 5s, 2m)", text)
		}
		v.SetInt(int64(d))
		return nil
	case []string:
		var list []string
		for _, s := range strings.Split(text, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		v.Set(reflect.ValueOf(list))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("%q is not a boolean (use true or false)", text)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a whole number ≥ 0", text)
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number ≥ 0", text)
		}
		v.SetUint(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", text)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("cannot set a %s", v.Type())
	}
	return nil
}

// decodeNode decodes a YAML mapping onto the struct v strictly: an unknown
// key or a value of the wrong type is an error at its line and column.
func decodeNode(file string, n *yaml.Node, v reflect.Value, prefix string) []error {
	at := func(n *yaml.Node, format string, args ...any) error {
		return &Error{File: file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		where := "the file"
		if prefix != "" {
			where = strings.TrimSuffix(prefix, ".")
		}
		return []error{at(n, "%s must be a mapping of settings", where)}
	}
	var errs []error
	t := v.Type()
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx := -1
		var known []string
		for j := range t.NumField() {
			key := yamlKey(t.Field(j))
			known = append(known, key)
			if key == k.Value {
				idx = j
			}
		}
		if idx < 0 {
			errs = append(errs, at(k, "unknown setting %q%s (known: %s)", prefix+k.Value, didYouMean(k.Value, known), strings.Join(known, ", ")))
			continue
		}
		if seen[k.Value] {
			errs = append(errs, at(k, "setting %q is repeated", prefix+k.Value))
			continue
		}
		seen[k.Value] = true
		fv := v.Field(idx)
		path := prefix + k.Value
		switch {
		case fv.Kind() == reflect.Struct:
			errs = append(errs, decodeNode(file, val, fv, path+".")...)
		case fv.Type() == reflect.TypeOf([]string(nil)):
			if val.Kind != yaml.SequenceNode {
				errs = append(errs, at(val, "%s must be a list", path))
				continue
			}
			list := []string{}
			for _, item := range val.Content {
				if item.Kind != yaml.ScalarNode {
					errs = append(errs, at(item, "%s must be a list of strings", path))
					continue
				}
				list = append(list, item.Value)
			}
			fv.Set(reflect.ValueOf(list))
		default:
			if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
				errs = append(errs, at(val, "%s needs a value", path))
				continue
			}
			if err := setText(fv, val.Value); err != nil {
				errs = append(errs, at(val, "%s: %v", path, err))
			}
		}
	}
	return errs
}

// mappingValue returns the value node of key in the mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// didYouMean suggests the known key closest to an unknown one.
func didYouMean(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := distance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
