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
