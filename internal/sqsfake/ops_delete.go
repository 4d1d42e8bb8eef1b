package sqsfake

import (
	"context"
	"encoding/json"
	"time"
)

func errBadHandle(h string) *apiError {
	return &apiError{400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", true, "the receipt handle \"" + h + "\" is not valid"}
}

// deleteOne applies SQS's rules: an unknown handle is an error; a handle
// of an already deleted message, or a stale one, succeeds (a stale handle
// leaves the message in place, as SQS may). The caller holds s.mu.
func (s *Server) deleteOne(q *queue, handle string) *apiError {
	m, issued, current := q.lookup(handle)
	if !issued {
		return errBadHandle(handle)
	}
	if m == nil {
		return nil // deleted already
	}
	if current {
		q.remove(m)
		q.notify()
	}
	return nil
}

func (s *Server) deleteMessage(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if ae := s.deleteOne(q, in.ReceiptHandle); ae != nil {
		return nil, ae
	}
	return struct{}{}, nil
}

func (s *Server) deleteMessageBatch(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []struct{ Id, ReceiptHandle string }
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ok, failed := []map[string]string{}, []batchFailure{}
	for _, e := range in.Entries {
		if ae := s.deleteOne(q, e.ReceiptHandle); ae != nil {
			failed = append(failed, batchFailure{e.Id, true, ae.code, ae.msg})
			continue
		}
		ok = append(ok, map[string]string{"Id": e.Id})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

// changeOne sets a new visibility timeout on an in-flight message. The
// caller holds s.mu.
func (s *Server) changeOne(q *queue, handle string, secs int) *apiError {
	if secs < 0 || secs > 43200 {
		return errParam("VisibilityTimeout %d out of range", secs)
	}
	m, issued, current := q.lookup(handle)
	if !issued {
		return errBadHandle(handle)
	}
	now := s.now()
	if m == nil || !current || !m.visibleAt.After(now) {
		return &apiError{400, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", true, "message is not in flight"}
	}
	m.visibleAt = now.Add(time.Duration(secs) * time.Second)
	q.notify()
	return nil
}

func (s *Server) changeVisibility(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       int
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
	if ae := s.changeOne(q, in.ReceiptHandle, in.VisibilityTimeout); ae != nil {
		return nil, ae
	}
	return struct{}{}, nil
}

func (s *Server) changeVisibilityBatch(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct {
		QueueUrl string
		Entries  []struct {
			Id, ReceiptHandle string
			VisibilityTimeout int
		}
	}
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ok, failed := []map[string]string{}, []batchFailure{}
	for _, e := range in.Entries {
		if ae := s.changeOne(q, e.ReceiptHandle, e.VisibilityTimeout); ae != nil {
			failed = append(failed, batchFailure{e.Id, true, ae.code, ae.msg})
			continue
		}
		ok = append(ok, map[string]string{"Id": e.Id})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) purgeQueue(_ context.Context, dec *json.Decoder) (any, error) {
	var in struct{ QueueUrl string }
	if err := decode(dec, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueFor(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	q.msgs = nil
	for h := range q.handles {
		q.handles[h] = nil
	}
	q.notify()
	return struct{}{}, nil
}
