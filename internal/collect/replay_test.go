package collect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// createGroup is a public identity-store CreateGroup at minute min.
func createGroup(id string, min int) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":"2026-03-01T10:%02d:00Z","eventSource":"identitystore.amazonaws.com","eventName":"CreateGroup",`+
		`"awsRegion":"us-east-1","recipientAccountId":"111111111111","eventID":"ev-%s","requestParameters":{"identityStoreId":"d-1","displayName":"%s"},"responseElements":{"groupId":"%s","identityStoreId":"d-1"}}`,
		min, id, id, id)
}

// objects writes each file's lines as JSON lines and lists them.
func objects(t *testing.T, files map[string][]string) []source.Object {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, lines := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var objs []source.Object
	if _, err := source.Walk(context.Background(), paths, source.Filter{}, func(o source.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestReplay(t *testing.T) {
	// Deleting a group the model does not hold changes nothing.
	deleteUnknownGroup := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:09:00Z","eventSource":"identitystore.amazonaws.com","eventName":"DeleteGroup",` +
		`"eventID":"ev-del","requestParameters":{"identityStoreId":"d-1","groupId":"g-none"}}`
	until := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	noGroupID := strings.Replace(createGroup("g-broken", 7), `"groupId":"g-broken",`, ``, 1)
	tests := []struct {
		name         string
		files        map[string][]string
		since, until time.Time
		wantGroups   []string
		wantApplied  int
		wantCaptured time.Time
		wantPartial  bool
		wantMissing  string
	}{
		{"changes applied, captured at the last one", map[string][]string{"a.json": {createGroup("g-1", 1), createGroup("g-2", 5)}},
			time.Time{}, time.Time{}, []string{"g-1", "g-2"}, 2, time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC), false, ""},
		{"nothing to apply, no window: no capture time (never the clock)", map[string][]string{"a.json": {`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-03-01T10:00:00Z"}`}},
			time.Time{}, time.Time{}, nil, 0, time.Time{}, false, ""},
		{"nothing to apply: captured at the end of the window", map[string][]string{"a.json": {`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-03-01T10:00:00Z"}`}},
			time.Time{}, until, nil, 0, until, false, ""},
		{"changes applied inside a window: captured at its end", map[string][]string{"a.json": {createGroup("g-1", 1), createGroup("g-2", 5)}},
			time.Time{}, until, []string{"g-1", "g-2"}, 2, until, false, ""},
		{"an event that changes nothing still dates the state", map[string][]string{"a.json": {createGroup("g-1", 1), deleteUnknownGroup}},
			time.Time{}, time.Time{}, []string{"g-1"}, 1, time.Date(2026, 3, 1, 10, 9, 0, 0, time.UTC), false, ""},
		{"since drops earlier events", map[string][]string{"a.json": {createGroup("g-1", 1), createGroup("g-2", 5)}},
			time.Date(2026, 3, 1, 10, 3, 0, 0, time.UTC), time.Time{}, []string{"g-2"}, 1, time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC), false, ""},
		{"a write that cannot be applied makes it partial", map[string][]string{"a.json": {createGroup("g-1", 1), noGroupID}},
			time.Time{}, time.Time{}, []string{"g-1"}, 1, time.Date(2026, 3, 1, 10, 1, 0, 0, time.UTC), true, "ev-g-broken"},
		{"unreadable input makes it partial", map[string][]string{"a.json": {createGroup("g-1", 1)}, "b.json": {`{"eventSource": nope`}},
			time.Time{}, time.Time{}, []string{"g-1"}, 1, time.Date(2026, 3, 1, 10, 1, 0, 0, time.UTC), true, "input errors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := idc.New("events")
			var inputErrs []error
			st, err := Replay(context.Background(), m, objects(t, tt.files), ReplayOptions{
				Since: tt.since, Until: tt.until, OnError: func(err error) { inputErrs = append(inputErrs, err) },
			})
			if err != nil {
				t.Fatal(err)
			}
			groups := sortedGroupIDs(m)
			if fmt.Sprint(groups) != fmt.Sprint(tt.wantGroups) || st.Applied != tt.wantApplied {
				t.Errorf("groups %v, %d applied; want %v, %d", groups, st.Applied, tt.wantGroups, tt.wantApplied)
			}
			if !m.CapturedAt.Equal(tt.wantCaptured) {
				t.Errorf("captured at %v, want %v", m.CapturedAt, tt.wantCaptured)
			}
			if m.Partial != tt.wantPartial || (tt.wantMissing != "" && !strings.Contains(strings.Join(m.Missing, "\n"), tt.wantMissing)) {
				t.Errorf("partial %t, missing %q; want %t and %q", m.Partial, m.Missing, tt.wantPartial, tt.wantMissing)
			}
			if tt.wantMissing == "input errors" && len(inputErrs) == 0 {
				t.Error("unreadable input not reported to OnError")
			}
		})
	}
}

func sortedGroupIDs(m *idc.Model) []string {
	var out []string
	for id := range m.Groups {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// TestReplayRefusesAnotherInstance: writes of instance B never land in a
// model of instance A; the error names both and where the event is.
func TestReplayRefusesAnotherInstance(t *testing.T) {
	const instA, instB = "arn:aws:sso:::instance/ssoins-aaaa", "arn:aws:sso:::instance/ssoins-bbbb"
	assignB := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:30:00Z","eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","eventID":"ev-b",` +
		`"requestParameters":{"instanceArn":"` + instB + `","targetId":"111111111111","targetType":"AWS_ACCOUNT","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-bbbb/ps-1","principalType":"USER","principalId":"u-1"}}`
	readB := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:31:00Z","eventSource":"sso.amazonaws.com","eventName":"ListPermissionSets","eventID":"ev-read","readOnly":true,"requestParameters":{"instanceArn":"` + instB + `"}}`
	otherStore := strings.ReplaceAll(createGroup("g-2", 5), `"d-1"`, `"d-2"`)
	tests := []struct {
		name      string
		inst      string // the model's instance; "" = empty model
		lines     []string
		skip      bool
		wantErr   []string
		wantOther int
	}{
		{"sso-admin write of another instance", instA, []string{createGroup("g-1", 1), assignB}, false, []string{instA, instB, "a.json: record 1", "CreateAccountAssignment ev-b"}, 0},
		{"a read of another instance is fine", instA, []string{createGroup("g-1", 1), readB}, false, nil, 0},
		{"identity store learned from the first write", "", []string{createGroup("g-1", 1), otherStore}, false, []string{"identity store d-2", "identity store d-1", "record 1"}, 0},
		{"skipped on request", instA, []string{createGroup("g-1", 1), assignB, otherStore}, true, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := idc.New("events")
			m.InstanceARN = tt.inst
			st, err := Replay(context.Background(), m, objects(t, map[string][]string{"a.json": tt.lines}), ReplayOptions{SkipOtherInstances: tt.skip})
			if tt.wantErr != nil {
				var oe *OtherInstanceError
				if !errors.As(err, &oe) {
					t.Fatalf("error %v, want an OtherInstanceError", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.OtherInstance != tt.wantOther || len(m.Assignments) != 0 || len(m.Groups) != 1 {
				t.Errorf("%d other-instance writes skipped (want %d), model has %d assignments and %d groups (want 0 and 1)",
					st.OtherInstance, tt.wantOther, len(m.Assignments), len(m.Groups))
			}
		})
	}
}
