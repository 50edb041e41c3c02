package model

import _ "embed"

// JSONSchema is the JSON Schema (draft 2020-12) of a models file. Editors
// use it to complete and check models.yaml (for example with the YAML
// language server's "# yaml-language-server: $schema=..." comment). It
// checks the shape of the file; Parse remains the authority and also
// checks what a schema cannot express (relation targets, reverse names,
// defaults against types).
//
//go:embed models.schema.json
var JSONSchema []byte
