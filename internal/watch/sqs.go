package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/portcullis-sec/portcullis/internal/backoff"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/sink"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// SQSAPI is what the consumer calls (IAM: sqs:ReceiveMessage,
// sqs:DeleteMessage).
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

// S3API fetches trail files announced by S3 notifications (IAM:
// s3:GetObject).
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// SQSOptions configure ConsumeSQS.
type SQSOptions struct {
	QueueURL          string
	Client            SQSAPI
	S3                S3API         // needed only for S3 notifications
	WaitTimeSeconds   int32         // long poll, default 20
	MaxMessages       int32         // per receive, default 10
	VisibilityTimeout int32         // seconds; 0 keeps the queue's setting
	ErrorBackoff      time.Duration // first pause after a failed receive or batch, default 1s
	MaxErrorBackoff   time.Duration // cap of the pause as failures repeat, default 30s

	// afterCommit, when set (tests), runs after a batch is committed and
	// before its messages are deleted.
	afterCommit func()
}

// ConsumeSQS long-polls the queue until ctx ends. Each batch of messages is
// parsed, detected and committed; only then are the messages deleted. A
// message that cannot be handled is left alone: SQS redelivers it after the
// visibility timeout and, with a redrive policy, moves it to the queue's
// dead-letter queue after maxReceiveCount tries.
func (w *Watcher) ConsumeSQS(ctx context.Context, o SQSOptions) error {
	if o.Client == nil || o.QueueURL == "" {
		return errors.New("watch: SQS client and queue URL are required")
	}
	if o.WaitTimeSeconds <= 0 {
		o.WaitTimeSeconds = 20
	}
	if o.MaxMessages <= 0 || o.MaxMessages > 10 {
		o.MaxMessages = 10
	}
	if o.ErrorBackoff <= 0 {
		o.ErrorBackoff = time.Second
	}
	if o.MaxErrorBackoff <= 0 {
		o.MaxErrorBackoff = 30 * time.Second
	}
	// Failures in a row back off: an outage or throttling is not hammered.
	pause := backoff.Policy{Base: o.ErrorBackoff, Max: o.MaxErrorBackoff}
	failures := 0
	for ctx.Err() == nil {
		out, err := o.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(o.QueueURL),
			MaxNumberOfMessages:         o.MaxMessages,
			WaitTimeSeconds:             o.WaitTimeSeconds,
			VisibilityTimeout:           o.VisibilityTimeout,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			w.health.Failure(fmt.Errorf("receive from %s: %w", o.QueueURL, err))
			w.retryAfter(ctx, pause, failures, "sqs receive failed", "queue", o.QueueURL, "err", err)
			continue
		}
		if len(out.Messages) == 0 {
			failures = 0
			w.health.Success()
			continue
		}
		if err := w.handleBatch(ctx, o, out.Messages); err != nil && ctx.Err() == nil {
			failures++
			w.health.Failure(fmt.Errorf("batch of %d messages from %s: %w", len(out.Messages), o.QueueURL, err))
			w.retryAfter(ctx, pause, failures, "sqs batch failed", "queue", o.QueueURL, "messages", len(out.Messages), "err", err)
			continue
		}
		failures = 0
		w.health.Success()
	}
	return nil
}

// retryAfter logs one line for a failure, with how long until the next
// try, and waits that long (or until ctx ends): one line per backoff step.
func (w *Watcher) retryAfter(ctx context.Context, pause backoff.Policy, failures int, msg string, args ...any) {
	delay := pause.Delay(failures, 0)
	w.log.Error(msg, append([]any{"failures", failures, "retry_in", delay.Round(time.Millisecond)}, args...)...)
	_ = backoff.Sleep(ctx, delay) // ends early only when ctx does
}

