package watch

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/sqsfake"
	"github.com/portcullis-sec/portcullis/internal/store"
)

var testCreds = credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")

type sqsEnv struct {
	fake   *sqsfake.Server
	client *sqs.Client
	url    string
}

func newSQS(t *testing.T, visibility int) *sqsEnv {
	t.Helper()
	fake, err := sqsfake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	c := sqs.New(sqs.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(fake.URL())})
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("portcullis"),
		Attributes: map[string]string{"VisibilityTimeout": strconv.Itoa(visibility)}})
	if err != nil {
		t.Fatal(err)
	}
	return &sqsEnv{fake: fake, client: c, url: aws.ToString(out.QueueUrl)}
}

func (e *sqsEnv) send(t *testing.T, bodies ...[]byte) {
	t.Helper()
	for _, b := range bodies {
		if _, err := e.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(e.url), MessageBody: aws.String(string(b))}); err != nil {
			t.Fatal(err)
		}
	}
}

// depth is visible + in-flight messages.
func (e *sqsEnv) depth(t *testing.T) int {
	out, err := e.client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(e.url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	f, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return v + f
}

func (e *sqsEnv) options() SQSOptions {
	return SQSOptions{QueueURL: e.url, Client: e.client, WaitTimeSeconds: 1, ErrorBackoff: 50 * time.Millisecond}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// consume runs ConsumeSQS in the background; stop cancels it and waits.
func consume(w *Watcher, o SQSOptions) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.ConsumeSQS(ctx, o); close(done) }()
	return func() { cancel(); <-done }
}

