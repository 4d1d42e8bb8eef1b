package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestResolveIDPrefixes: a stored finding is named by its id or a unique
// prefix of 8+ characters; short or ambiguous prefixes say so.
func TestResolveIDPrefixes(t *testing.T) {
	st, _ := openTemp(t)
	ctx := context.Background()
	at := time.Date(2025, 8, 1, 12, 0, 0, 0, time.UTC)
	var fs []finding.Finding
	for _, ev := range []string{"e1", "e2", "e3"} {
		fs = append(fs, mkFinding("idc.test.rule", finding.High, at, ev))
	}
	fs[0].ID, fs[1].ID, fs[2].ID = "pf-abc00001", "pf-abc00002", "pf-def00003"
	if _, err := st.PutFindings(ctx, fs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, want, wantErr string }{
		{"pf-def00003", "pf-def00003", ""},
		{"pf-def00", "pf-def00003", ""},
		{"pf-def", "", "too short"},
		{"pf-abc000", "", "ambiguous: it starts 2 finding(s): pf-abc00001, pf-abc00002"},
		{"PF-DEF00", "", "not found"},
	} {
		got, err := st.ResolveID(ctx, tc.id)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: %q, %v; want an error with %q", tc.id, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.id, got, err, tc.want)
		}
	}
	if _, err := st.ResolveID(ctx, "pf-zzzzzzzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}
