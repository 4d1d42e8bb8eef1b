package scan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// A Reader reads one object exactly as Run does: the same events and the
// same problems.
func TestReaderReadsAsRunDoes(t *testing.T) {
	data := envelope(rec("a", "sso", "ListAccounts", "2026-05-01T10:00:00Z"), rec("b", "s3", "GetObject", "2026-05-01T10:00:01Z"),
		`{"eventSource":"sso.amazonaws.com","eventName":"X","eventTime":"yesterday"}`, `42`, rec("c", "signin", "ConsoleLogin", "2026-05-01T10:00:02Z"))
	objs := []source.Object{memObject("o.json.gz", gzipped(t, data), time.Time{})}
	batches, errs, _ := collect(t, objs, scan.Options{Prefilter: prefilter()})

	got := scan.NewReader(scan.Options{Prefilter: prefilter()}).Read(context.Background(), objs[0])
	var ids []string
	for _, e := range got.Events {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, ",") != "a,c" || len(batches) != 1 || strings.Join(batches[0], ",") != "a,c" {
		t.Errorf("Reader events %v, Run batches %v; want a,c from both", ids, batches)
	}
	if got.Failed || got.Records != 4 { // the 42 is a bad slot, not a record
		t.Errorf("Failed %v, Records %d; want false, 4", got.Failed, got.Records)
	}
	if len(got.Problems) != 2 || len(errs) != 2 {
		t.Fatalf("Reader problems %v, Run problems %v; want the same two", got.Problems, errs)
	}
	for i := range errs {
		if got.Problems[i].Error() != errs[i].Error() {
			t.Errorf("problem %d: Reader %q, Run %q", i, got.Problems[i], errs[i])
		}
	}
}

// A read cut short by the context is a failed read, never a short list of
// events that looks complete.
func TestReaderCancelledIsFailed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	obj := memObject("o.json", []byte(envelope(rec("a", "sso", "ListAccounts", "2026-05-01T10:00:00Z"))), time.Time{})
	got := scan.NewReader(scan.Options{}).Read(ctx, obj)
	if !got.Failed || len(got.Events) != 0 || len(got.Problems) != 1 || !errors.Is(got.Problems[0], context.Canceled) {
		t.Errorf("cancelled read = %+v", got)
	}
	var ie *scan.InputError
	if !errors.As(got.Problems[0], &ie) || ie.File != "o.json" {
		t.Errorf("problem %v does not name the object", got.Problems[0])
	}
}