func findingCount(t *testing.T, st *store.Store) map[string]int {
	rs, err := st.ListFindings(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, r := range rs {
		m[r.Events[0].EventID+"/"+r.Rule]++
	}
	return m
}

// The expected findings of n writes by distinct actors: one each.
func wantWrites(ids ...string) map[string]int {
	m := map[string]int{}
	for _, id := range ids {
		m[id+"/"+ruleWrite] = 1
	}
	return m
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func actorN(i int) string { return fmt.Sprintf("arn:aws:iam::111111111111:user/intruder-%d", i) }

func TestSQSEndToEnd(t *testing.T) {
	env := newSQS(t, 5)
	st := openStore(t, "")
	rec := &recorder{}
	w := newWatcher(t, st, newTestDetector(), rec)
	var ids []string
	for i := 0; i < 23; i++ {
		id := fmt.Sprintf("q%02d", i)
		ids = append(ids, id)
		env.send(t, writeEvent(t, id, actorN(i), baseTime.Add(time.Duration(i)*time.Hour)))
	}
	// EventBridge delivers at least once: the same event twice, and an array.
	env.send(t, writeEvent(t, "q03", actorN(3), baseTime.Add(3*time.Hour)))
	env.send(t, []byte("["+string(writeEvent(t, "q23", actorN(23), baseTime))+","+string(writeEvent(t, "q24", actorN(24), baseTime))+"]"))
	ids = append(ids, "q23", "q24")
	// Noise the detector ignores still counts as processed.
	env.send(t, mustJSON(t, ebEvent(record("n1", "sso.amazonaws.com", "ListInstances", attacker, baseTime))))

	stop := consume(w, env.options())
	waitFor(t, "queue drained", func() bool { return env.depth(t) == 0 })
	stop()
	if got := findingCount(t, st); !sameCounts(got, wantWrites(ids...)) {
		t.Errorf("findings = %v\nwant %v", got, wantWrites(ids...))
	}
	if seen, _ := st.Seen(context.Background(), "ev:n1"); !seen {
		t.Error("noise event not recorded as processed")
	}
	if n, err := w.DeliverPending(context.Background()); err != nil || n != len(ids) {
		t.Errorf("DeliverPending = %d, %v", n, err)
	}
	for id, n := range countByID(rec.findings()) {
		if n != 1 {
			t.Errorf("finding %s alerted %d times", id, n)
		}
	}
}

// Kill after commit, before delete: the restarted consumer gets the same
// messages again (new receipt handles) and must raise nothing twice.
func TestSQSKillAfterCommitBeforeDelete(t *testing.T) {
	env := newSQS(t, 1)
	path := t.TempDir() + "/watch.db"
	st := openStore(t, path)
	var ids []string
	for i := 0; i < 15; i++ {
		id := fmt.Sprintf("k%02d", i)
		ids = append(ids, id)
		env.send(t, writeEvent(t, id, actorN(i), baseTime.Add(time.Duration(i)*time.Minute)))
	}
	rec := &recorder{}
	w1 := newWatcher(t, st, newTestDetector(), rec)
	ctx, kill := context.WithCancel(context.Background())
	o := env.options()
	var committed atomic.Int32
	o.afterCommit = func() { committed.Add(1); kill() } // dies right after the first commit
	w1.ConsumeSQS(ctx, o)
	if committed.Load() != 1 {
		t.Fatalf("first run committed %d batches, want 1", committed.Load())
	}
	firstRun := findingCount(t, st)
	if len(firstRun) == 0 || len(firstRun) == len(ids) {
		t.Fatalf("first run stored %d findings; want a partial batch", len(firstRun))
	}
	if d := env.depth(t); d != len(ids) {
		t.Fatalf("queue depth %d after kill, want %d (nothing deleted)", d, len(ids))
	}
	// Restart: new process, same store file.
	st.Close()
	st2 := openStore(t, path)
	w2 := newWatcher(t, st2, newTestDetector(), rec)
	stop := consume(w2, env.options())
	waitFor(t, "queue drained", func() bool { return env.depth(t) == 0 })
	stop()
	if got := findingCount(t, st2); !sameCounts(got, wantWrites(ids...)) {
		t.Errorf("after restart findings = %v", got)
	}
	w2.DeliverPending(context.Background())
	for id, n := range countByID(rec.findings()) {
		if n != 1 {
			t.Errorf("finding %s alerted %d times", id, n)
		}
	}
	if len(rec.findings()) != len(ids) {
		t.Errorf("%d alerts, want %d", len(rec.findings()), len(ids))
	}
}

// flaky fails its first Detect calls, like a crash before the commit.
type flaky struct {
	*testDetector
	failures atomic.Int32
}

func (d *flaky) Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	if d.failures.Add(-1) >= 0 {
		return nil, errBoom
	}
	return d.testDetector.Detect(ctx, evs)
}

func TestSQSFailureBeforeCommitLosesNothing(t *testing.T) {
	env := newSQS(t, 1)
	st := openStore(t, "")
	det := &flaky{testDetector: newTestDetector()}
	det.failures.Store(2)
	w := newWatcher(t, st, det, nil)
	var ids []string
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf("f%02d", i)
		ids = append(ids, id)
		env.send(t, writeEvent(t, id, actorN(i), baseTime.Add(time.Duration(i)*time.Minute)))
	}
	stop := consume(w, env.options())
	waitFor(t, "queue drained", func() bool { return env.depth(t) == 0 })
	stop()
	if got := findingCount(t, st); !sameCounts(got, wantWrites(ids...)) {
		t.Errorf("findings = %v", got)
	}
	if n := env.fake.Calls("ReceiveMessage"); n < 3 {
		t.Errorf("%d receives; the failed batches should have been redelivered", n)
	}
}

func TestSQSBadMessageStaysForRedrive(t *testing.T) {
	env := newSQS(t, 1)
	st := openStore(t, "")
	w := newWatcher(t, st, newTestDetector(), nil)
	env.send(t, []byte("this is not json"), writeEvent(t, "ok1", attacker, baseTime))
	stop := consume(w, env.options())
	waitFor(t, "good message processed", func() bool { s, _ := st.Seen(context.Background(), "ev:ok1"); return s })
	// The bad one keeps coming back (a redrive policy would move it).
	waitFor(t, "bad message redelivered", func() bool { return env.fake.Calls("ReceiveMessage") >= 3 })
	stop()
	if d := env.depth(t); d != 1 {
		t.Errorf("queue depth %d, want 1 (the bad message)", d)
	}
	out, _ := env.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(env.url), WaitTimeSeconds: 2,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "this is not json" {
		t.Fatalf("left in queue: %+v", out.Messages)
	}
	if n, _ := strconv.Atoi(out.Messages[0].Attributes["ApproximateReceiveCount"]); n < 2 {
		t.Errorf("bad message received %d times", n)
	}
}

// s3Env is gofakes3 on loopback with a path-style SDK client.
func newS3(t *testing.T, bucket string) *s3.Client {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	c := s3.New(s3.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true})
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return c
}

