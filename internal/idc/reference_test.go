package idc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// TestReferenceEvents replays the real CloudTrail records kept beside the
// repository (../shared) in time order: none may fail to apply, and the
// real console session must leave the state it made.
func TestReferenceEvents(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "reference-events", "events")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference events required in CI (%s): %v", dir, err)
		}
		t.Skipf("reference events absent: %s", dir)
	}
	var evs []*cloudtrail.Event
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wrapped struct{ Records []json.RawMessage }
		recs := []json.RawMessage{b}
		if json.Unmarshal(b, &wrapped) == nil && len(wrapped.Records) > 0 {
			recs = wrapped.Records
		}
		for i, r := range recs {
			ev, err := cloudtrail.Decode(r, cloudtrail.Origin{File: f, Index: i})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			evs = append(evs, ev)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	m := New("events")
	changed := 0
	for _, ev := range evs {
		c, err := m.Apply(ev)
		if err != nil {
			t.Errorf("%s: %v", ev.Origin.File, err)
		}
		if c {
			changed++
			t.Logf("applied %s %s", ev.Source, ev.Name)
		}
	}
	ps, ok := m.PermissionSetByName("AdministratorAccess-test")
	if !ok || ps.SessionDuration != "PT12H" {
		t.Fatalf("CreatePermissionSet not applied: %+v", ps)
	}
	g, ok := m.GroupByName("admin-test-group")
	if !ok || m.GroupSize(g.ID) != 1 {
		t.Errorf("CreateGroup/AddMemberToGroup not applied")
	}
	// Two assignments were created and one deleted in the session.
	if len(m.Assignments) != 1 || !strings.HasPrefix(string(m.Assignments[0].Source), "event:") {
		t.Errorf("assignments = %+v", m.Assignments)
	}
	if changed < 5 {
		t.Errorf("only %d events changed the model", changed)
	}
}
