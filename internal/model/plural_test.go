package model

import "testing"

func TestPluralize(t *testing.T) {
	tests := []struct{ word, want string }{
		// Regular and -s/-x/-z/-ch/-sh words.
		{"post", "posts"},
		{"tag", "tags"},
		{"status", "statuses"},
		{"box", "boxes"},
		{"address", "addresses"},
		{"bus", "buses"},
		{"alias", "aliases"},
		{"buzz", "buzzes"},
		{"match", "matches"},
		{"wish", "wishes"},
		{"index", "indexes"},
		{"stomach", "stomachs"},
		// -y after a consonant, and after a vowel.
		{"category", "categories"},
		{"company", "companies"},
		{"day", "days"},
		{"key", "keys"},
		{"toy", "toys"},
		// -f/-fe.
		{"leaf", "leaves"},
		{"knife", "knives"},
		{"wife", "wives"},
		{"life", "lives"},
		{"half", "halves"},
		{"wolf", "wolves"},
		{"shelf", "shelves"},
		{"roof", "roofs"},
		{"chef", "chefs"},
		// -o.
		{"hero", "heroes"},
		{"potato", "potatoes"},
		{"tomato", "tomatoes"},
		{"echo", "echoes"},
		{"photo", "photos"},
		{"video", "videos"},
		// Irregulars.
		{"person", "people"},
		{"child", "children"},
		{"man", "men"},
		{"woman", "women"},
		{"chairman", "chairmen"},
		{"human", "humans"},
		{"mouse", "mice"},
		{"ox", "oxen"},
		{"foot", "feet"},
		{"tooth", "teeth"},
		{"goose", "geese"},
		{"datum", "data"},
		{"criterion", "criteria"},
		{"analysis", "analyses"},
		{"quiz", "quizzes"},
		// Uncountables and words that are already plural stay as they are.
		{"news", "news"},
		{"series", "series"},
		{"species", "species"},
		{"equipment", "equipment"},
		{"information", "information"},
		{"sheep", "sheep"},
		{"fish", "fish"},
		{"data", "data"},
		{"settings", "settings"},
		// Compounds change their last segment only.
		{"blog_category", "blog_categories"},
		{"sales_person", "sales_people"},
		{"order_status", "order_statuses"},
		{"user_data", "user_data"},
		{"http_status", "http_statuses"},
		// Degenerate input does not panic.
		{"", ""},
		{"_", "_"},
		{"y", "ys"},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := Pluralize(tt.word); got != tt.want {
				t.Errorf("Pluralize(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}
