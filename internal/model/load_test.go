package model

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadBlog(t *testing.T) *Schema {
	t.Helper()
	s, err := Load(blogExample)
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

// TestReverseDefaults checks Django's default reverse names: <source
// singular>_set for foreign keys and many-to-manys, <source singular> for
// one-to-ones, and none for "+".
func TestReverseDefaults(t *testing.T) {
	const src = `
version: 1
models:
  Post:
    fields:
      title: {type: text}
  BlogComment:
    fields:
      post: {type: foreign_key, to: Post, on_delete: cascade}
      reply_to: {type: foreign_key, to: Post, on_delete: cascade, null: true, related_name: "+"}
  PostStats:
    fields:
      post: {type: one_to_one, to: Post, on_delete: cascade}
  Tag:
    fields:
      posts: {type: many_to_many, to: Post}
`
	s, err := Parse("models.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	post := s.Model("Post")
	tests := []struct {
		edge    string
		to      string
		many    bool
		related string
	}{
		{"blog_comment_set", "BlogComment", true, "blog_comment_set"},
		{"post_stats", "PostStats", false, "post_stats"},
		{"tag_set", "Tag", true, "tag_set"},
	}
	for _, tt := range tests {
		t.Run(tt.edge, func(t *testing.T) {
			e := post.Edge(tt.edge)
			if e == nil {
				t.Fatalf("Post has no edge %q", tt.edge)
			}
			if e.To.Name != tt.to || e.Many != tt.many || !e.Reverse || e.Field.Rel.RelatedName != tt.related {
				t.Errorf("got to %s many %v reverse %v related_name %q, want %s %v true %q",
					e.To.Name, e.Many, e.Reverse, e.Field.Rel.RelatedName, tt.to, tt.many, tt.related)
			}
		})
	}
	if got := len(post.Edges); got != 3 {
		t.Errorf("got %d edges on Post, want 3 (the \"+\" one is hidden)", got)
	}
	if rn := s.Model("BlogComment").Field("reply_to").Rel.RelatedName; rn != "+" {
		t.Errorf("got related_name %q, want +", rn)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want an error wrapping fs.ErrNotExist", err)
	}
}

// TestParseReportsEverything checks that problems found while decoding
// and while resolving relations come back together, each as an *Error.
func TestParseReportsEverything(t *testing.T) {
	const src = "version: 1\nmodels:\n  Post:\n    fields:\n      title: {type: string}\n      author: {type: foreign_key, to: Nobody, on_delete: cascade}\n"
	_, err := Parse("m.yaml", []byte(src))
	want := "m.yaml:5:7: Post.title: string needs max_length (or use type text)\n" +
		"m.yaml:6:39: Post.author: to \"Nobody\" is not a declared model"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want\n%s", err, want)
	}
	var me *Error
	if !errors.As(err, &me) || me.Pos != (Pos{Line: 5, Col: 7}) {
		t.Errorf("errors.As: got %+v, want the first *Error at 5:7", me)
	}
}
