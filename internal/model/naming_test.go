package model

import "testing"

func TestSnakeCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Post", "post"},
		{"BlogPost", "blog_post"},
		{"isPublished", "is_published"},
		{"HTTPServer", "http_server"},
		{"APIKey", "api_key"},
		{"UserID", "user_id"},
		{"Post2Go", "post2_go"},
		{"already_snake", "already_snake"},
		{"A", "a"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SnakeCase(tt.in); got != tt.want {
				t.Errorf("SnakeCase(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCamelCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"is_published", "isPublished"},
		{"posts_pages", "postsPages"},
		{"title", "title"},
		{"author__name", "author__name"},
		{"author__first_name", "author__firstName"},
		{"published_at__year", "publishedAt__year"},
		{"comments_count__gt", "commentsCount__gt"},
		{"_private", "_private"},
		{"trailing_", "trailing_"},
		{"address_2", "address2"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := CamelCase(tt.in); got != tt.want {
				t.Errorf("CamelCase(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPascalCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"post", "Post"},
		{"blog_post", "BlogPost"},
		{"post_status", "PostStatus"},
		{"_x", "X"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PascalCase(tt.in); got != tt.want {
				t.Errorf("PascalCase(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
