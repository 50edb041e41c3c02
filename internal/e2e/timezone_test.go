package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/testdb"
)

// TestTimeZone runs date lookups with the engine's time zone set to
// America/New_York (UTC−4 in June): date parts, dates and relative dates
// are taken in that zone, as Django does with USE_TZ and a current zone.
// Post 17 was published 2024-06-10 00:00 UTC, which is Sunday 2024-06-09
// 20:00 in New York; post 1 at 2024-06-12 09:15 UTC is 05:15 the same day.
// The clock (2024-06-12 15:30 UTC) is 11:30 in New York, still Wednesday.
func TestTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	cases := []struct {
		name, query, want string
		// datePart marks lookups that extract a part of a local date in SQL.
		datePart bool
	}{
		{"day", `{ posts(filters: {published_at__day: 9}) { id } }`, `{"data":{"posts":[{"id":"17"}]}}`, true},
		{"week_day", `{ posts(filters: {published_at__week_day: 1, published_at__year: 2024}) { id } }`, `{"data":{"posts":[{"id":"17"},{"id":"25"}]}}`, true},
		{"date", `{ posts(filters: {published_at__date: "2024-06-09"}) { id } }`, `{"data":{"posts":[{"id":"17"}]}}`, true},
		{"group_by_date", `{ posts_groups(group_by: "published_at__date", filters: {published_at__gte: "2024-06-09T00:00:00Z", published_at__lt: "2024-06-12T00:00:00Z"}, order_by: "key") { key count } }`,
			`{"data":{"posts_groups":[{"key":"2024-06-09","count":1},{"key":"2024-06-11","count":1}]}}`, true},
		// This week in New York is Monday 06-10 00:00 EDT (04:00 UTC) to
		// 06-17 04:00 UTC: post 17 (Sunday evening there) is not in it.
		{"this_week", `{ posts(filters: {published_at__this_week: true}) { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"3"},{"id":"24"}]}}`, false},
		{"yesterday", `{ posts(filters: {published_at__yesterday: true}) { id } }`, `{"data":{"posts":[{"id":"2"}]}}`, false},
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			fx := newFixture(t, d, database.Options{})
			e := engine.New(fx.db, fx.engine.Schema(), engine.Options{TimeZone: ny, Now: func() time.Time { return Now }})
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					out, _ := e.Execute(context.Background(), &engine.Request{Query: c.query}, nil)
					check(t, &Case{Name: c.name, Want: c.want, file: "timezone_test.go"}, out)
				})
			}
		})
	}
}
