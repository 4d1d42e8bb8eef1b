//go:build linux

package faults

import (
	"context"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/portcullis-sec/portcullis/internal/sqsfake"
)

const secret = "faults-shared-secret"

// TestKillHTTPMidBatch: senders POST batches of EventBridge events to
// `portcullis watch --listen` and retry until they get 202, as EventBridge
// API destinations do, while the process is killed with SIGKILL at random
// moments and restarted on the same store. Every acknowledged event must
// have exactly one finding.
func TestKillHTTPMidBatch(t *testing.T) {
	n, kills := size(600, 15000), size(3, 8)
	const batch, senders = 5, 8
	storePath := filepath.Join(t.TempDir(), "watch.db")
	addr := freeAddr(t)
	env := hermeticEnv(t, "PORTCULLIS_WATCH_SECRET="+secret)
	run := func() *proc { return start(t, env, "watch", "--store", storePath, "--listen", addr) }

	batches := make(chan []int, n/batch+1)
	for lo := 0; lo < n; lo += batch {
		var b []int
		for i := lo; i < min(lo+batch, n); i++ {
			b = append(b, i)
		}
		batches <- b
	}
	close(batches)
	var acked, retries atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	begin := time.Now()
	for range senders {
		wg.Go(func() {
			for b := range batches {
				var parts []string
				for _, i := range b {
					parts = append(parts, eventBridge(i))
				}
				body := "[" + strings.Join(parts, ",") + "]"
				for {
					req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/events", strings.NewReader(body))
					req.Header.Set("X-Portcullis-Secret", secret)
					resp, err := client.Do(req)
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusAccepted {
							acked.Add(int64(len(b)))
							break
						}
					}
					retries.Add(1)
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	p := run()
	for k := range kills {
		// Kill while batches are in flight: after some progress, at a
		// random moment.
		target := int64(n) * int64(k+1) / int64(kills+1)
		for acked.Load() < target {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		p.kill(t)
		p = run()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	p.stop(t)
	c := count(t, storePath, n)
	report(t, "HTTP kill -9: %d kills, %s, %d retried posts, %v", kills, c, retries.Load(), elapsed.Round(time.Millisecond))
	if c.lost != 0 || c.doubled != 0 || c.other != 0 || acked.Load() != int64(n) {
		t.Errorf("%s (acked %d): want none lost or doubled", c, acked.Load())
	}
}

// TestKillSQSMidBatch: `portcullis watch --sqs-queue-url` consumes a queue
// (one EventBridge event per message, as an EventBridge target sends) and
// is killed with SIGKILL at random moments and restarted; SQS redelivers
// what was not deleted. When the queue is empty, every event must have
// exactly one finding.
func TestKillSQSMidBatch(t *testing.T) {
	n, kills := size(600, 15000), size(3, 8)
	fake, err := sqsfake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	ctx := context.Background()
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAULTS", "faults-secret", "")})
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("idc-events"),
		Attributes: map[string]string{"VisibilityTimeout": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < n; lo += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i := lo; i < min(lo+10, n); i++ {
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(eventBridge(i))})
		}
		if _, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries}); err != nil {
			t.Fatal(err)
		}
	}
	depth := func() int {
		out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
		f, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
		return v + f
	}
	storePath := filepath.Join(t.TempDir(), "watch.db")
	env := hermeticEnv(t)
	run := func() *proc {
		return start(t, env, "watch", "--store", storePath, "--sqs-queue-url", *q.QueueUrl, "--sqs-endpoint", fake.URL())
	}
	begin := time.Now()
	p := run()
	for k := range kills {
		target := n - n*(k+1)/(kills+1)
		for depth() > target {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		p.kill(t)
		p = run()
	}
	deadline := time.Now().Add(time.Duration(size(120, 1200)) * time.Second)
	for depth() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained (%d left); output:\n%s", depth(), p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	p.stop(t)
	c := count(t, storePath, n)
	report(t, "SQS kill -9: %d kills, %s, %d receives, %v", kills, c, fake.Calls("ReceiveMessage"), elapsed.Round(time.Millisecond))
	if c.lost != 0 || c.doubled != 0 || c.other != 0 {
		t.Errorf("%s: want none lost or doubled", c)
	}
}
