package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const (
	vcSignal = `title: failed sign-in
name: vc-fail
logsource: {product: aws, service: cloudtrail}
detection:
  s: {eventSource: signin.amazonaws.com, eventName: CredentialVerification, serviceEventDetails.CredentialVerification: Failure}
  condition: s
`
	vcCorr = `title: many names from one address
correlation:
  type: value_count
  rules: [vc-fail]
  group-by: [sourceIPAddress]
  timespan: 10m
  condition: {field: additionalEventData.UserName, gte: 3}
level: high
portcullis: {id: idc.test.value-count}
`
)

func vcEngine(t *testing.T) *Engine {
	t.Helper()
	dir := t.TempDir()
	for name, doc := range map[string]string{"sig.yml": vcSignal, "corr.yml": vcCorr} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(rs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func failAt(t *testing.T, at time.Time, ip, user string) string {
	return fmt.Sprintf(`{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","eventTime":%q,"eventID":"f-%d-%s","sourceIPAddress":%q,
		"userIdentity":{"type":"Unknown","userName":%q},"additionalEventData":{"UserName":%q},"serviceEventDetails":{"CredentialVerification":"Failure"}}`,
		at.Format(time.RFC3339), at.UnixNano(), user, ip, user, user)
}

// TestValueCount: a value_count fires when gte distinct values of its field
// were seen in one group within the timespan; repeats, hidden or missing
// values, other groups and values older than the timespan do not count.
func TestValueCount(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	type step struct {
		after       time.Duration
		ip, user    string
		wantFinding bool
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"three names fire on the third", []step{{0, "a", "ann", false}, {time.Minute, "a", "bob", false}, {2 * time.Minute, "a", "cid", true}}},
		{"repeats are one value", []step{{0, "a", "ann", false}, {time.Minute, "a", "ANN", false}, {2 * time.Minute, "a", "ann", false}, {3 * time.Minute, "a", "bob", false}}},
		{"hidden names do not count", []step{{0, "a", "ann", false}, {time.Minute, "a", "HIDDEN_DUE_TO_SECURITY_REASONS", false}, {2 * time.Minute, "a", "HIDDEN_DUE_TO_SECURITY_REASONS", false}, {3 * time.Minute, "a", "bob", false}}},
		{"other addresses are other groups", []step{{0, "a", "ann", false}, {time.Minute, "b", "bob", false}, {2 * time.Minute, "a", "cid", false}}},
		{"the window slides", []step{{0, "a", "ann", false}, {6 * time.Minute, "a", "bob", false}, {11 * time.Minute, "a", "cid", false}, {12 * time.Minute, "a", "dan", true}}},
		{"a fired group starts again", []step{{0, "a", "ann", false}, {time.Second, "a", "bob", false}, {2 * time.Second, "a", "cid", true}, {3 * time.Second, "a", "dan", false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vcEngine(t)
			for i, s := range c.steps {
				fs := e.Process(decodeJSON(t, failAt(t, t0.Add(s.after), s.ip, s.user)))
				got := false
				for _, f := range fs {
					if f.Rule == "idc.test.value-count" {
						got = true
						if len(f.Events) != 3 {
							t.Errorf("step %d: finding names %d events, want the 3 distinct ones", i, len(f.Events))
						}
					}
				}
				if got != s.wantFinding {
					t.Errorf("step %d (%s from %s): finding %v, want %v", i, s.user, s.ip, got, s.wantFinding)
				}
			}
		})
	}
}

// TestValueCountBounded: many groups keep at most the engine's bound.
func TestValueCountBounded(t *testing.T) {
	e := vcEngine(t)
	e.maxGroups = 20
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for i := range 200 {
		e.Process(decodeJSON(t, failAt(t, t0.Add(time.Duration(i)*time.Second), fmt.Sprintf("10.0.%d.%d", i/250, i%250), "ann")))
	}
	if n := len(e.state["idc.test.value-count"].Groups); n > 20 {
		t.Errorf("%d groups kept, bound 20", n)
	}
	blob, err := e.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	e2 := vcEngine(t)
	if err := e2.RestoreState(blob); err != nil {
		t.Fatal(err)
	}
	ip := "10.0.0.199"
	e2.Process(decodeJSON(t, failAt(t, t0.Add(200*time.Second), ip, "bob")))
	fs := e2.Process(decodeJSON(t, failAt(t, t0.Add(201*time.Second), ip, "cid")))
	if len(fs) != 1 {
		t.Errorf("restored window lost its value: %d findings", len(fs))
	}
}
