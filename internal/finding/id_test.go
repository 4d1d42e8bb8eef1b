package finding

import (
	"errors"
	"strings"
	"testing"
)

func TestResolveID(t *testing.T) {
	ids := []string{"pf-aaaa0001", "pf-aaaa0002", "pf-aaab0003", "pf-b0000004", "pf-aaaa0005", "pf-aaaa0006", "pf-aaaa0007"}
	fs := make([]Finding, len(ids))
	for i, id := range ids {
		fs[i].ID = id
	}
	tests := []struct {
		id, want, wantErr string
	}{
		{"pf-b0000004", "pf-b0000004", ""},
		{"pf-b000", "", "too short for a prefix (give 8 or more characters); it starts 1 finding(s): pf-b0000004"},
		{"pf-aaab0", "pf-aaab0003", ""},
		{"pf-aaaa0", "", `prefix "pf-aaaa0" is ambiguous: it starts 5 finding(s): pf-aaaa0001, pf-aaaa0002, pf-aaaa0005, pf-aaaa0006, pf-aaaa0007; give more`},
		{"pf-aa", "", "it starts 6 finding(s): pf-aaaa0001, pf-aaaa0002, pf-aaaa0005, pf-aaaa0006, pf-aaaa0007 and 1 more"},
		{"pf-c0000000", "", "no such finding"},
		{"  ", "", "empty"},
	}
	for _, tt := range tests {
		got, err := ResolveID(tt.id, StartingWith(fs, tt.id), 0)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: %q, %v; want an error with %q", tt.id, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: %q, %v; want %q", tt.id, got, err, tt.want)
		}
	}
	if _, err := ResolveID("pf-zzzzzzzz", nil, 0); !errors.Is(err, ErrNoSuchID) {
		t.Errorf("unknown id: %v, want ErrNoSuchID", err)
	}
}
