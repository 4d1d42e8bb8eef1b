package watch

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// An S3 object over a cap (a decompression bomb) is reported, dead-lettered
// in the store and acknowledged: it never blocks the queue or comes back,
// the complete records before the cut count, and a good object in the same
// batch (and the same notice) is processed.
func TestSQSBombIsDeadLetteredAndAcked(t *testing.T) {
	const bucket = "org-trail"
	s3c := newS3(t, bucket)
	prefix := "AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2025/08/01/"
	good, good2, bomb := prefix+"good.json.gz", prefix+"good2.json.gz", prefix+"bomb.json.gz"
	putObject(t, s3c, bucket, good, trailFile(t, record("g1", "sso.amazonaws.com", "CreatePermissionSet", actorN(1), baseTime)))
	putObject(t, s3c, bucket, good2, trailFile(t, record("g2", "sso.amazonaws.com", "CreatePermissionSet", actorN(2), baseTime)))
	// One record, then 4 MiB of padding: over a 1 MiB cap.
	body := string(mustJSON(t, map[string]any{"Records": []any{record("b1", "sso.amazonaws.com", "CreatePermissionSet", actorN(3), baseTime)}}))
	putObject(t, s3c, bucket, bomb, gz([]byte(strings.TrimSuffix(body, "]}")+strings.Repeat(" ", 4<<20)+"]}")))

	env := newSQS(t, 1)
	st := openStore(t, "")
	var mu sync.Mutex
	var reported []string
	w, err := New(context.Background(), Options{Detector: newTestDetector(), Store: st, MaxObjectBytes: 1 << 20,
		OnInputError: func(err error) { mu.Lock(); reported = append(reported, err.Error()); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	// The bomb and a good object in one notice, another good one beside it.
	both := mustJSON(t, map[string]any{"Records": []any{noticeRecord(bucket, bomb, "eb"), noticeRecord(bucket, good, "eg")}})
	env.send(t, both, s3Notice(t, bucket, good2, "eg2"))
	o := env.options()
	o.S3 = s3c
	stop := consume(w, o)
	waitFor(t, "queue drained", func() bool { return env.depth(t) == 0 })
	time.Sleep(1500 * time.Millisecond) // a visibility timeout: nothing comes back
	stop()
	if d := env.depth(t); d != 0 {
		t.Errorf("queue depth %d after a visibility timeout, want 0", d)
	}
	if got, want := findingCount(t, st), wantWrites("g1", "g2", "b1"); !sameCounts(got, want) {
		t.Errorf("findings = %v, want %v (b1 is complete before the cut)", got, want)
	}
	dls, err := st.DeadLetters(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].Sink != DeadLetterInput || dls[0].FindingID != "s3://"+bucket+"/"+bomb+"#eb" || !strings.Contains(dls[0].Error, "1MiB") {
		t.Errorf("dead letters %+v, want one for the bomb naming the cap", dls)
	}
	if seen, _ := st.Seen(context.Background(), "s3://"+bucket+"/"+bomb+"#eb"); !seen {
		t.Error("the bomb's marker is not stored: a redelivery would read it again")
	}
	mu.Lock()
	defer mu.Unlock()
	if msg := strings.Join(reported, "\n"); !strings.Contains(msg, bomb) || !strings.Contains(msg, cloudtrail.ErrTooLarge.Error()) || !strings.Contains(msg, "--max-object-size") {
		t.Errorf("reported %q: want the object, the cap and the flag", msg)
	}
	if n := env.fake.Calls("ReceiveMessage"); n > 8 {
		t.Errorf("%d receives: the bomb came back", n)
	}
}

func noticeRecord(bucket, key, etag string) map[string]any {
	return map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventTime": "2025-08-01T10:20:00.000Z",
		"eventName": "ObjectCreated:Put",
		"s3": map[string]any{"s3SchemaVersion": "1.0", "bucket": map[string]any{"name": bucket, "arn": "arn:aws:s3:::" + bucket},
			"object": map[string]any{"key": key, "size": 100, "eTag": etag, "sequencer": "0055AED6DCD90281E5"}},
	}
}
