package watch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// DecodeEvents reads a body of EventBridge events — one event, a JSON array
// of them, JSON lines — or bare CloudTrail records ({"Records":[…]} too),
// and decodes every record with the splitter and fast decoder hunt uses
// (no prefilter: EventBridge's pattern already chose these events, and
// each one's id is remembered). Any bad record fails the whole body, with an
// error naming the record and what is wrong, so a sender never gets a
// half-accepted batch.
func DecodeEvents(body []byte, origin string) ([]*cloudtrail.Event, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body: want an EventBridge event, an array of them, or CloudTrail records")
	}
	var evs []*cloudtrail.Event
	var decodeErr error
	err := cloudtrail.Split(body, func(i int, rec []byte) error {
		e, err := cloudtrail.DecodeFast(rec, cloudtrail.Origin{File: origin, Index: i})
		if err != nil {
			decodeErr = err
			return err
		}
		evs = append(evs, e)
		return nil
	})
	if decodeErr != nil {
		return nil, decodeErr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("%s: no CloudTrail records found", origin)
	}
	return evs, nil
}

// S3Ref is an object an S3 notification announced.
type S3Ref struct {
	Bucket, Key, ETag string
	Size              int64
}

// Marker is the processed-key of the object (the ETag tells rewrites apart).
func (r S3Ref) Marker() string {
	m := "s3://" + r.Bucket + "/" + r.Key
	if r.ETag != "" {
		m += "#" + r.ETag
	}
	return m
}

// Message is what one SQS message body holds.
type Message struct {
	Events  []*cloudtrail.Event // EventBridge-forwarded CloudTrail events
	Objects []S3Ref             // new trail files to fetch
}

// snsEnvelope is an SNS notification delivered to SQS (raw delivery off).
type snsEnvelope struct {
	Type    string `json:"Type"`
	Message string `json:"Message"`
}

// s3Notification is S3's event notification format.
type s3Notification struct {
	Records []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
				ETag string `json:"eTag"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
	Event string `json:"Event"` // "s3:TestEvent" when a notification is set up
}

// eventBridgeS3 is EventBridge's "Object Created" event for S3.
type eventBridgeS3 struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Detail     struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
			ETag string `json:"etag"`
		} `json:"object"`
	} `json:"detail"`
}

// ParseMessage reads one SQS message body: EventBridge events (CloudTrail
// API calls), S3 "object created" notifications (S3's own format, possibly
// wrapped in SNS, or EventBridge's "Object Created"), or the S3 test event
// (nothing to do).
func ParseMessage(body []byte, origin string) (Message, error) {
	body = bytes.TrimSpace(body)
	var env snsEnvelope
	if len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &env) == nil && env.Type == "Notification" && env.Message != "" {
		body = bytes.TrimSpace([]byte(env.Message))
		origin += " (SNS)"
	}
	if refs, ok, err := s3Refs(body); ok || err != nil {
		if err != nil {
			return Message{}, fmt.Errorf("%s: %w", origin, err)
		}
		return Message{Objects: refs}, nil
	}
	evs, err := DecodeEvents(body, origin)
	if err != nil {
		return Message{}, err
	}
	return Message{Events: evs}, nil
}

// s3Refs recognises the S3 notification shapes; ok is false for anything
// else.
func s3Refs(body []byte) (refs []S3Ref, ok bool, err error) {
	if len(body) == 0 || body[0] != '{' {
		return nil, false, nil
	}
	if bytes.Contains(body, []byte(`"aws:s3"`)) || bytes.Contains(body, []byte(`s3:TestEvent`)) {
		var n s3Notification
		if err := json.Unmarshal(body, &n); err != nil {
			return nil, false, nil
		}
		if n.Event == "s3:TestEvent" {
			return nil, true, nil
		}
		if len(n.Records) == 0 || n.Records[0].EventSource != "aws:s3" {
			return nil, false, nil
		}
		for i, r := range n.Records {
			if r.EventSource != "aws:s3" {
				return nil, true, fmt.Errorf("S3 notification record %d: eventSource %q", i, r.EventSource)
			}
			if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
				continue // deletions, restores …: nothing to read
			}
			key, err := url.QueryUnescape(r.S3.Object.Key) // S3 form-encodes keys here
			if err != nil || r.S3.Bucket.Name == "" || key == "" {
				return nil, true, fmt.Errorf("S3 notification record %d: bad bucket or key %q", i, r.S3.Object.Key)
			}
			refs = append(refs, S3Ref{Bucket: r.S3.Bucket.Name, Key: key, ETag: r.S3.Object.ETag, Size: r.S3.Object.Size})
		}
		return refs, true, nil
	}
	if bytes.Contains(body, []byte(`"aws.s3"`)) {
		var e eventBridgeS3
		if err := json.Unmarshal(body, &e); err != nil || e.Source != "aws.s3" {
			return nil, false, nil
		}
		if e.DetailType != "Object Created" {
			return nil, true, nil
		}
		if e.Detail.Bucket.Name == "" || e.Detail.Object.Key == "" {
			return nil, true, errors.New("EventBridge S3 event without bucket or key")
		}
		return []S3Ref{{Bucket: e.Detail.Bucket.Name, Key: e.Detail.Object.Key, ETag: e.Detail.Object.ETag, Size: e.Detail.Object.Size}}, true, nil
	}
	return nil, false, nil
}
