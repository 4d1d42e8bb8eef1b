package watch

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestLambdaHandler(t *testing.T) {
	fixture, err := os.ReadFile("testdata/eventbridge-create-account-assignment.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(fixture, &ev); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, "")
	rec := &recorder{}
	h := LambdaHandler(newWatcher(t, st, newTestDetector(), rec))
	for i := 0; i < 2; i++ { // Lambda retries an async invocation: no second alert
		if err := h(context.Background(), ev); err != nil {
			t.Fatalf("invocation %d: %v", i, err)
		}
	}
	if got := rec.findings(); len(got) != 1 || got[0].Events[0].EventID != "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b" {
		t.Errorf("alerts = %+v", got)
	}
	// Malformed detail: logged and dropped (a retry cannot fix it).
	if err := h(context.Background(), events.CloudWatchEvent{ID: "x", Detail: json.RawMessage(`{"eventSource":1}`)}); err != nil {
		t.Errorf("malformed detail: %v", err)
	}
	if err := h(context.Background(), events.CloudWatchEvent{ID: "y"}); err == nil {
		t.Error("event without detail accepted")
	}
}

// The Lambda handler reports each invocation to the health signal: a
// committed one is healthy, one whose commit failed is not.
func TestLambdaHealth(t *testing.T) {
	fixture, err := os.ReadFile("testdata/eventbridge-create-account-assignment.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudWatchEvent
	if err := json.Unmarshal(fixture, &ev); err != nil {
		t.Fatal(err)
	}
	h := &Health{}
	det := newTestDetector()
	w, err := New(context.Background(), Options{Detector: det, Store: openStore(t, ""), Health: h})
	if err != nil {
		t.Fatal(err)
	}
	handler := LambdaHandler(w)
	if code, _ := h.Status(); code != 200 {
		t.Errorf("idle Lambda: %d, want 200", code)
	}
	det.failOn = ev.DetailType // never matches: the first invocation commits
	if err := handler(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if code, body := h.Status(); code != 200 || body["last_success"] == nil {
		t.Errorf("after a good invocation: %d %v", code, body)
	}
	// Another event, which the detector fails on.
	var d map[string]any
	json.Unmarshal(ev.Detail, &d)
	d["eventID"] = "another"
	again := ev
	again.Detail, _ = json.Marshal(d)
	det.failOn = d["eventName"].(string)
	if err := handler(context.Background(), again); err == nil {
		t.Fatal("a failing detector did not fail the invocation")
	}
	if code, body := h.Status(); code != 503 || body["status"] != "failing" {
		t.Errorf("after a failed invocation: %d %v", code, body)
	}
}