func putObject(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// trailFile is a CloudTrail object: the given records plus noise.
func trailFile(t *testing.T, recs ...map[string]any) []byte {
	all := []any{record("noise-"+fmt.Sprint(len(recs)), "s3.amazonaws.com", "GetObject", attacker, baseTime)}
	for _, r := range recs {
		all = append(all, r)
	}
	return gz(mustJSON(t, map[string]any{"Records": all}))
}

func s3Notice(t *testing.T, bucket, key, etag string) []byte {
	return mustJSON(t, map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventTime": "2025-08-01T10:20:00.000Z",
		"eventName": "ObjectCreated:Put",
		"s3": map[string]any{"s3SchemaVersion": "1.0", "bucket": map[string]any{"name": bucket, "arn": "arn:aws:s3:::" + bucket},
			"object": map[string]any{"key": key, "size": 100, "eTag": etag, "sequencer": "0055AED6DCD90281E5"}},
	}}})
}

func TestSQSS3Notifications(t *testing.T) {
	const bucket = "org-trail"
	s3c := newS3(t, bucket)
	prefix := "AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2025/08/01/"
	key1 := prefix + "111111111111_CloudTrail_us-east-1_20250801T1020Z_a.json.gz"
	key2 := prefix + "111111111111_CloudTrail_us-east-1_20250801T1025Z_b c.json.gz" // a space: form-encoded in notices
	bad := prefix + "111111111111_CloudTrail_us-east-1_20250801T1030Z_bad.json.gz"
	putObject(t, s3c, bucket, key1, trailFile(t,
		record("s1", "sso.amazonaws.com", "CreatePermissionSet", attacker, baseTime),
		record("s2", "identitystore.amazonaws.com", "CreateGroupMembership", attacker, baseTime.Add(time.Hour))))
	putObject(t, s3c, bucket, key2, trailFile(t, record("s3", "sso-directory.amazonaws.com", "AddMemberToGroup", actorN(9), baseTime)))
	putObject(t, s3c, bucket, bad, []byte("\x1f\x8bnot really gzip"))

	env := newSQS(t, 1)
	st := openStore(t, "")
	w := newWatcher(t, st, newTestDetector(), nil)
	snsWrapped := mustJSON(t, map[string]any{"Type": "Notification", "MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:111111111111:trail",
		"Message": string(s3Notice(t, bucket, "AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2025/08/01/111111111111_CloudTrail_us-east-1_20250801T1025Z_b+c.json.gz", "e2"))})
	env.send(t,
		s3Notice(t, bucket, key1, "e1"),
		s3Notice(t, bucket, key1, "e1"), // duplicate notification
		snsWrapped,
		s3Notice(t, bucket, "AWSLogs/o-abc123def4/111111111111/CloudTrail-Digest/us-east-1/2025/08/01/x.json.gz", "d"),
		[]byte(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2025-08-01T10:00:00.000Z","Bucket":"org-trail"}`),
	)
	o := env.options()
	o.S3 = s3c
	stop := consume(w, o)
	waitFor(t, "queue drained", func() bool { return env.depth(t) == 0 })
	// A corrupt file is not deleted: it stays for the redrive policy.
	env.send(t, s3Notice(t, bucket, bad, "e3"))
	waitFor(t, "corrupt object retried", func() bool { return env.fake.Calls("ReceiveMessage") > 4 })
	time.Sleep(1500 * time.Millisecond)
	stop()
	if got, want := findingCount(t, st), wantWrites("s1", "s2", "s3"); !sameCounts(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if seen, _ := st.Seen(context.Background(), "s3://"+bucket+"/"+key2+"#e2"); !seen {
		t.Error("object marker of the SNS-wrapped notice not stored")
	}
	if d := env.depth(t); d != 1 {
		t.Errorf("queue depth %d, want 1 (the corrupt object's notice)", d)
	}
	// S3 configured without a client: the message is kept, not dropped.
	w2 := newWatcher(t, openStore(t, ""), newTestDetector(), nil)
	msgs := []sqstypes.Message{{MessageId: aws.String("x"), Body: aws.String(string(s3Notice(t, bucket, key1, "e1")))}}
	if err := w2.handleBatch(context.Background(), SQSOptions{QueueURL: env.url, Client: env.client}, msgs); err == nil {
		t.Error("S3 notice without S3 client accepted")
	}
}

func TestConsumeSQSNeedsClient(t *testing.T) {
	w := newWatcher(t, openStore(t, ""), newTestDetector(), nil)
	if err := w.ConsumeSQS(context.Background(), SQSOptions{}); err == nil {
		t.Error("ConsumeSQS without client succeeded")
	}
}

// Bad records in an announced object are skipped and reported with the
// same errors hunt reports for the same bytes (object and record named);
// the good records of the object are still committed.
func TestSQSS3BadRecordsReportedAsHuntDoes(t *testing.T) {
	const bucket = "org-trail"
	s3c := newS3(t, bucket)
	key := "AWSLogs/111111111111/CloudTrail/us-east-1/2025/08/01/111111111111_CloudTrail_us-east-1_20250801T1020Z_x.json.gz"
	bad := record("b1", "sso.amazonaws.com", "CreatePermissionSet", attacker, baseTime)
	bad["eventTime"] = "yesterday"
	body := mustJSON(t, map[string]any{"Records": []any{
		record("noise", "s3.amazonaws.com", "GetObject", attacker, baseTime),
		record("g1", "sso.amazonaws.com", "CreatePermissionSet", attacker, baseTime),
		bad,
		42,
	}})
	putObject(t, s3c, bucket, key, gz(body))

	env := newSQS(t, 30)
	st := openStore(t, "")
	var got []string
	w, err := New(context.Background(), Options{Detector: newTestDetector(), Store: st,
		OnInputError: func(err error) { got = append(got, err.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	env.send(t, s3Notice(t, bucket, key, "e1"))
	out, err := env.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(env.url)})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %v, %d messages", err, len(out.Messages))
	}
	o := env.options()
	o.S3 = s3c
	if err := w.handleBatch(context.Background(), o, out.Messages); err != nil {
		t.Fatalf("handleBatch: %v", err)
	}
	if d := env.depth(t); d != 0 {
		t.Errorf("queue depth %d: the notice of an object with bad records must be deleted once committed", d)
	}
	if c := findingCount(t, st); !sameCounts(c, wantWrites("g1")) {
		t.Errorf("findings = %v, want g1's", c)
	}

	// What hunt's scan says about the same object.
	var want []string
	obj := source.Object{Name: "s3://" + bucket + "/" + key, Open: func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz(body))), nil
	}}
	if _, err := scan.Run(context.Background(), []source.Object{obj}, scan.Options{Prefilter: DefaultPrefilter(),
		OnError: func(err error) { want = append(want, err.Error()) }}, func([]*cloudtrail.Event) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) != 2 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("watch reported\n  %s\nhunt reports\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for i, e := range got {
		if !strings.Contains(e, obj.Name) || !strings.Contains(e, fmt.Sprintf("record %d", i+2)) {
			t.Errorf("report %q does not name the object and record %d", e, i+2)
		}
	}
}

