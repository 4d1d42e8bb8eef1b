package awsfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CloudTrail's event history: LookupEvents over the management events of
// the region a request is signed for, as the real API answers it — newest
// first, at most 50 a page (MaxResults 1–50), StartTime and EndTime both
// inclusive, one lookup attribute at most, and a NextToken that only
// resumes a request with the same parameters. WithHistoryRate makes it
// throttle like the real one (about 2 requests per second per account and
// region).

// history is the fake's event history; guarded by the Server's mu.
type history struct {
	events   map[string][]historyEvent // by region, in the order added
	pageSize int                       // cap on a page; 0: 50
	rate     float64                   // lookups a second per region; 0: no limit
	buckets  map[string]*bucket        // by region
	region   string                    // region of the request being answered
}

// historyEvent is one event as LookupEvents returns it.
type historyEvent struct {
	EventID         string            `json:"EventId"`
	EventName       string            `json:"EventName"`
	ReadOnly        string            `json:"ReadOnly"`
	AccessKeyID     string            `json:"AccessKeyId,omitempty"`
	EventTime       json.Number       `json:"EventTime"` // epoch seconds
	EventSource     string            `json:"EventSource"`
	Username        string            `json:"Username,omitempty"`
	Resources       []historyResource `json:"Resources"`
	CloudTrailEvent string            `json:"CloudTrailEvent"`
	time            time.Time         // eventTime, for filtering and order
	seq             int               // order added, to break ties
}

type historyResource struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

// WithHistoryPageSize caps the events one LookupEvents page holds (the real
// API's limit is 50), so tests span many pages with few events.
func WithHistoryPageSize(n int) Option {
	return func(s *Server) { s.history.pageSize = n }
}

// WithHistoryRate throttles LookupEvents like the real API: each region
// has a token bucket of perSecond tokens a second holding at most
// historyBurst; a request that finds it empty fails with ThrottlingException.
func WithHistoryRate(perSecond float64) Option {
	return func(s *Server) { s.history.rate = perSecond }
}

// historyBurst is the fake's bucket size: room for one request's worth of
// network and scheduling jitter on top of the steady rate.
const historyBurst = 2

type bucket struct {
	tokens float64
	at     time.Time
}

