package sqsfake

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

var queueNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}(\.fifo)?$`)

func (s *Server) createQueue(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueName  string
		Attributes map[string]string
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	if !queueNameRe.MatchString(in.QueueName) {
		return nil, errParam("invalid queue name %q", in.QueueName)
	}
	q := newQueue(in.QueueName, s.base+"/"+AccountID+"/"+in.QueueName, s.now())
	for k, v := range in.Attributes {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, &apiError{400, "InvalidAttributeValue", "InvalidAttributeValue", true, "attribute " + k + ": " + v}
		}
		switch k {
		case "VisibilityTimeout":
			if n < 0 || n > 43200 {
				return nil, &apiError{400, "InvalidAttributeValue", "InvalidAttributeValue", true, "VisibilityTimeout out of range"}
			}
			q.visibility = time.Duration(n) * time.Second
		case "ReceiveMessageWaitTimeSeconds":
			if n < 0 || n > 20 {
				return nil, &apiError{400, "InvalidAttributeValue", "InvalidAttributeValue", true, "ReceiveMessageWaitTimeSeconds out of range"}
			}
			q.wait = time.Duration(n) * time.Second
		case "DelaySeconds":
			if n < 0 || n > 900 {
				return nil, &apiError{400, "InvalidAttributeValue", "InvalidAttributeValue", true, "DelaySeconds out of range"}
			}
			q.delay = time.Duration(n) * time.Second
		case "MessageRetentionPeriod", "MaximumMessageSize":
			// accepted, not enforced
		default:
			return nil, &apiError{400, "InvalidAttributeName", "InvalidAttributeName", true, "unknown attribute " + k}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.queues[in.QueueName]; ok {
		if old.visibility != q.visibility || old.wait != q.wait || old.delay != q.delay {
			return nil, &apiError{400, "QueueNameExists", "QueueAlreadyExists", true, "queue exists with different attributes"}
		}
		return map[string]string{"QueueUrl": old.url}, nil
	}
	s.queues[in.QueueName] = q
	return map[string]string{"QueueUrl": q.url}, nil
}

func (s *Server) getQueueURL(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct{ QueueName string }
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[in.QueueName]
	if !ok {
		return nil, errNoQueue(in.QueueName)
	}
	return map[string]string{"QueueUrl": q.url}, nil
}

func (s *Server) getQueueAttributes(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	all := q.attributes(s.now())
	out := map[string]string{}
	for k, v := range all {
		if slices.Contains(in.AttributeNames, "All") || slices.Contains(in.AttributeNames, k) {
			out[k] = v
		}
	}
	return map[string]any{"Attributes": out}, nil
}

func checkBody(body string) error {
	if body == "" {
		return &apiError{400, "MissingParameter", "MissingParameter", true, "MessageBody is required"}
	}
	if len(body) > MaxBodyBytes {
		return errParam("message of %d bytes exceeds %d", len(body), MaxBodyBytes)
	}
	if !utf8.ValidString(body) {
		return &apiError{400, "InvalidMessageContents", "InvalidMessageContents", true, "message is not valid UTF-8"}
	}
	return nil
}

func delayOf(q *queue, d *int) (time.Duration, error) {
	if d == nil {
		return q.delay, nil
	}
	if *d < 0 || *d > 900 {
		return 0, errParam("DelaySeconds %d out of range 0..900", *d)
	}
	return time.Duration(*d) * time.Second, nil
}

func (s *Server) sendMessage(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl     string
		MessageBody  string
		DelaySeconds *int
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	if err := checkBody(in.MessageBody); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	d, err := delayOf(q, in.DelaySeconds)
	if err != nil {
		return nil, err
	}
	m := q.send(in.MessageBody, d, s.now())
	return map[string]string{"MessageId": m.id, "MD5OfMessageBody": m.md5}, nil
}

type batchFailure struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

// checkBatch enforces 1..10 entries with distinct ids.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return &apiError{400, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", true, "no entries"}
	}
	if len(ids) > 10 {
		return &apiError{400, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", true, "more than 10 entries"}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return &apiError{400, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", true, "duplicate id " + id}
		}
		seen[id] = true
	}
	return nil
}

func (s *Server) sendMessageBatch(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []struct {
			Id           string
			MessageBody  string
			DelaySeconds *int
		}
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += len(e.MessageBody)
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	if total > MaxBodyBytes {
		return nil, &apiError{400, "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", true, "batch exceeds 256 KiB"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ok, failed := []map[string]string{}, []batchFailure{}
	for _, e := range in.Entries {
		d, err := delayOf(q, e.DelaySeconds)
		if err == nil {
			err = checkBody(e.MessageBody)
		}
		if err != nil {
			ae := err.(*apiError)
			failed = append(failed, batchFailure{e.Id, true, ae.code, ae.msg})
			continue
		}
		m := q.send(e.MessageBody, d, s.now())
		ok = append(ok, map[string]string{"Id": e.Id, "MessageId": m.id, "MD5OfMessageBody": m.md5})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) receiveMessage(ctx context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl                    string
		MaxNumberOfMessages         *int
		WaitTimeSeconds             *int
		VisibilityTimeout           *int
		AttributeNames              []string
		MessageSystemAttributeNames []string
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	max := 1
	if in.MaxNumberOfMessages != nil {
		if max = *in.MaxNumberOfMessages; max < 1 || max > 10 {
			return nil, errParam("MaxNumberOfMessages %d out of range 1..10", max)
		}
	}
	s.mu.Lock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	wait, vis := q.wait, q.visibility
	s.mu.Unlock()
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20 {
			return nil, errParam("WaitTimeSeconds %d out of range 0..20", *in.WaitTimeSeconds)
		}
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
			return nil, errParam("VisibilityTimeout %d out of range", *in.VisibilityTimeout)
		}
		vis = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	names := append(in.AttributeNames, in.MessageSystemAttributeNames...)
	deadline := time.Now().Add(wait)
	for {
		s.mu.Lock()
		now := s.now()
		got := q.receive(max, vis, now)
		if len(got) > 0 || !time.Now().Before(deadline) {
			out := make([]map[string]any, len(got))
			for i, m := range got {
				out[i] = messageJSON(m, names)
			}
			s.mu.Unlock()
			return map[string]any{"Messages": out}, nil
		}
		changed, next := q.changed, q.nextVisible(now)
		s.mu.Unlock()
		d := time.Until(deadline)
		if !next.IsZero() && next.Sub(now) < d {
			d = next.Sub(now)
		}
		t := time.NewTimer(d)
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-s.done:
			t.Stop()
			return map[string]any{"Messages": []any{}}, nil
		}
		t.Stop()
	}
}

func messageJSON(m *message, names []string) map[string]any {
	all := slices.Contains(names, "All")
	attrs := map[string]string{}
	add := func(k, v string) {
		if all || slices.Contains(names, k) {
			attrs[k] = v
		}
	}
	add("ApproximateReceiveCount", strconv.Itoa(m.receiveCount))
	add("SentTimestamp", strconv.FormatInt(m.sent.UnixMilli(), 10))
	add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(m.firstReceive.UnixMilli(), 10))
	add("SenderId", AccountID)
	out := map[string]any{"MessageId": m.id, "ReceiptHandle": m.handle, "MD5OfBody": m.md5, "Body": m.body}
	if len(attrs) > 0 {
		out["Attributes"] = attrs
	}
	return out
}
