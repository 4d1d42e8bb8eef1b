package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// testDetector is a small real detector: every Identity Center write by an
// actor not on the allow-list is a finding, and a third write by the same
// actor within the window is a "burst" finding. The burst windows are its
// state.
type testDetector struct {
	admins map[string]bool
	window time.Duration
	recent map[string][]time.Time // actor ARN -> times of recent writes
	dirty  map[string]bool        // actors whose window changed since the last save
	failOn string                 // eventName that makes Detect fail (tests rollback)
	// failRestores makes that many RestoreState calls fail (a store that
	// cannot be read back).
	failRestores int
}

func newTestDetector() *testDetector {
	return &testDetector{
		admins: map[string]bool{"arn:aws:iam::111111111111:role/terraform": true},
		window: 10 * time.Minute,
		recent: map[string][]time.Time{},
		dirty:  map[string]bool{},
	}
}

const (
	ruleWrite = "test.idc.write-by-unknown-actor"
	ruleBurst = "test.idc.write-burst"
)

func isICWrite(e *cloudtrail.Event) bool {
	switch e.Source {
	case "sso.amazonaws.com", "sso-directory.amazonaws.com", "identitystore.amazonaws.com":
	default:
		return false
	}
	for _, p := range []string{"List", "Describe", "Get", "Search"} {
		if strings.HasPrefix(e.Name, p) {
			return false
		}
	}
	return !e.ReadOnly && e.ErrorCode == ""
}

func (d *testDetector) Detect(_ context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, e := range evs {
		if d.failOn != "" && e.Name == d.failOn {
			return nil, fmt.Errorf("detector failure on %s", e.ID)
		}
		if !isICWrite(e) {
			continue
		}
		actor := e.String("userIdentity.arn")
		if d.admins[actor] {
			continue
		}
		ref := []finding.EventRef{{EventID: e.ID, EventName: e.Name, EventSource: e.Source, Time: e.Time}}
		out = append(out, finding.Finding{
			Schema: finding.Schema, ID: finding.StableID(ruleWrite, e.ID), Rule: ruleWrite,
			Title: "Identity Center change by an unknown actor", Severity: finding.High, Time: e.Time,
			Actor: finding.Actor{ARN: actor}, Account: e.Account, Region: e.Region, Events: ref,
			Summary: actor + " called " + e.Name,
		})
		var kept []time.Time
		for _, t := range d.recent[actor] {
			if e.Time.Sub(t) < d.window {
				kept = append(kept, t)
			}
		}
		kept = append(kept, e.Time)
		d.recent[actor] = kept
		d.dirty[actor] = true
		if len(kept) == 3 {
			out = append(out, finding.Finding{
				Schema: finding.Schema, ID: finding.StableID(ruleBurst, e.ID), Rule: ruleBurst,
				Title: "Burst of Identity Center changes", Severity: finding.Critical, Time: e.Time,
				Actor: finding.Actor{ARN: actor}, Events: ref, Summary: "3 changes within " + d.window.String(),
			})
		}
	}
	d.expire(evs)
	return out, nil
}

// expire drops windows that ended before the newest event, as a real
// correlation engine must, or its state would grow without bound.
func (d *testDetector) expire(evs []*cloudtrail.Event) {
	if len(evs) == 0 {
		return
	}
	latest := evs[len(evs)-1].Time
	for actor, ts := range d.recent {
		if latest.Sub(ts[len(ts)-1]) >= d.window {
			delete(d.recent, actor)
			d.dirty[actor] = true
		}
	}
}

// SaveState writes one row per actor whose window changed (all when full).
func (d *testDetector) SaveState(full bool) detect.StateRows {
	return func(put func(kind, key string, value []byte) error) error {
		keys := d.dirty
		if full {
			keys = map[string]bool{}
			for a := range d.recent {
				keys[a] = true
			}
		}
		for _, a := range slices.Sorted(maps.Keys(keys)) {
			var v []byte
			if ts, ok := d.recent[a]; ok {
				v, _ = json.Marshal(ts)
			}
			if err := put("recent", a, v); err != nil {
				return err
			}
		}
		clear(d.dirty)
		return nil
	}
}

