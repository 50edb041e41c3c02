package config

import (
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Print writes the effective configuration as autogql.yaml would spell it,
// with secrets and URL passwords masked, each setting followed by its
// environment variable as a comment. The output loads back (masked values
// aside).
func Print(w io.Writer, c *Config) error {
	var b strings.Builder
	var walk func(v reflect.Value, indent, prefix string)
	walk = func(v reflect.Value, indent, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			key := yamlKey(sf)
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct {
				fmt.Fprintf(&b, "%s%s:\n", indent, key)
				walk(fv, indent+"  ", prefix+key+".")
				continue
			}
			env := ""
			if tag := sf.Tag.Get("env"); tag != "" {
				env, _, _ = strings.Cut(tag, ",")
			} else {
				env = "AUTOGQL_" + strings.ToUpper(strings.ReplaceAll(prefix+key, ".", "_"))
			}
			fmt.Fprintf(&b, "%s%s: %s  # %s\n", indent, key, render(fv, key), env)
		}
	}
	walk(reflect.ValueOf(c).Elem(), "", "")
	_, err := io.WriteString(w, b.String())
	return err
}

// render formats one value as YAML, masking secrets and URL passwords.
func render(v reflect.Value, key string) string {
	switch x := v.Interface().(type) {
	case Secret:
		return strconv.Quote(x.String())
	case time.Duration:
		return x.String()
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case string:
		if key == "url" || key == "endpoint" {
			x = MaskURL(x)
		}
		return strconv.Quote(x)
	}
	return fmt.Sprint(v.Interface())
}

// MaskURL hides the password of a URL ("postgres://u:****@h/db") so it can
// be logged or printed.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), "xxxxx")
	return strings.Replace(u.String(), "xxxxx", "****", 1)
}
