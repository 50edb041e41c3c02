package backup

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetention(t *testing.T) {
	base := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC) // a Monday
	// Two backups a day for 21 days: b0 is the newest.
	var all []*Manifest
	for i := range 42 {
		all = append(all, &Manifest{ID: fmt.Sprintf("b%d", i), CreatedAt: base.Add(-time.Duration(i) * 12 * time.Hour)})
	}
	ids := func(ms []*Manifest) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	tests := []struct {
		name string
		r    Retention
		want []string
	}{
		{"zero keeps all", Retention{}, nil},
		{"last 3", Retention{KeepLast: 3}, []string{"b0", "b1", "b2"}},
		{"daily 3: newest of each day", Retention{KeepDaily: 3}, []string{"b0", "b2", "b4"}},
		{"last 2 + daily 2 overlap", Retention{KeepLast: 2, KeepDaily: 2}, []string{"b0", "b1", "b2"}},
		// Weeks (ISO, Monday first): Mon 10 Mar is its own week's newest;
		// the week before ends Sun 9 Mar 12:00 (b2).
		{"weekly 3", Retention{KeepWeekly: 3}, []string{"b0", "b2", "b16"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keep, remove := tc.r.Keep(all)
			if tc.want == nil {
				if len(keep) != len(all) || len(remove) != 0 {
					t.Fatalf("kept %d removed %d, want all kept", len(keep), len(remove))
				}
				return
			}
			if diff := cmp.Diff(tc.want, ids(keep)); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if len(keep)+len(remove) != len(all) {
				t.Errorf("kept %d + removed %d != %d", len(keep), len(remove), len(all))
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		spec string
		from time.Time
		want time.Time
	}{
		{"17 3 * * *", time.Date(2025, 1, 1, 4, 0, 0, 0, time.UTC), time.Date(2025, 1, 2, 3, 17, 0, 0, time.UTC)},
		{"@every 1h", time.Date(2025, 1, 1, 4, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 5, 0, 0, 0, time.UTC)},
		{"0 0 * * 0", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		s, err := ParseSchedule(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Next(tc.from); !got.Equal(tc.want) {
			t.Errorf("%q after %v = %v, want %v", tc.spec, tc.from, got, tc.want)
		}
	}
	if _, err := ParseSchedule("61 * * * *"); err == nil {
		t.Error("ParseSchedule accepted minute 61")
	}
}