// RestoreState reads rows, or the blob (a JSON map) of a store written
// before rows.
func (d *testDetector) RestoreState(rows detect.StateRows) error {
	if d.failRestores > 0 {
		d.failRestores--
		return errBoom
	}
	m := map[string][]time.Time{}
	err := rows(func(kind, key string, v []byte) error {
		if kind == detect.BlobKind {
			return json.Unmarshal(v, &m)
		}
		var ts []time.Time
		if err := json.Unmarshal(v, &ts); err != nil {
			return err
		}
		m[key] = ts
		return nil
	})
	if err != nil {
		return err
	}
	d.recent, d.dirty = m, map[string]bool{}
	return nil
}

// recorder is an Alerter that remembers what it was given.
type recorder struct {
	mu    sync.Mutex
	got   []finding.Finding
	at    map[string]time.Time
	fail  error
	onGot func(finding.Finding)
}

func (r *recorder) Deliver(_ context.Context, fs []finding.Finding) error {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == nil {
		r.at = map[string]time.Time{}
	}
	for _, f := range fs {
		r.got = append(r.got, f)
		r.at[f.ID] = now
		if r.onGot != nil {
			r.onGot(f)
		}
	}
	return r.fail
}

func (r *recorder) findings() []finding.Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]finding.Finding(nil), r.got...)
}

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "watch.db")
	}
	s, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newWatcher(t testing.TB, st *store.Store, det Detector, al Alerter) *Watcher {
	t.Helper()
	w, err := New(context.Background(), Options{Detector: det, Store: st, Alerts: al})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var baseTime = time.Date(2025, 8, 1, 10, 0, 0, 0, time.UTC)

// record renders a CloudTrail record of our own making.
func record(id, source, name, actor string, at time.Time) map[string]any {
	return map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{"type": "AssumedRole", "arn": actor, "accountId": "111111111111"},
		"eventTime":    at.UTC().Format(time.RFC3339),
		"eventSource":  source, "eventName": name, "awsRegion": "us-east-1",
		"sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.17",
		"requestParameters": map[string]any{"instanceArn": "arn:aws:sso:::instance/ssoins-0000000000000001",
			"targetId": "222222222222", "targetType": "AWS_ACCOUNT", "principalType": "USER", "principalId": "u-" + id},
		"responseElements": nil, "requestID": "req-" + id, "eventID": id,
		"readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": "111111111111", "eventCategory": "Management",
	}
}

// ebEvent wraps a record the way EventBridge forwards it.
func ebEvent(rec map[string]any) map[string]any {
	src := strings.TrimSuffix(rec["eventSource"].(string), ".amazonaws.com")
	return map[string]any{
		"version": "0", "id": "eb-" + rec["eventID"].(string), "detail-type": "AWS API Call via CloudTrail",
		"source": "aws." + src, "account": "111111111111", "time": rec["eventTime"], "region": "us-east-1",
		"resources": []any{}, "detail": rec,
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const attacker = "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/mallory"

// writeEvent is an EventBridge event of an Identity Center write by actor.
func writeEvent(t testing.TB, id, actor string, at time.Time) []byte {
	return mustJSON(t, ebEvent(record(id, "sso.amazonaws.com", "CreateAccountAssignment", actor, at)))
}

func decodeAll(t testing.TB, bodies ...[]byte) []*cloudtrail.Event {
	t.Helper()
	var evs []*cloudtrail.Event
	for _, b := range bodies {
		e, err := DecodeEvents(b, "test")
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e...)
	}
	return evs
}

func countByID(fs []finding.Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.ID]++
	}
	return m
}

var errBoom = errors.New("boom")
