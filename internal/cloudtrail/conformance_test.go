package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// sharedDir finds ../shared beside the module root (CI clones the repo next
// to a copy of it). Absent: skip, unless CI is set.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "reference-events")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing: %v", shared, err)
		}
		t.Skipf("no %s: conformance data absent", shared)
	}
	return shared
}

// refRecords is the independent truth: encoding/json's view of a file.
func refRecords(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("file is %T, want an object", v)
	}
	recs, ok := m["Records"].([]any)
	if !ok {
		return []map[string]any{m}
	}
	var out []map[string]any
	for _, r := range recs {
		out = append(out, r.(map[string]any))
	}
	return out
}

func TestConformance(t *testing.T) {
	shared := sharedDir(t)
	var files []string
	for _, d := range []string{"reference-events/events", "datasets/invictus-aws/CloudTrail"} {
		matches, err := filepath.Glob(filepath.Join(shared, d, "*.json"))
		if err != nil || len(matches) == 0 {
			t.Fatalf("no files in %s (%v)", d, err)
		}
		files = append(files, matches...)
	}
	p := cloudtrail.NewPrefilter(testInterests())
	var total, noType, noRequestID, urlName, panther, wanted int
	var buf bytes.Buffer
	var rd cloudtrail.ObjectReader
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		data, err := rd.Read(fh, f, &buf)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		ref := refRecords(t, data)
		var ids []string
		err = cloudtrail.SplitRecords(data, func(r *cloudtrail.Record) error {
			ev, err := cloudtrail.Decode(r.Raw, cloudtrail.Origin{File: f, Index: r.Index})
			if err != nil {
				t.Errorf("%v", err)
				return nil
			}
			ids = append(ids, ev.ID)
			if fast, err := cloudtrail.DecodeFast(r.Raw, ev.Origin); err != nil || !reflect.DeepEqual(fast, ev) {
				t.Errorf("%s record %d: DecodeFast differs from Decode (%v)", f, r.Index, err)
			}
			if ev.Time.IsZero() || ev.Source == "" || ev.Name == "" {
				t.Errorf("%s record %d: time %v source %q name %q", f, r.Index, ev.Time, ev.Source, ev.Name)
			}
			if got, exact := p.MatchRecord(r), p.MatchEvent(ev); got != exact || p.Match(r.Raw) != exact {
				t.Errorf("%s record %d (%s %s): prefilter %v, want %v", f, r.Index, ev.Source, ev.Name, got, exact)
			} else if exact {
				wanted++
			}
			if _, ok := ev.Get("userIdentity.type"); !ok {
				noType++
			}
			if _, ok := ev.Get("requestID"); !ok {
				noRequestID++
			}
			if strings.HasPrefix(ev.Name, "https://") {
				urlName++
			}
			if strings.Contains(ev.String("eventTime"), " ") {
				panther++
				if want := time.Date(2024, 6, 2, 19, 41, 40, 0, time.UTC); !ev.Time.Equal(want) {
					t.Errorf("Panther eventTime read as %v, want %v", ev.Time, want)
				}
			}
			return nil
		}, func(_ int, _ int64, err error) { t.Errorf("%s: %v", f, err) })
		if err != nil {
			t.Fatal(err)
		}
		var refIDs []string
		for _, m := range ref {
			id, _ := m["eventID"].(string)
			refIDs = append(refIDs, id)
		}
		if !slices.Equal(ids, refIDs) {
			t.Errorf("%s: read %d records %v, encoding/json sees %d %v", f, len(ids), ids, len(refIDs), refIDs)
		}
		total += len(ids)
	}
	t.Logf("%d files, %d records; %d without userIdentity.type, %d without requestID, %d URL eventNames, %d Panther times, %d wanted by the prefilter",
		len(files), total, noType, noRequestID, urlName, panther, wanted)
	if total < 2900 || noType == 0 || noRequestID == 0 || urlName == 0 || panther == 0 || wanted == 0 {
		t.Errorf("the odd shapes this test exists for were not all seen")
	}
}

// TestConformanceForms feeds the real records through every other input
// form, built here from the reference files, and expects the same records.
func TestConformanceForms(t *testing.T) {
	shared := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(shared, "reference-events/events", "*.json"))
	var compact [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range refRecords(t, data) {
			b, _ := json.Marshal(m)
			compact = append(compact, b)
		}
	}
	var lines, bridge, array bytes.Buffer
	array.WriteString("[")
	for i, r := range compact {
		lines.Write(r)
		lines.WriteString("\n")
		bridge.WriteString(`{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":`)
		bridge.Write(r)
		bridge.WriteString("}\n")
		if i > 0 {
			array.WriteString(",\n")
		}
		array.Write(r)
	}
	array.WriteString("]")
	for name, data := range map[string][]byte{"JSON lines": lines.Bytes(), "EventBridge lines": bridge.Bytes(), "array": array.Bytes(), "gzip": gz(t, lines.String())} {
		data, err := cloudtrail.ReadObject(bytes.NewReader(data), name, new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		if err := cloudtrail.Split(data, func(_ int, r []byte) error { got = append(got, r); return nil }); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if len(got) != len(compact) {
			t.Fatalf("%s: %d records, want %d", name, len(got), len(compact))
		}
		for i := range got {
			if !bytes.Equal(got[i], compact[i]) {
				t.Errorf("%s record %d differs", name, i)
			}
		}
	}
}
