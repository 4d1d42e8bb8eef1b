package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/golden"
)

func TestWebhookBodyAndSignature(t *testing.T) {
	rec := newRecorder(t, 200)
	key := []byte("hmac-key-from-env")
	w := NewWebhook("hook", rec.srv.URL+"/in", key, nil)
	f := testFinding(finding.Critical)
	if err := w.Send(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	r := rec.requests()[0]
	var got finding.Finding
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("body is not a finding: %v", err)
	}
	if got.ID != f.ID || got.Severity != finding.Critical || got.Schema != finding.Schema {
		t.Errorf("body = %+v", got)
	}
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get(HeaderFindingID) != f.ID {
		t.Errorf("headers = %v", r.Header)
	}
	sig, ts := r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp)
	now := time.Now()
	tests := []struct {
		name    string
		key     []byte
		sig, ts string
		body    []byte
		now     time.Time
		ok      bool
	}{
		{"valid", key, sig, ts, r.Body, now, true},
		{"wrong key", []byte("other"), sig, ts, r.Body, now, false},
		{"tampered body", key, sig, ts, append(bytes.Clone(r.Body), ' '), now, false},
		{"replayed later", key, sig, ts, r.Body, now.Add(10 * time.Minute), false},
		{"timestamp swapped", key, sig, "1", r.Body, now, false},
		{"not sha256", key, strings.TrimPrefix(sig, "sha256="), ts, r.Body, now, false},
		{"garbage timestamp", key, sig, "yesterday", r.Body, now, false},
	}
	for _, tc := range tests {
		err := Verify(tc.key, tc.sig, tc.ts, tc.body, tc.now, 5*time.Minute)
		if (err == nil) != tc.ok {
			t.Errorf("%s: Verify = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestWebhookWithoutKeyIsUnsigned(t *testing.T) {
	rec := newRecorder(t, 200)
	if err := NewWebhook("hook", rec.srv.URL, nil, nil).Send(context.Background(), testFinding(finding.Low)); err != nil {
		t.Fatal(err)
	}
	if h := rec.requests()[0].Header.Get(HeaderSignature); h != "" {
		t.Errorf("unsigned webhook sent signature %q", h)
	}
}

func TestSlackMessage(t *testing.T) {
	rec := newRecorder(t, 200)
	f := testFinding(finding.Critical)
	if err := NewSlack("slack", rec.srv.URL+"/services/T/B/x", nil).Send(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(rec.requests()[0].Body, &msg); err != nil {
		t.Fatal(err)
	}
	all := flatText(t, rec.requests()[0].Body)
	for _, want := range []string{"CRITICAL", f.Title, "mallory", "AdministratorAccess", "222222222222", "&lt;prod&gt;", f.ID} {
		if !strings.Contains(all, want) {
			t.Errorf("slack message lacks %q", want)
		}
	}
	if !strings.Contains(msg.Text, "[CRITICAL]") || len(msg.Blocks) < 3 {
		t.Errorf("text %q, %d blocks", msg.Text, len(msg.Blocks))
	}
	golden.CheckJSON(t, filepath.Join("testdata", "slack.golden.json"), SlackMessage(f))
}

func TestPagerDutyEvent(t *testing.T) {
	rec := newRecorder(t, 202)
	f := testFinding(finding.High)
	if err := NewPagerDuty("pd", rec.srv.URL+"/", "R0UTINGKEY", nil).Send(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	r := rec.requests()[0]
	if r.Path != "/v2/enqueue" {
		t.Errorf("path %q, want /v2/enqueue", r.Path)
	}
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     struct {
			Summary, Source, Severity string
			CustomDetails             finding.Finding `json:"custom_details"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RoutingKey != "R0UTINGKEY" || ev.EventAction != "trigger" || ev.DedupKey != f.ID ||
		ev.Payload.Severity != "error" || ev.Payload.Source != "111111111111" || ev.Payload.CustomDetails.ID != f.ID ||
		!strings.HasPrefix(ev.Payload.Summary, "[HIGH] ") {
		t.Errorf("event = %+v", ev)
	}
	golden.CheckJSON(t, filepath.Join("testdata", "pagerduty.golden.json"), PagerDutyEvent(f, "R0UTINGKEY"))
}

func TestPagerDutySeverityAndSummaryLimit(t *testing.T) {
	for sev, want := range map[finding.Severity]string{finding.Critical: "critical", finding.High: "error", finding.Medium: "warning", finding.Low: "info", finding.Info: "info"} {
		if got := pdSeverity(sev); got != want {
			t.Errorf("pdSeverity(%v) = %q, want %q", sev, got, want)
		}
	}
	f := testFinding(finding.Low)
	f.Summary = strings.Repeat("é", 2000)
	s := PagerDutyEvent(f, "k")["payload"].(map[string]any)["summary"].(string)
	if len(s) > 1024 || !strings.HasSuffix(s, "…") {
		t.Errorf("summary is %d bytes", len(s))
	}
	if !json.Valid([]byte(`"` + s + `"`)) {
		t.Error("truncated summary split a rune")
	}
}

func TestWriterWritesJSONLines(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter("stdout", &buf)
	for _, sev := range []finding.Severity{finding.Low, finding.High} {
		if err := w.Send(context.Background(), testFinding(sev)); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		var f finding.Finding
		if err := json.Unmarshal([]byte(l), &f); err != nil || f.ID == "" {
			t.Errorf("line %q: %v", l, err)
		}
	}
}

func TestTargetLine(t *testing.T) {
	tests := []struct {
		t    finding.Targets
		want string
	}{
		{finding.Targets{}, "-"},
		{finding.Targets{GroupID: "g-1", GroupName: "Admins", PrincipalType: "GROUP", PrincipalID: "g-1"}, "group Admins (g-1)"},
		{finding.Targets{PermissionSetARN: "arn:ps", PrincipalType: "USER", PrincipalID: "u-1", AccountID: "1"}, "permission set arn:ps, user u-1, account 1"},
	}
	for _, tc := range tests {
		if got := targetLine(finding.Finding{Targets: tc.t}); got != tc.want {
			t.Errorf("targetLine(%+v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// flatText joins every string value in a JSON document (unescaped).
func flatText(t *testing.T, b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			sb.WriteString(x + "\n")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return sb.String()
}
