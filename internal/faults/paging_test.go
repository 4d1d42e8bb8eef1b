//go:build linux

package faults

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
)

// TestEndlessPagination: `portcullis snapshot --from aws` against an
// endpoint that pages wrongly ends with an error naming the call, writes
// no snapshot, and its memory stays bounded.
func TestEndlessPagination(t *testing.T) {
	cases := []struct {
		name, op string
		kind     awsfake.Misbehaviour
		bytes    int
		want     string
	}{
		{"fresh tokens forever", "ListUsers", awsfake.EndlessTokens, 0, "identitystore:ListUsers"},
		{"a repeated token", "ListAccountAssignments", awsfake.RepeatToken, 0, "sso:ListAccountAssignments"},
		{"a huge page", "ListGroups", awsfake.HugePage, size(20, 200) << 20, "identitystore:ListGroups"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := awsfake.New(awsfake.Sample())
			defer s.Close()
			s.Misbehave(tc.op, tc.kind, tc.bytes)
			out := filepath.Join(t.TempDir(), "idc.json")
			begin := time.Now()
			p := start(t, hermeticEnv(t), "snapshot", "--from", "aws", "--endpoint", s.URL, "--region", "us-east-1", "--out", out)
			p.wait(t, 5*time.Minute)
			elapsed := time.Since(begin)
			calls := len(s.CallsTo(tc.op))
			report(t, "pagination, %s (%s): exit %d after %v and %d calls, peak RSS %.0f MB", tc.name, tc.op, p.exitCode(), elapsed.Round(time.Millisecond), calls, p.peakRSSMB())
			msg := p.stderr.String()
			if p.exitCode() != 1 || !strings.Contains(msg, tc.want) {
				t.Errorf("exit %d, output %q: want 1 and the call named", p.exitCode(), msg)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a snapshot was written")
			}
			if rss := p.peakRSSMB(); rss > 300 {
				t.Errorf("peak RSS %.0f MB", rss)
			}
		})
	}
}
