package httpapi

import "testing"

func TestNegotiate(t *testing.T) {
	tests := []struct {
		accept []string
		want   mediaType
	}{
		{nil, mediaGraphQLResponse},
		{[]string{""}, mediaGraphQLResponse},
		{[]string{"application/graphql-response+json"}, mediaGraphQLResponse},
		{[]string{"application/json"}, mediaJSON},
		{[]string{"*/*"}, mediaJSON},
		{[]string{"application/*"}, mediaJSON},
		{[]string{"Application/JSON"}, mediaJSON},
		{[]string{"application/graphql-response+json; charset=utf-8, application/json; charset=utf-8"}, mediaGraphQLResponse},
		{[]string{"application/json", "application/graphql-response+json"}, mediaGraphQLResponse},
		{[]string{"application/json;q=0.9, application/graphql-response+json;q=0.8"}, mediaJSON},
		{[]string{"application/graphql-response+json, */*;q=0.1"}, mediaGraphQLResponse},
		{[]string{"application/json, */*"}, mediaJSON},
		{[]string{"application/*;q=0.5, application/graphql-response+json;q=0.4"}, mediaJSON},
		{[]string{"application/json;q=0, */*"}, mediaGraphQLResponse},
		{[]string{"application/json;q=0"}, mediaNone},
		{[]string{"text/html"}, mediaNone},
		{[]string{"application/json;charset=latin1"}, mediaNone},
		{[]string{"application/json;q=bogus"}, mediaNone},
		{[]string{"garbage"}, mediaNone},
		{[]string{"multipart/mixed, application/json"}, mediaJSON},
	}
	for _, tt := range tests {
		if got := negotiate(tt.accept); got != tt.want {
			t.Errorf("negotiate(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func TestWantsHTML(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
		{"text/html", true},
		{"*/*", false},
		{"", false},
		{"text/*", false},
		{"text/html;q=0", false},
		{"application/json, text/html;q=0.5", false},
		{"application/json;q=0.5, text/html", true},
	}
	for _, tt := range tests {
		if got := wantsHTML([]string{tt.accept}); got != tt.want {
			t.Errorf("wantsHTML(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func TestIsJSONContentType(t *testing.T) {
	tests := []struct {
		ct   string
		want bool
	}{
		{"application/json", true},
		{"Application/Json", true},
		{"application/json; charset=utf-8", true},
		{`application/json; charset="UTF-8"`, true},
		{"application/json;charset=utf8", true},
		{"application/json; charset=iso-8859-1", false},
		{"application/graphql", false},
		{"application/x-www-form-urlencoded", false},
		{"multipart/form-data; boundary=x", false},
		{"text/plain;charset=UTF-8", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isJSONContentType(tt.ct); got != tt.want {
			t.Errorf("isJSONContentType(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
}
