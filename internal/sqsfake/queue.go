package sqsfake

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// message is one message and its delivery state.
type message struct {
	id, body, md5 string
	sent          time.Time
	visibleAt     time.Time // invisible until then (delay or in flight)
	receiveCount  int
	firstReceive  time.Time
	handle        string // the latest receipt handle; "" before the first receive
	inFlight      bool
}

// queue holds messages in send order; a receive scans for visible ones,
// which is plenty for tests.
type queue struct {
	name       string
	url        string
	visibility time.Duration // default visibility timeout
	wait       time.Duration // default long-poll wait
	delay      time.Duration
	created    time.Time
	msgs       []*message
	handles    map[string]*message // every handle ever issued; nil once its message is deleted
	changed    chan struct{}       // closed and replaced on every change
}

func newQueue(name, url string, now time.Time) *queue {
	return &queue{name: name, url: url, visibility: 30 * time.Second, created: now,
		handles: map[string]*message{}, changed: make(chan struct{})}
}

// notify wakes long polls.
func (q *queue) notify() {
	close(q.changed)
	q.changed = make(chan struct{})
}

func (q *queue) send(body string, delay time.Duration, now time.Time) *message {
	sum := md5.Sum([]byte(body))
	m := &message{id: randomID(), body: body, md5: hex.EncodeToString(sum[:]), sent: now, visibleAt: now.Add(delay)}
	q.msgs = append(q.msgs, m)
	q.notify()
	return m
}

// receive takes up to max visible messages, making them invisible for vis.
func (q *queue) receive(max int, vis time.Duration, now time.Time) []*message {
	var out []*message
	for _, m := range q.msgs {
		if len(out) == max {
			break
		}
		if m.visibleAt.After(now) {
			continue
		}
		m.receiveCount++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.inFlight = true
		m.visibleAt = now.Add(vis)
		m.handle = randomID() + randomID() // a new handle per receive, like SQS
		q.handles[m.handle] = m
		out = append(out, m)
	}
	return out
}

// nextVisible is when the earliest invisible message reappears (zero if none).
func (q *queue) nextVisible(now time.Time) time.Time {
	var next time.Time
	for _, m := range q.msgs {
		if m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	return next
}

// lookup resolves a receipt handle: issued says whether we ever gave it out,
// m is nil once its message was deleted, current whether it is the
// message's latest handle.
func (q *queue) lookup(handle string) (m *message, issued, current bool) {
	m, issued = q.handles[handle]
	return m, issued, m != nil && m.handle == handle
}

// remove deletes a message (and forgets its handles).
func (q *queue) remove(m *message) {
	for i, x := range q.msgs {
		if x == m {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			break
		}
	}
	for h, x := range q.handles {
		if x == m {
			q.handles[h] = nil
		}
	}
}

func (q *queue) counts(now time.Time) (visible, inFlight, delayed int) {
	for _, m := range q.msgs {
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.inFlight:
			inFlight++
		default:
			delayed++
		}
	}
	return
}

func (q *queue) attributes(now time.Time) map[string]string {
	v, f, d := q.counts(now)
	return map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(v),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(f),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(d),
		"VisibilityTimeout":                     strconv.Itoa(int(q.visibility / time.Second)),
		"ReceiveMessageWaitTimeSeconds":         strconv.Itoa(int(q.wait / time.Second)),
		"DelaySeconds":                          strconv.Itoa(int(q.delay / time.Second)),
		"CreatedTimestamp":                      strconv.FormatInt(q.created.Unix(), 10),
		"QueueArn":                              "arn:aws:sqs:us-east-1:" + AccountID + ":" + q.name,
	}
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
