package awscollect

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
)

// TestMisbehavingPagination: a server that repeats a NextToken, hands out
// fresh ones forever, or sends a page of unbounded size is stopped with an
// error naming the call; with AllowPartial the gap is a Missing entry on a
// Partial model, never a listing cut short in silence.
func TestMisbehavingPagination(t *testing.T) {
	cases := []struct {
		name, op string
		kind     awsfake.Misbehaviour
		bytes    int
		call     string // in the error
		cause    error
	}{
		{"repeated token", "ListUsers", awsfake.RepeatToken, 0, "identitystore:ListUsers", ErrPaging},
		{"fresh tokens forever", "ListGroupMemberships", awsfake.EndlessTokens, 0, "identitystore:ListGroupMemberships", ErrPaging},
		{"fresh tokens forever (sso-admin)", "ListPermissionSets", awsfake.EndlessTokens, 0, "sso:ListPermissionSets", ErrPaging},
		{"fresh tokens forever (organizations)", "ListAccounts", awsfake.EndlessTokens, 0, "organizations:ListAccounts", ErrPaging},
		{"huge page", "ListGroups", awsfake.HugePage, 4 << 20, "identitystore:ListGroups", ErrResponseTooLarge},
		{"page of too many items", "ListUsers", awsfake.HugePage, 200 << 10, "identitystore:ListUsers", ErrPaging},
	}
	for _, tc := range cases {
		for _, partial := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: " (AllowPartial)"}[partial], func(t *testing.T) {
				s := startFake(t, awsfake.Sample())
				s.Misbehave(tc.op, tc.kind, tc.bytes)
				o := testOptions(s)
				o.MaxPages, o.MaxResponseBytes, o.AllowPartial = 50, 1<<20, partial
				start := time.Now()
				m, err := collect(t, s, o)
				if time.Since(start) > 30*time.Second {
					t.Errorf("took %v", time.Since(start))
				}
				if n := len(s.CallsTo(tc.op)); n > 2000 {
					t.Errorf("%d calls of %s: the listing was not stopped", n, tc.op)
				}
				if !partial {
					if !errors.Is(err, tc.cause) || !strings.Contains(err.Error(), tc.call) {
						t.Fatalf("err = %v, want %v naming %s", err, tc.cause, tc.call)
					}
					return
				}
				if err != nil && tc.op != "ListGroups" {
					t.Fatalf("AllowPartial: %v", err)
				}
				if err == nil && (!m.Partial || !strings.Contains(strings.Join(m.Missing, "\n"), tc.call)) {
					t.Errorf("partial %v missing %v: want the gap named", m.Partial, m.Missing)
				}
			})
		}
	}
}
