package cloudtrail_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// jsonString is s as a JSON string, the way the AWS CLI prints a record it
// carries in CloudTrailEvent or message.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// lookupOutput is `aws cloudtrail lookup-events` output (CLI v2, indented).
func lookupOutput(recs ...string) string {
	var evs []string
	for i, r := range recs {
		evs = append(evs, `        {
            "EventId": "e`+strconv.Itoa(i)+`",
            "EventName": "ListAccounts",
            "ReadOnly": "true",
            "EventTime": "2026-05-01T12:00:00+00:00",
            "EventSource": "sso.amazonaws.com",
            "Username": "alice",
            "Resources": [],
            "CloudTrailEvent": `+jsonString(r)+`
        }`)
	}
	return "{\n    \"Events\": [\n" + strings.Join(evs, ",\n") + "\n    ],\n    \"NextToken\": \"kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4ZqDAajQbyH8tD1O16ArCMgFrd\"\n}\n"
}

// filterLogEventsOutput is `aws logs filter-log-events` output of a trail's
// CloudWatch Logs group.
func filterLogEventsOutput(msgs ...string) string {
	var evs []string
	for _, m := range msgs {
		evs = append(evs, `{"logStreamName":"111122223333_CloudTrail_us-east-1","timestamp":1777636800000,"message":`+jsonString(m)+
			`,"ingestionTime":1777636801000,"eventId":"38123456789012345678901234567890123456789012345678901234"}`)
	}
	return `{"events":[` + strings.Join(evs, ",") + `],"searchedLogStreams":[{"logStreamName":"111122223333_CloudTrail_us-east-1","searchedCompletely":true}]}`
}

// cliFormCases are the forms the AWS CLI prints; they are also FuzzSplit's seeds.
func cliFormCases() []splitCase {
	envelope := `{"Records":[` + r1 + `,` + r2 + `]}`
	getLogEvents := `{"events":[{"timestamp":1777636800000,"message":` + jsonString(r2) + `,"ingestionTime":1777636801000},` +
		`{"timestamp":1777636800001,"message":"START RequestId: 6959 Version: $LATEST\n","ingestionTime":1777636801000}],` +
		`"nextForwardToken":"f/38123456789012345678901234567890123456789012345678901234","nextBackwardToken":"b/3812"}`
	export := "2026-05-01T12:00:00.000Z " + r1 + "\n2026-05-01T12:00:01.250Z " + r2 + "\n"
	return []splitCase{
		{name: "lookup-events output", in: lookupOutput(r1, r2, r3), want: []string{r1, r2, r3}},
		{name: "lookup-events output without events", in: "{\n    \"Events\": []\n}\n"},
		{name: "lookup-events event without CloudTrailEvent", in: `{"Events":[{"EventId":"x","EventName":"ListAccounts"},{"CloudTrailEvent":` + jsonString(r1) + `}]}`,
			want: []string{r1}, bad: []badSlot{{0, cloudtrail.ErrNotCloudTrail}}},
		{name: "lookup-events CloudTrailEvent not a string", in: `{"Events":[{"CloudTrailEvent":` + r1 + `},17]}`,
			bad: []badSlot{{0, cloudtrail.ErrNotCloudTrail}, {1, cloudtrail.ErrNotObject}}},
		{name: "lookup-events CloudTrailEvent holding an S3 object", in: `{"Events":[{"CloudTrailEvent":` + jsonString(envelope) + `}]}`, want: []string{r1, r2}},
		{name: "lookup-events CloudTrailEvent with broken JSON", in: `{"Events":[{"CloudTrailEvent":` + jsonString(r1[:30]) + `},{"CloudTrailEvent":` + jsonString(r2) + `}]}`,
			want: []string{r2}, bad: []badSlot{{0, cloudtrail.ErrTruncated}}},
		{name: "logs filter-log-events output", in: filterLogEventsOutput(r1, r3), want: []string{r1, r3}},
		{name: "logs get-log-events output with a line of another log group", in: getLogEvents,
			want: []string{r2}, bad: []badSlot{{1, cloudtrail.ErrNotCloudTrail}}},
		{name: "log event without message", in: `{"events":[{"timestamp":1}]}`, bad: []badSlot{{0, cloudtrail.ErrNotCloudTrail}}},
		{name: "CloudWatch Logs export", in: export, want: []string{r1, r2}},
		{name: "CloudWatch Logs export with CRLF and no fraction", in: "2026-05-01T12:00:00Z " + r1 + "\r\n2026-05-01T12:00:01Z " + r2, want: []string{r1, r2}},
		{name: "CloudWatch Logs export with a broken line", in: "2026-05-01T12:00:00.000Z not json\n" + export,
			want: []string{r1, r2}, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "timestamp not at a line start is garbage", in: r1 + " 2026-05-01T12:00:00.000Z " + r2,
			want: []string{r1}, bad: []badSlot{{1, cloudtrail.ErrSyntax}}},
		{name: "JSON array of CloudTrailEvent strings", in: `[` + jsonString(r1) + `, ` + jsonString(r2) + `]`, want: []string{r1, r2}},
		{name: "JSON array of other strings", in: `["x",` + jsonString(r1) + `]`, want: []string{r1}, bad: []badSlot{{0, cloudtrail.ErrNotObject}}},
		{name: "an object of something else", in: `{"trailList":[{"Name":"org"}],"ResponseMetadata":{}}`, bad: []badSlot{{0, cloudtrail.ErrNotCloudTrail}}},
		{name: "a record with an events array is a record", in: `{"eventSource":"sso.amazonaws.com","events":[1]}`, want: []string{`{"eventSource":"sso.amazonaws.com","events":[1]}`}},
		// An Events or events array is split where it stands (so the streamer
		// need not hold an object too large for its window), unless the keys
		// before it made the object a record or an EventBridge event.
		{name: "Events then Records: both split, in key order", in: `{"Events":[{"CloudTrailEvent":` + jsonString(r2) + `}],"Records":[` + r1 + `]}`, want: []string{r2, r1}},
		{name: "Records then events: both split", in: `{"Records":[` + r1 + `],"events":[{"message":` + jsonString(r2) + `}]}`, want: []string{r1, r2}},
		{name: "Events after eventSource is part of the record", in: `{"eventSource":"x","Events":[{"CloudTrailEvent":` + jsonString(r2) + `}]}`,
			want: []string{`{"eventSource":"x","Events":[{"CloudTrailEvent":` + jsonString(r2) + `}]}`}},
		{name: "Events before eventSource is split, then the record", in: `{"Events":[{"CloudTrailEvent":` + jsonString(r2) + `}],"eventSource":"x"}`,
			want: []string{r2, `{"Events":[{"CloudTrailEvent":` + jsonString(r2) + `}],"eventSource":"x"}`}},
		{name: "Events after an EventBridge detail is not split", in: `{"detail-type":"x","detail":` + r1 + `,"Events":[{"CloudTrailEvent":` + jsonString(r2) + `}]}`, want: []string{r1}},
		{name: "every Events and events array is split", in: `{"events":[{"message":` + jsonString(r3) + `}],"Events":[{"CloudTrailEvent":` + jsonString(r2) + `}],"Events":[7]}`,
			want: []string{r3, r2}, bad: []badSlot{{2, cloudtrail.ErrNotObject}}},
		{name: "broken Events array keeps the records before the damage", in: `{"Events":[{"CloudTrailEvent":` + jsonString(r1) + `},{"CloudTrailEvent" 1}]}` + "\n" + r2,
			want: []string{r1, r2}, bad: []badSlot{{1, cloudtrail.ErrSyntax}}},
		{name: "escaped eventSource key is a record", in: `{"event\u0053ource":"sso.amazonaws.com"}`, want: []string{`{"event\u0053ource":"sso.amazonaws.com"}`}},
		{name: "JSON lines of lookup-events pages", in: `{"Events":[{"CloudTrailEvent":` + jsonString(r1) + "}]}\n" + `{"Events":[{"CloudTrailEvent":` + jsonString(r2) + `}]}`, want: []string{r1, r2}},
	}
}