// take spends a token of region's bucket, false when there is none.
func (h *history) take(region string, now time.Time) bool {
	if h.buckets == nil {
		h.buckets = map[string]*bucket{}
	}
	b := h.buckets[region]
	if b == nil {
		b = &bucket{tokens: historyBurst, at: now}
		h.buckets[region] = b
	}
	b.tokens = min(historyBurst, b.tokens+now.Sub(b.at).Seconds()*h.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// AddHistory adds CloudTrail records (JSON objects as in a trail file) to
// the event history of region. The summary fields LookupEvents returns and
// filters on come from the record.
func (s *Server) AddHistory(region string, records ...[]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.history.events == nil {
		s.history.events = map[string][]historyEvent{}
	}
	for i, rec := range records {
		var r struct {
			EventID, EventName, EventSource, EventTime string
			ReadOnly                                   *bool
			UserIdentity                               struct{ UserName, AccessKeyID, Arn string }
			Resources                                  []struct{ ARN, Type string }
		}
		if err := json.Unmarshal(rec, &r); err != nil {
			return fmt.Errorf("history record %d: %w", i, err)
		}
		t, err := time.Parse(time.RFC3339, r.EventTime)
		if err != nil {
			return fmt.Errorf("history record %d: eventTime: %w", i, err)
		}
		ev := historyEvent{
			EventID: r.EventID, EventName: r.EventName, EventSource: r.EventSource,
			ReadOnly: "false", AccessKeyID: r.UserIdentity.AccessKeyID, Username: r.UserIdentity.UserName,
			EventTime: json.Number(strconv.FormatInt(t.Unix(), 10)), Resources: []historyResource{},
			CloudTrailEvent: string(rec), time: t, seq: len(s.history.events[region]),
		}
		if r.ReadOnly != nil && *r.ReadOnly {
			ev.ReadOnly = "true"
		}
		if ev.Username == "" { // a role session: the ARN's last part
			ev.Username = r.UserIdentity.Arn[strings.LastIndexByte(r.UserIdentity.Arn, '/')+1:]
		}
		for _, res := range r.Resources {
			ev.Resources = append(ev.Resources, historyResource{ResourceType: res.Type, ResourceName: res.ARN})
		}
		s.history.events[region] = append(s.history.events[region], ev)
	}
	return nil
}

type lookupEventsInput struct {
	LookupAttributes []struct{ AttributeKey, AttributeValue string }
	StartTime        *json.Number
	EndTime          *json.Number
	EventCategory    string
	MaxResults       *int32
	NextToken        *string
}

// lookupAttributes are the keys LookupEvents filters on.
var lookupAttributes = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

func (s *Server) lookupEvents(in *lookupEventsInput) (any, *apiError) {
	h := &s.history
	if h.rate > 0 && !h.take(h.region, time.Now()) {
		return nil, &apiError{code: "ThrottlingException", msg: "Rate exceeded"}
	}
	if len(in.LookupAttributes) > 1 {
		return nil, &apiError{code: "InvalidLookupAttributesException", msg: "You can only specify one lookup attribute."}
	}
	for _, a := range in.LookupAttributes {
		if !slices.Contains(lookupAttributes, a.AttributeKey) || a.AttributeValue == "" || len(a.AttributeValue) > 2000 {
			return nil, &apiError{code: "InvalidLookupAttributesException", msg: fmt.Sprintf("Invalid lookup attribute %q=%q", a.AttributeKey, a.AttributeValue)}
		}
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 50) {
		return nil, &apiError{code: "InvalidMaxResultsException", msg: "MaxResults must be between 1 and 50."}
	}
	if in.EventCategory != "" && in.EventCategory != "insight" {
		return nil, &apiError{code: "InvalidEventCategoryException", msg: "EventCategory must be insight."}
	}
	start, end := time.Time{}, time.Unix(math.MaxInt32, 0)
	for _, b := range []struct {
		n *json.Number
		t *time.Time
	}{{in.StartTime, &start}, {in.EndTime, &end}} {
		if b.n == nil {
			continue
		}
		f, err := b.n.Float64()
		if err != nil {
			return nil, invalid(CloudTrail, "timestamp: "+err.Error())
		}
		*b.t = time.UnixMilli(int64(math.Round(f * 1000)))
	}
	if start.After(end) {
		return nil, &apiError{code: "InvalidTimeRangeException", msg: "Start time must be before end time."}
	}

	var match []historyEvent
	if in.EventCategory == "" { // no Insights events here
		for _, ev := range h.events[h.region] {
			if !ev.time.Before(start) && !ev.time.After(end) && ev.matches(in.LookupAttributes) {
				match = append(match, ev)
			}
		}
	}
	// Newest first, as the real API answers.
	slices.SortStableFunc(match, func(a, b historyEvent) int {
		if c := b.time.Compare(a.time); c != 0 {
			return c
		}
		return b.seq - a.seq
	})

	size := 50
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	if h.pageSize > 0 {
		size = min(size, h.pageSize)
	}
	scope := lookupScope(in)
	lo := 0
	if in.NextToken != nil {
		off, ok := decodeToken(*in.NextToken, "LookupEvents", scope)
		if !ok || off > len(match) {
			return nil, &apiError{code: "InvalidNextTokenException", msg: "Invalid NextToken."}
		}
		lo = off
	}
	hi := min(lo+size, len(match))
	out := struct {
		Events    []historyEvent
		NextToken *string `json:",omitempty"`
	}{Events: append([]historyEvent{}, match[lo:hi]...)}
	if hi < len(match) {
		t := encodeToken("LookupEvents", scope, hi)
		out.NextToken = &t
	}
	return out, nil
}

// lookupScope fingerprints the parameters a NextToken is bound to.
func lookupScope(in *lookupEventsInput) string {
	p := *in
	p.NextToken, p.MaxResults = nil, nil
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

func (ev *historyEvent) matches(attrs []struct{ AttributeKey, AttributeValue string }) bool {
	for _, a := range attrs {
		var got []string
		switch a.AttributeKey {
		case "EventId":
			got = []string{ev.EventID}
		case "EventName":
			got = []string{ev.EventName}
		case "ReadOnly":
			got = []string{ev.ReadOnly}
		case "Username":
			got = []string{ev.Username}
		case "EventSource":
			got = []string{ev.EventSource}
		case "AccessKeyId":
			got = []string{ev.AccessKeyID}
		case "ResourceType":
			for _, r := range ev.Resources {
				got = append(got, r.ResourceType)
			}
		case "ResourceName":
			for _, r := range ev.Resources {
				got = append(got, r.ResourceName)
			}
		}
		if !slices.Contains(got, a.AttributeValue) {
			return false
		}
	}
	return true
}

// sigV4Region is the region of a request's SigV4 credential scope
// (Credential=AKID/DATE/REGION/SERVICE/aws4_request), "" if none.
func sigV4Region(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[2]
}

// splitTarget splits X-Amz-Target at its last dot into service prefix and
// operation.
func splitTarget(target string) (prefix, op string) {
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return target, ""
	}
	return target[:i], target[i+1:]
}