// lockedBuffer is a log destination the test can read while the consumer
// writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Receive failures in a row back off (the pause grows with the count the
// log shows), and a good receive starts the count again.
func TestSQSReceiveFailuresBackOff(t *testing.T) {
	env := newSQS(t, 30)
	// No SDK retries: every failure reaches the consumer.
	env.client = sqs.New(sqs.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(env.fake.URL()), Retryer: aws.NopRetryer{}})
	var logs lockedBuffer
	st := openStore(t, "")
	w, err := New(context.Background(), Options{Detector: newTestDetector(), Store: st,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	env.fake.FailNext("ReceiveMessage", 3)
	env.send(t, writeEvent(t, "bo1", attacker, baseTime))
	o := env.options()
	o.ErrorBackoff, o.MaxErrorBackoff = 40*time.Millisecond, 100*time.Millisecond
	start := time.Now()
	stop := consume(w, o)
	defer stop()
	waitFor(t, "queue drained", func() bool { return env.depth(t) == 0 })
	// Each failure pauses (at least 20, 40 and 50 ms, the last capped):
	// a failing queue is not hammered.
	if took := time.Since(start); took < 110*time.Millisecond {
		t.Errorf("three failures and a success took %v: the consumer did not pause", took)
	}
	env.fake.FailNext("ReceiveMessage", 1)
	waitFor(t, "the next failure", func() bool { return strings.Count(logs.String(), "sqs receive") == 4 })
	var counts []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "sqs receive") {
			_, after, _ := strings.Cut(line, "failures=")
			counts = append(counts, strings.Fields(after)[0])
		}
	}
	if got := strings.Join(counts, ","); got != "1,2,3,1" {
		t.Errorf("failure counts logged %s, want 1,2,3,1 (reset after the good receive)", got)
	}
}
