package model

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadBlog(t *testing.T) *Schema {
	t.Helper()
	s, err := Load(filepath.Join("..", "..", "examples", "blog", "models.yaml"))
	if err != nil {
		t.Fatalf("Load(blog): %v", err)
	}
	return s
}

func TestBlogNames(t *testing.T) {
	s := loadBlog(t)
	type names struct{ Table, Singular, Plural, PK string }
	got := map[string]names{}
	for _, m := range s.Models {
		got[m.Name] = names{m.Table, m.Singular, m.Plural, m.PK.Column}
	}
	want := map[string]names{
		"Category": {"blog_category", "category", "categories", "id"},
		"Tag":      {"blog_tag", "tag", "tags", "id"},
		"Author":   {"blog_author", "author", "authors", "id"},
		"Post":     {"blog_post", "post", "posts", "id"},
		"Comment":  {"blog_comment", "comment", "comments", "id"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("model names (-want +got):\n%s", diff)
	}
	if s.Version != 1 || s.App != "blog" || s.Naming != NamingSnake {
		t.Errorf("got version %d app %q naming %q, want 1 blog snake_case", s.Version, s.App, s.Naming)
	}
}

func TestBlogFields(t *testing.T) {
	s := loadBlog(t)
	post := s.Model("Post")
	tests := []struct {
		field    string
		column   string
		editable bool
		implicit bool
	}{
		{"id", "id", false, true},
		{"title", "title", true, false},
		{"author", "author_id", true, false},
		{"category", "category_id", true, false},
		{"tags", "", true, false},
		{"created_at", "created_at", false, false},
		{"updated_at", "updated_at", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			f := post.Field(tt.field)
			if f == nil {
				t.Fatalf("Post has no field %q", tt.field)
			}
			if f.Column != tt.column || f.Editable != tt.editable || f.Implicit != tt.implicit {
				t.Errorf("got column %q editable %v implicit %v, want %q %v %v", f.Column, f.Editable, f.Implicit, tt.column, tt.editable, tt.implicit)
			}
		})
	}
	if post.Fields[0] != post.PK || post.PK.Type != TypeAutoID {
		t.Errorf("got first field %q, want the implicit id primary key", post.Fields[0].Name)
	}
	status := post.Field("status")
	if diff := cmp.Diff(&Default{Value: "draft"}, status.Default); diff != "" {
		t.Errorf("status default (-want +got):\n%s", diff)
	}
	wantChoices := []Choice{{"draft", "draft"}, {"published", "published"}, {"archived", "archived"}}
	if diff := cmp.Diff(wantChoices, status.Choices); diff != "" {
		t.Errorf("status choices (-want +got):\n%s", diff)
	}
	tags := post.Field("tags").Rel.Join
	wantJoin := &JoinTable{Table: "blog_post_tags", SourceColumn: "post_id", TargetColumn: "tag_id", HasID: true}
	if diff := cmp.Diff(wantJoin, tags); diff != "" {
		t.Errorf("tags join (-want +got):\n%s", diff)
	}
}

// edgeView is an Edge with models replaced by names, for comparison.
type edgeView struct {
	Name, From, To       string
	Many, Reverse        bool
	Field                string
	FromColumn, ToColumn string
	JoinTable            string
	JoinFrom, JoinTo     string
}

func viewEdges(es []*Edge) []edgeView {
	var out []edgeView
	for _, e := range es {
		v := edgeView{
			Name: e.Name, From: e.From.Name, To: e.To.Name, Many: e.Many, Reverse: e.Reverse,
			Field: e.Field.Model.Name + "." + e.Field.Name, FromColumn: e.FromColumn, ToColumn: e.ToColumn,
			JoinFrom: e.JoinFrom, JoinTo: e.JoinTo,
		}
		if e.Join != nil {
			v.JoinTable = e.Join.Table
		}
		out = append(out, v)
	}
	return out
}

func TestBlogEdges(t *testing.T) {
	s := loadBlog(t)
	want := map[string][]edgeView{
		"Category": {
			{Name: "posts", From: "Category", To: "Post", Many: true, Reverse: true, Field: "Post.category", FromColumn: "id", ToColumn: "category_id"},
		},
		"Tag": {
			{Name: "posts", From: "Tag", To: "Post", Many: true, Reverse: true, Field: "Post.tags", FromColumn: "id", ToColumn: "id", JoinTable: "blog_post_tags", JoinFrom: "tag_id", JoinTo: "post_id"},
		},
		"Author": {
			{Name: "posts", From: "Author", To: "Post", Many: true, Reverse: true, Field: "Post.author", FromColumn: "id", ToColumn: "author_id"},
			{Name: "comments", From: "Author", To: "Comment", Many: true, Reverse: true, Field: "Comment.author", FromColumn: "id", ToColumn: "author_id"},
		},
		"Post": {
			{Name: "author", From: "Post", To: "Author", Field: "Post.author", FromColumn: "author_id", ToColumn: "id"},
			{Name: "category", From: "Post", To: "Category", Field: "Post.category", FromColumn: "category_id", ToColumn: "id"},
			{Name: "tags", From: "Post", To: "Tag", Many: true, Field: "Post.tags", FromColumn: "id", ToColumn: "id", JoinTable: "blog_post_tags", JoinFrom: "post_id", JoinTo: "tag_id"},
			{Name: "comments", From: "Post", To: "Comment", Many: true, Reverse: true, Field: "Comment.post", FromColumn: "id", ToColumn: "post_id"},
		},
		"Comment": {
			{Name: "post", From: "Comment", To: "Post", Field: "Comment.post", FromColumn: "post_id", ToColumn: "id"},
			{Name: "author", From: "Comment", To: "Author", Field: "Comment.author", FromColumn: "author_id", ToColumn: "id"},
		},
	}
	for _, m := range s.Models {
		if diff := cmp.Diff(want[m.Name], viewEdges(m.Edges)); diff != "" {
			t.Errorf("%s edges (-want +got):\n%s", m.Name, diff)
		}
		for _, e := range m.Edges {
			if m.Edge(e.Name) != e {
				t.Errorf("%s.Edge(%q) does not return the edge", m.Name, e.Name)
			}
		}
	}
}
