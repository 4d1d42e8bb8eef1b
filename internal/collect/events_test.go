package collect

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadEvents(t *testing.T) {
	signin := `{"eventVersion":"1.08","eventTime":"2026-03-01T09:00:00Z","eventSource":"signin.amazonaws.com","eventName":"UserAuthentication","eventID":"ev-signin"}`
	s3 := `{"eventVersion":"1.08","eventTime":"2026-03-01T09:30:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"ev-s3"}`
	objs := objects(t, map[string][]string{"a.json": {createGroup("g-1", 1), s3}, "bad.json": {`{"eventSource": nope`}})
	var paths []string
	for _, o := range objs {
		paths = append(paths, o.Name)
	}
	var reported int
	evs, bad, err := ReadEvents(context.Background(), append(paths, "-"), strings.NewReader(signin+"\n"), func(error) { reported++ })
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	// In time order; the s3 read is not an Identity Center event.
	if strings.Join(ids, ",") != "ev-signin,ev-g-1" {
		t.Errorf("events %v, want ev-signin then ev-g-1", ids)
	}
	if bad == 0 || bad != reported {
		t.Errorf("bad %d, reported %d: want the unreadable file counted and reported", bad, reported)
	}

	evs, _, err = ReadEvents(context.Background(), []string{filepath.Join(t.TempDir(), "empty")}, nil, nil)
	if err == nil {
		t.Errorf("a missing path gave %d events and no error", len(evs))
	}
	if evs, _, err := ReadEvents(context.Background(), nil, nil, nil); err != nil || evs == nil {
		t.Errorf("no paths: events %v (want empty, not nil), error %v", evs, err)
	}
}