// handleBatch processes one receive's messages; the good ones are
// committed together and deleted, the bad ones stay for redelivery.
func (w *Watcher) handleBatch(ctx context.Context, o SQSOptions, msgs []sqstypes.Message) error {
	var (
		evs     []*cloudtrail.Event
		markers []string
		done    []sqstypes.Message
		errs    []error
	)
	rd := scan.NewReader(scan.Options{Prefilter: w.prefilter, MaxObjectBytes: w.maxObject, MaxRecordBytes: w.maxRecord})
	for _, m := range msgs {
		id := aws.ToString(m.MessageId)
		origin := "sqs message " + id
		if n, _ := strconv.Atoi(m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)]); n > 1 {
			origin += " (receive " + strconv.Itoa(n) + ")"
		}
		msg, err := ParseMessage([]byte(aws.ToString(m.Body)), origin)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objEvs, objMarkers, err := w.fetchObjects(ctx, o.S3, msg.Objects, rd)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", origin, err))
			continue
		}
		evs = append(evs, msg.Events...)
		evs = append(evs, objEvs...)
		markers = append(markers, objMarkers...)
		done = append(done, m)
	}
	if len(done) > 0 {
		res, err := w.Ingest(ctx, evs, markers...)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		w.log.Debug("sqs batch committed", "messages", len(done), "events", res.Received, "duplicates", res.Duplicates, "findings", res.Findings)
		if o.afterCommit != nil {
			o.afterCommit()
		}
		if err := deleteMessages(ctx, o, done); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// fetchObjects reads announced trail files through the scan's reader (the
// hunt's splitter, prefilter and fast decoder), keeping what the prefilter
// wants. Objects already processed (their marker is in the store), digest
// and insight files are skipped.
func (w *Watcher) fetchObjects(ctx context.Context, api S3API, refs []S3Ref, rd *scan.Reader) ([]*cloudtrail.Event, []string, error) {
	var evs []*cloudtrail.Event
	var markers []string
	for _, ref := range refs {
		k, ok := source.ParseKey(ref.Key)
		if ok && (k.Digest || k.Insight) {
			continue
		}
		marker := ref.Marker()
		if seen, err := w.st.Seen(ctx, marker); err != nil {
			return nil, nil, err
		} else if seen {
			continue
		}
		if api == nil {
			return nil, nil, fmt.Errorf("s3://%s/%s: S3 notification received but no S3 client configured", ref.Bucket, ref.Key)
		}
		obj := s3Object(api, ref, k)
		res := rd.Read(ctx, obj)
		if res.Failed && overCap(res.Problems) {
			// Reading it again costs the same and fails the same: it is
			// dead-lettered in the store and acknowledged, so one bomb
			// neither blocks the queue nor comes back every visibility
			// timeout. The complete records before the cut are kept.
			if err := w.deadLetterObject(ctx, obj.Name, marker, res.Problems); err != nil {
				return nil, nil, err
			}
		} else if res.Failed {
			// A damaged file will not heal on redelivery; a network error
			// may. Either way the message stays and the redrive policy
			// decides.
			return nil, nil, errors.Join(res.Problems...)
		}
		// One bad record must not hold back the rest of the file forever:
		// it is reported, as hunt reports it, and skipped.
		for _, p := range res.Problems {
			w.onInputError(p)
		}
		evs = append(evs, res.Events...)
		markers = append(markers, marker)
	}
	return evs, markers, nil
}

// overCap reports whether a read failed on a cap (object or record size).
func overCap(problems []error) bool {
	for _, p := range problems {
		if errors.Is(p, cloudtrail.ErrTooLarge) || errors.Is(p, cloudtrail.ErrRecordTooLarge) {
			return true
		}
	}
	return false
}

// DeadLetterInput is the sink name of dead letters for input refused by
// watch (an S3 object over a cap); finding_id holds the object's marker.
const DeadLetterInput = "watch-input"

// deadLetterObject reports an object refused for a cap and records it in
// the store's dead letters.
func (w *Watcher) deadLetterObject(ctx context.Context, name, marker string, problems []error) error {
	for _, p := range problems {
		w.onInputError(p)
	}
	err := w.st.AddDeadLetter(ctx, sink.DeadLetter{Sink: DeadLetterInput, FindingID: marker, Error: errors.Join(problems...).Error(), Attempts: 1})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	w.log.Error("s3 object refused and dead-lettered", "object", name, "err", errors.Join(problems...))
	return nil
}

// s3Object is the announced object as the scan reads it.
func s3Object(api S3API, ref S3Ref, k source.Key) source.Object {
	name := "s3://" + ref.Bucket + "/" + ref.Key
	return source.Object{Name: name, Size: ref.Size, Key: k, Open: func(ctx context.Context) (io.ReadCloser, error) {
		out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)})
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", name, err)
		}
		return out.Body, nil
	}}
}

func deleteMessages(ctx context.Context, o SQSOptions, msgs []sqstypes.Message) error {
	var errs []error
	for start := 0; start < len(msgs); start += 10 {
		part := msgs[start:min(start+10, len(msgs))]
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(part))
		for i, m := range part {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(start + i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := o.Client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(o.QueueURL), Entries: entries})
		if err != nil {
			// Harmless: the messages come back and dedupe drops them.
			errs = append(errs, fmt.Errorf("delete %d messages: %w", len(part), err))
			continue
		}
		for _, f := range out.Failed {
			errs = append(errs, fmt.Errorf("delete message %s: %s %s", aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message)))
		}
	}
	return errors.Join(errs...)
}
