package scan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// rec builds a record; at "" leaves eventTime out.
func rec(id, src, name, at string) string {
	s := `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane"}`
	if at != "" {
		s += `,"eventTime":"` + at + `"`
	}
	return s + `,"eventSource":"` + src + `.amazonaws.com","eventName":"` + name + `","eventID":"` + id + `","recipientAccountId":"111122223333"}`
}

func envelope(recs ...string) string { return `{"Records":[` + strings.Join(recs, ",") + `]}` }

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// memObject is an Object over bytes in memory, with a day of delivery.
func memObject(name string, data []byte, day time.Time) source.Object {
	return source.Object{Name: name, Size: int64(len(data)), Key: source.Key{Day: day},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func prefilter() *cloudtrail.Prefilter {
	return cloudtrail.NewPrefilter([]cloudtrail.Interest{{Source: "sso.amazonaws.com"}, {Source: "signin.amazonaws.com"}})
}

// collect runs a scan and returns the batches' event ids and the problems.
func collect(t *testing.T, objs []source.Object, o scan.Options) ([][]string, []error, scan.Stats) {
	t.Helper()
	var errs []error
	o.OnError = func(err error) { errs = append(errs, err) }
	var batches [][]string
	st, err := scan.Run(context.Background(), objs, o, func(b []*cloudtrail.Event) error {
		var ids []string
		for _, e := range b {
			ids = append(ids, e.ID)
		}
		batches = append(batches, ids)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return batches, errs, st
}

func TestRunBadInput(t *testing.T) {
	good := envelope(rec("g1", "sso", "ListAccounts", "2026-05-01T10:00:00Z"), rec("g2", "s3", "GetObject", "2026-05-01T10:00:01Z"),
		rec("g3", "signin", "ConsoleLogin", "2026-05-01T10:00:02Z"))
	var many []string
	for i := 0; i < 400; i++ {
		many = append(many, rec(fmt.Sprintf("t%03d", i), "sso", "Federate", "2026-05-01T11:00:00Z"))
	}
	truncated := gzipped(t, envelope(many...))
	corrupt := gzipped(t, good)
	copy(corrupt[10:len(corrupt)-8], bytes.Repeat([]byte{0xff}, len(corrupt)))
	objs := []source.Object{
		memObject("good.json.gz", gzipped(t, good), time.Time{}),
		memObject("truncated.json.gz", truncated[:len(truncated)/2], time.Time{}),
		memObject("broken.json", []byte(strings.Replace(envelope(rec("b1", "sso", "ListAccounts", "2026-05-01T10:00:03Z")), `"ListAccounts"`, `ListAccounts`, 1)), time.Time{}),
		memObject("notobj.json", []byte(envelope(rec("n1", "sso", "A", "2026-05-01T10:00:04Z"), `42`, `"x"`)), time.Time{}),
		memObject("empty.json", nil, time.Time{}),
		memObject("garbage.gz", gzipped(t, "this is not json at all"), time.Time{}),
		memObject("corrupt.gz", corrupt, time.Time{}),
		memObject("events.jsonl", []byte(`{"detail-type":"AWS API Call via CloudTrail","detail":`+rec("e1", "sso", "CreateAccountAssignment", "2026-05-01T09:00:00Z")+"}\n"+
			`{"eventSource":"sso.amazonaws.com","eventName":"X","eventTime":"yesterday"}`+"\n"+
			`{"eventSource":"sso.amazonaws.com","eventName":7}`+"\n"+
			rec("e2", "sso", "ListAccounts", "")+"\n"+
			// No eventSource: not CloudTrail, whatever the prefilter says.
			`{"eventName":"CreateUser","eventTime":"2026-05-01T09:01:00Z","eventID":"x1"}`+"\n"+
			`{"eventSource":null,"eventName":"X"}`+"\n"+
			`{"eventSource":"","eventName":"X"}`+"\n"), time.Time{}),
		{Name: "s3://bucket/denied.json.gz", Key: source.Key{}, Open: func(context.Context) (io.ReadCloser, error) {
			return nil, errors.New("AccessDenied")
		}},
	}
	batches, errs, st := collect(t, objs, scan.Options{Workers: 2, Prefilter: prefilter()})

	var ids []string
	for _, b := range batches {
		ids = append(ids, b...)
	}
	if len(ids) < 3+100 || len(ids) >= 3+400+3 {
		t.Errorf("%d events; want the good ones and the truncated file's records before the damage", len(ids))
	}
	for _, want := range []string{"g1", "g3", "n1", "e1", "e2", "t000"} {
		if !slices.Contains(ids, want) {
			t.Errorf("event %s missing", want)
		}
	}
	if slices.Contains(ids, "g2") || slices.Contains(ids, "b1") {
		t.Errorf("events %v: g2 is not wanted, b1 is in a broken record", ids)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
		var ie *scan.InputError
		if !errors.As(e, &ie) || !strings.Contains(e.Error(), ie.File) {
			t.Errorf("%q: want an *InputError naming its file", e)
		}
	}
	all := strings.Join(msgs, "\n")
	t.Log(all)
	for _, want := range []string{
		"truncated.json.gz: truncated gzip",
		"broken.json: record 0 at byte",
		"notobj.json: record 1 at byte", "notobj.json: record 2 at byte",
		"garbage.gz: record 0 at byte 0: invalid JSON",
		"corrupt.gz: corrupt gzip",
		"events.jsonl: record 1: field eventTime",
		"events.jsonl: record 2: field eventName",
		"events.jsonl: record 4 at byte 755: not a CloudTrail record",
		"events.jsonl: record 5: field eventSource",
		"events.jsonl: record 6: field eventSource",
		"s3://bucket/denied.json.gz: AccessDenied",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no error saying %q in\n%s", want, all)
		}
	}
	if strings.Contains(all, "empty.json") || strings.Count(all, "truncated.json.gz") != 1 {
		t.Errorf("want nothing about empty.json and one line about truncated.json.gz:\n%s", all)
	}
	if st.Files != len(objs) || st.FilesFailed != 3 || st.Errors != int64(len(errs)) {
		t.Errorf("files %d failed %d errors %d (%d reported)", st.Files, st.FilesFailed, st.Errors, len(errs))
	}
	wantSkipped := map[string]int64{"prefilter": 1, "not-an-object": 2, "invalid-json": 2, "not-cloudtrail": 5, "unreadable-file": 3}
	for k, v := range wantSkipped {
		if st.Skipped[k] != v {
			t.Errorf("skipped[%s] = %d, want %d (all: %v)", k, st.Skipped[k], v, st.Skipped)
		}
	}
	if st.Matched != int64(len(ids)) || st.Records < st.Matched+1 {
		t.Errorf("matched %d records %d, events %d", st.Matched, st.Records, len(ids))
	}
}

func TestRunCapsErrorsPerFile(t *testing.T) {
	junk := "[" + strings.Repeat("1,", 50) + "2]"
	_, errs, st := collect(t, []source.Object{memObject("junk.json", []byte(junk), time.Time{})}, scan.Options{})
	if len(errs) != 11 || !strings.Contains(errs[10].Error(), "junk.json: 41 more problems") {
		t.Errorf("got %d error lines, last %v; want 10 and a count of the rest", len(errs), errs[len(errs)-1])
	}
	if st.Errors != 51 || st.Skipped["not-an-object"] != 51 {
		t.Errorf("stats %+v", st)
	}
}

func TestRunTimeWindow(t *testing.T) {
	obj := envelope(rec("before", "sso", "A", "2026-05-01T09:59:59Z"), rec("start", "sso", "A", "2026-05-01T10:00:00Z"),
		rec("notime", "sso", "A", ""), rec("end", "sso", "A", "2026-05-01T12:00:00Z"), rec("panther", "sso", "A", "2026-05-01 11:00:00.000000000"))
	batches, errs, st := collect(t, []source.Object{memObject("w.json", []byte(obj), time.Time{})}, scan.Options{
		Since: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), Until: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)})
	if len(errs) != 0 || len(batches) != 1 {
		t.Fatalf("errors %v batches %v", errs, batches)
	}
	if want := []string{"notime", "start", "panther"}; !slices.Equal(batches[0], want) {
		t.Errorf("got %v, want %v (Since inclusive, Until exclusive, no eventTime kept, sorted)", batches[0], want)
	}
	if st.Skipped["outside-time-window"] != 2 {
		t.Errorf("skipped %v", st.Skipped)
	}
}

func TestRunWalkedDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "AWSLogs", "o-abcdefghij", "111122223333", "CloudTrail", "us-east-1", "2026", "05", "01")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a.json.gz"), gzipped(t, envelope(rec("a", "sso", "A", "2026-05-01T10:00:00Z"))), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json.gz"), gzipped(t, envelope(rec("b", "sso", "A", "2026-05-01T09:00:00Z")))[:20], 0o644)
	var objs []source.Object
	if _, err := source.Walk(context.Background(), []string{root}, source.Filter{}, func(o source.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	batches, errs, st := collect(t, objs, scan.Options{Prefilter: prefilter()})
	if len(batches) != 1 || !slices.Equal(batches[0], []string{"a"}) || len(errs) != 1 || !strings.Contains(errs[0].Error(), "b.json.gz") {
		t.Errorf("batches %v errors %v", batches, errs)
	}
	if st.Bytes == 0 || st.UncompressedBytes <= st.Bytes/2 {
		t.Errorf("byte counts %d / %d", st.Bytes, st.UncompressedBytes)
	}
}
