package sqsfake

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// setup starts the fake and returns a real SDK client and a queue URL.
func setup(t *testing.T, attrs map[string]string) (*Server, *sqs.Client, string) {
	t.Helper()
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := sqs.New(sqs.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(s.URL()),
	})
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("events"), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, aws.ToString(out.QueueUrl)
}

func receive(t *testing.T, c *sqs.Client, url string, max, wait int32, vis *int32) []types.Message {
	t.Helper()
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: max, WaitTimeSeconds: wait,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount}}
	if vis != nil {
		in.VisibilityTimeout = *vis
	}
	out, err := c.ReceiveMessage(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func TestQueueURLsAndUnknownQueue(t *testing.T) {
	_, c, url := setup(t, nil)
	ctx := context.Background()
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("events")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v; want %s", got, err, url)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var nq *types.QueueDoesNotExist
	if !errors.As(err, &nq) {
		t.Errorf("unknown queue: %v, want QueueDoesNotExist", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url + "x"), MessageBody: aws.String("b")})
	if !errors.As(err, &nq) {
		t.Errorf("send to unknown queue: %v", err)
	}
	// Same name, same attributes: idempotent.
	again, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	if err != nil || aws.ToString(again.QueueUrl) != url {
		t.Errorf("CreateQueue again = %v, %v", again, err)
	}
}

func TestSendReceiveDelete(t *testing.T) {
	_, c, url := setup(t, nil)
	ctx := context.Background()
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(`{"detail":{}}`)}); err != nil {
		t.Fatal(err) // the SDK checks MD5OfMessageBody
	}
	msgs := receive(t, c, url, 10, 0, nil)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != `{"detail":{}}` || msgs[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("received %+v", msgs)
	}
	if again := receive(t, c, url, 10, 0, nil); len(again) != 0 {
		t.Errorf("in-flight message received again: %+v", again)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// Deleting twice succeeds; an invented handle does not.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle}); err != nil {
		t.Errorf("second delete: %v", err)
	}
	_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("made-up")})
	var bad *types.ReceiptHandleIsInvalid
	if !errors.As(err, &bad) {
		t.Errorf("made-up handle: %v", err)
	}
}

func TestRedeliveryAfterVisibilityTimeout(t *testing.T) {
	_, c, url := setup(t, map[string]string{"VisibilityTimeout": "1"})
	ctx := context.Background()
	c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m")})
	first := receive(t, c, url, 1, 0, nil)
	if len(first) != 1 {
		t.Fatal("no message")
	}
	start := time.Now()
	// A long poll wakes when the message becomes visible again, not at its end.
	second := receive(t, c, url, 1, 5, nil)
	if len(second) != 1 {
		t.Fatal("message not redelivered")
	}
	if el := time.Since(start); el < 700*time.Millisecond || el > 3*time.Second {
		t.Errorf("redelivered after %v, want about 1s", el)
	}
	if aws.ToString(first[0].ReceiptHandle) == aws.ToString(second[0].ReceiptHandle) {
		t.Error("receipt handle did not change on redelivery")
	}
	if aws.ToString(first[0].MessageId) != aws.ToString(second[0].MessageId) || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("second delivery = %+v", second[0])
	}
	// The stale handle "succeeds" but leaves the message in place.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n := countMessages(t, c, url); n != 1 {
		t.Fatalf("stale-handle delete removed the message (%d left)", n)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if n := countMessages(t, c, url); n != 0 {
		t.Errorf("%d messages left after delete", n)
	}
}

func countMessages(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	f, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return v + f
}

func TestLongPolling(t *testing.T) {
	_, c, url := setup(t, nil)
	start := time.Now()
	if msgs := receive(t, c, url, 10, 1, nil); len(msgs) != 0 {
		t.Fatalf("got %d messages from an empty queue", len(msgs))
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("empty long poll returned after %v, want >= 1s", el)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("late")})
	}()
	start = time.Now()
	msgs := receive(t, c, url, 10, 10, nil)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("long poll took %v to see a message sent after 200ms", el)
	}
}

func TestChangeVisibility(t *testing.T) {
	_, c, url := setup(t, nil)
	ctx := context.Background()
	c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m")})
	msgs := receive(t, c, url, 1, 0, nil)
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	again := receive(t, c, url, 1, 0, nil)
	if len(again) != 1 {
		t.Fatal("message not visible after visibility 0")
	}
	_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 10})
	var notInFlight *types.MessageNotInflight
	if !errors.As(err, &notInFlight) {
		t.Errorf("stale handle: %v, want MessageNotInflight", err)
	}
}

func TestBatches(t *testing.T) {
	_, c, url := setup(t, nil)
	ctx := context.Background()
	var entries []types.SendMessageBatchRequestEntry
	for i := 0; i < 10; i++ {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(fmt.Sprintf("body-%d", i))})
	}
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil || len(out.Successful) != 10 {
		t.Fatalf("SendMessageBatch = %+v, %v", out, err)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: append(entries, entries[0])})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Errorf("11 entries: %v", err)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{entries[0], entries[0]}})
	var dup *types.BatchEntryIdsNotDistinct
	if !errors.As(err, &dup) {
		t.Errorf("duplicate ids: %v", err)
	}
	if _, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11}); err == nil {
		t.Error("MaxNumberOfMessages 11 accepted")
	}
	msgs := receive(t, c, url, 10, 0, nil)
	if len(msgs) != 10 {
		t.Fatalf("received %d, want 10", len(msgs))
	}
	del := []types.DeleteMessageBatchRequestEntry{{Id: aws.String("bad"), ReceiptHandle: aws.String("nope")}}
	for i, m := range msgs {
		if i < 9 {
			del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
		}
	}
	dout, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del})
	if err != nil || len(dout.Successful) != 9 || len(dout.Failed) != 1 || aws.ToString(dout.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("DeleteMessageBatch = %+v, %v", dout, err)
	}
	if n := countMessages(t, c, url); n != 1 {
		t.Errorf("%d messages left, want 1", n)
	}
}

func TestInjectedFailureIsRetriedBySDK(t *testing.T) {
	s, c, url := setup(t, nil)
	s.FailNext("ReceiveMessage", 1)
	before := s.Calls("ReceiveMessage")
	receive(t, c, url, 1, 0, nil)
	if got := s.Calls("ReceiveMessage") - before; got != 2 {
		t.Errorf("%d ReceiveMessage calls, want 2 (one failure, one retry)", got)
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	s, c, url := setup(t, nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll still blocked after Close")
	}
}