// TestUnknownObjectNamesWhatWasFound: the one line a user sees for a file
// that is not CloudTrail says what it holds instead.
func TestUnknownObjectNamesWhatWasFound(t *testing.T) {
	var msgs []string
	err := cloudtrail.SplitErr([]byte(`{"trailList":[],"ResponseMetadata":{},"a":1,"b":2,"c":3,"d":4}`), func(int, []byte) error {
		t.Error("a record was split out")
		return nil
	}, func(_ int, _ int64, err error) { msgs = append(msgs, err.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d problems, want 1: %q", len(msgs), msgs)
	}
	for _, want := range []string{"not a CloudTrail record", `"trailList", "ResponseMetadata"`, "and 1 more", "lookup-events"} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("message %q does not say %q", msgs[0], want)
		}
	}
}

// TestNestedRecordsReportAtTheirString: a bad record inside a CLI form's
// string is reported at the string's offset in the file, with ordered
// indexes, and fn's error stops the split from inside a string too.
func TestNestedRecordsReportAtTheirString(t *testing.T) {
	in := lookupOutput(r1, r2[:20], r3)
	var offs []int64
	n := 0
	if err := cloudtrail.SplitErr([]byte(in), func(int, []byte) error { n++; return nil },
		func(_ int, off int64, _ error) { offs = append(offs, off) }); err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(offs) != 1 {
		t.Fatalf("got %d records and bad offsets %v, want 2 and one", n, offs)
	}
	second := strings.Index(in, `"e1"`)
	if offs[0] > int64(second) || offs[0] < int64(strings.Index(in, `"e0"`)) {
		t.Errorf("bad record reported at byte %d, want the second event's object (before byte %d)", offs[0], second)
	}
	stop := errors.New("stop")
	err := cloudtrail.Split([]byte(lookupOutput(r1, r2)), func(int, []byte) error { return stop })
	if err != stop {
		t.Errorf("callback error inside a string: got %v", err)
	}
}
