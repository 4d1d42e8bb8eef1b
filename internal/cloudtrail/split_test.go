package cloudtrail_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

const (
	r1 = `{"eventVersion":"1.08","eventSource":"sso.amazonaws.com","eventName":"ListAccounts"}`
	r2 = `{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/x","tags":[{"k":"}{]["}]}}`
	// r3 has escaped quotes and backslashes right before quotes.
	r3 = `{"eventSource":"events.amazonaws.com","requestParameters":{"eventPattern":"{\"detail\":{\"eventSource\":[\"sso.amazonaws.com\"]}}","path":"C:\\dir\\","q":"\\\"}"}}`
	eb = `{"version":"0","id":"6a7e8feb","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":` + r1 + `}`
)

// badSlot is an expected onBad report: the record index and the sentinel.
type badSlot struct {
	index int
	err   error
}

type splitCase struct {
	name string
	in   string
	want []string // records, in order
	bad  []badSlot
}

func splitCases() []splitCase {
	pretty := "{\n  \"Records\" : [\n    " + r1 + " ,\n\t" + r2 + "\r\n  ]\n}"
	return append([]splitCase{
		{name: "S3 object", in: `{"Records":[` + r1 + `,` + r2 + `,` + r3 + `]}`, want: []string{r1, r2, r3}},
		{name: "S3 object pretty-printed", in: pretty, want: []string{r1, r2}},
		{name: "S3 object ending with newline", in: `{"Records":[` + r1 + "]}\n", want: []string{r1}},
		{name: "Records not the first key", in: `{"meta":{"Records":[` + r2 + `]},"Records":[` + r1 + `],"n":1}`, want: []string{r1}},
		{name: "Records empty", in: `{"Records":[]}`},
		{name: "bare record", in: r2, want: []string{r2}},
		{name: "bare record with BOM", in: "\xef\xbb\xbf" + r1, want: []string{r1}},
		{name: "empty object is not a record", in: `{}`, bad: []badSlot{{0, cloudtrail.ErrNotCloudTrail}}},
		{name: "JSON lines", in: r1 + "\n" + r2 + "\n\n" + r3 + "\n", want: []string{r1, r2, r3}},
		{name: "JSON lines with CRLF and indentation", in: r1 + "\r\n  " + r2, want: []string{r1, r2}},
		{name: "JSON lines of envelopes", in: `{"Records":[` + r1 + "]}\n" + `{"Records":[` + r2 + `,` + r3 + `]}`, want: []string{r1, r2, r3}},
		{name: "concatenated without newline", in: r1 + r2, want: []string{r1, r2}},
		{name: "JSON array", in: "[\n" + r1 + ",\n" + r2 + "\n]", want: []string{r1, r2}},
		{name: "JSON array of EventBridge events", in: `[` + eb + `,` + r2 + `]`, want: []string{r1, r2}},
		{name: "EventBridge event", in: eb, want: []string{r1}},
		{name: "EventBridge per line", in: eb + "\n" + eb + "\n", want: []string{r1, r1}},
		{name: "EventBridge detail before detail-type", in: `{"detail":` + r2 + `,"detail-type":"AWS API Call via CloudTrail"}`, want: []string{r2}},
		{name: "EventBridge other detail-type still yields detail", in: `{"version":"0","detail-type":"AWS Console Sign In via CloudTrail","detail":` + r3 + `}`, want: []string{r3}},
		{name: "detail without detail-type is not a record", in: `{"detail":` + r1 + `}`, bad: []badSlot{{0, cloudtrail.ErrNotCloudTrail}}},
		{name: "empty input", in: ""},
		{name: "whitespace only", in: " \n\t\r\n"},
		{name: "strings with brackets and escapes", in: `{"Records":[{"a":"]}\"{[","b":"\\"},{"c":"\\\\\""}]}`, want: []string{`{"a":"]}\"{[","b":"\\"}`, `{"c":"\\\\\""}`}},

		{name: "truncated inside a record", in: `{"Records":[` + r1 + `,` + r2[:40],
			want: []string{r1}, bad: []badSlot{{1, cloudtrail.ErrTruncated}}},
		{name: "truncated after a record", in: `{"Records":[` + r1 + `,` + r2,
			want: []string{r1, r2}, bad: []badSlot{{2, cloudtrail.ErrTruncated}}},
		{name: "truncated inside a string", in: `{"Records":[` + r1 + `,{"a":"abc\"`,
			want: []string{r1}, bad: []badSlot{{1, cloudtrail.ErrTruncated}}},
		{name: "truncated bare record", in: r1[:30], bad: []badSlot{{0, cloudtrail.ErrTruncated}}},
		{name: "garbage between records", in: `{"Records":[` + r1 + ` xx ` + r2 + `]}`,
			want: []string{r1}, bad: []badSlot{{1, cloudtrail.ErrSyntax}}},
		{name: "trailing comma", in: `[` + r1 + `,]`, want: []string{r1}, bad: []badSlot{{1, cloudtrail.ErrSyntax}}},
		{name: "records that are not objects", in: `{"Records":[` + r1 + `,42,"s",null,true,[1,{}],` + r2 + `]}`,
			want: []string{r1, r2}, bad: []badSlot{{1, cloudtrail.ErrNotObject}, {2, cloudtrail.ErrNotObject}, {3, cloudtrail.ErrNotObject}, {4, cloudtrail.ErrNotObject}, {5, cloudtrail.ErrNotObject}}},
		{name: "JSON line that is not an object", in: r1 + "\n17\n\"x\"\n" + r2,
			want: []string{r1, r2}, bad: []badSlot{{1, cloudtrail.ErrNotObject}, {2, cloudtrail.ErrNotObject}}},
		{name: "garbage line in JSON lines", in: r1 + "\nthis is not json\n" + r2 + "\n",
			want: []string{r1, r2}, bad: []badSlot{{1, cloudtrail.ErrSyntax}}},
		{name: "broken line in JSON lines", in: r1 + "\n" + `{"eventName":"x",}` + "\n" + r2,
			want: []string{r1, r2}, bad: []badSlot{{1, cloudtrail.ErrSyntax}}},
		{name: "mismatched brackets", in: `{"Records":[{"a":[1}],` + r1 + `]}`, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "stray closing bracket", in: `}` + "\n" + r1, want: []string{r1}, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "Records not an array", in: `{"Records":{"a":1}}`, bad: []badSlot{{0, cloudtrail.ErrNotObject}}},
		{name: "EventBridge detail not an object", in: `{"detail-type":"x","detail":"oops"}`, bad: []badSlot{{0, cloudtrail.ErrNotObject}}},
		{name: "invalid literal", in: `{"Records":[tru,` + r1 + `]}`, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "garbage inside a record", in: `{"Records":[{"a":{"b":1 oops}},` + r1 + `]}`, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "unquoted value in a JSON line", in: `{"eventName": ListAccounts}` + "\n" + r1, want: []string{r1}, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "control byte between values", in: "{\"Records\":[{\"a\":\x01}]}", bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
		{name: "missing colon", in: `{"Records" [` + r1 + `]}`, bad: []badSlot{{0, cloudtrail.ErrSyntax}}},
	}, cliFormCases()...)
}

func TestSplitForms(t *testing.T) {
	for _, tc := range splitCases() {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var bad []badSlot
			var msgs []string
			lastIndex := -1
			err := cloudtrail.SplitErr([]byte(tc.in), func(i int, rec []byte) error {
				if i <= lastIndex {
					t.Errorf("index %d after %d", i, lastIndex)
				}
				lastIndex = i
				got = append(got, string(rec))
				return nil
			}, func(i int, off int64, err error) {
				var se *cloudtrail.SplitError
				if !errors.As(err, &se) || se.Index != i || se.Offset != off {
					t.Errorf("onBad(%d, %d, %v): want a *SplitError with the same index and offset", i, off, err)
				}
				if off < 0 || off > int64(len(tc.in)) {
					t.Errorf("offset %d outside the data", off)
				}
				if i <= lastIndex {
					t.Errorf("bad index %d after %d", i, lastIndex)
				}
				lastIndex = i
				bad = append(bad, badSlot{i, sentinel(err)})
				msgs = append(msgs, err.Error())
			})
			if err != nil {
				t.Fatalf("SplitErr: %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("records:\n got %q\nwant %q", got, tc.want)
			}
			if fmt.Sprint(bad) != fmt.Sprint(tc.bad) {
				t.Errorf("bad slots: got %v, want %v (%q)", bad, tc.bad, msgs)
			}
			for _, m := range msgs {
				if !strings.HasPrefix(m, "record ") || !strings.Contains(m, " at byte ") {
					t.Errorf("message %q does not say record and byte", m)
				}
			}
		})
	}
}

func sentinel(err error) error {
	for _, s := range []error{cloudtrail.ErrTruncated, cloudtrail.ErrSyntax, cloudtrail.ErrNotObject, cloudtrail.ErrNotCloudTrail} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

func TestSplitReturnsProblemsJoined(t *testing.T) {
	in := `{"Records":[` + r1 + `,1,2,` + r2[:20]
	n := 0
	err := cloudtrail.Split([]byte(in), func(int, []byte) error { n++; return nil })
	if n != 1 {
		t.Errorf("got %d records, want 1", n)
	}
	for _, want := range []string{"record 1 at byte", "record 2 at byte", "record 3 at byte"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
	if !errors.Is(err, cloudtrail.ErrTruncated) || !errors.Is(err, cloudtrail.ErrNotObject) {
		t.Errorf("error %v should wrap ErrTruncated and ErrNotObject", err)
	}

	many := "[" + strings.Repeat("1,", 30) + "2]"
	err = cloudtrail.Split([]byte(many), func(int, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "and 21 more bad records") {
		t.Errorf("31 bad slots: got %v, want the first 10 and a count of the rest", err)
	}
}

func TestSplitStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := cloudtrail.Split([]byte(`{"Records":[`+r1+`,`+r2+`,`+r3+`]}`), func(int, []byte) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("got err %v after %d records, want the callback's error after 2", err, n)
	}
	for _, in := range []string{`{"Records":[` + r1 + `,` + r2 + `]}`, `[` + r1 + `,` + r2 + `]`, `[{"Records":[` + r1 + `,` + r2 + `]}]`} {
		bad := 0
		err = cloudtrail.SplitErr([]byte(in), func(int, []byte) error { return stop }, func(int, int64, error) { bad++ })
		if err != stop || bad != 0 {
			t.Errorf("%s: got %v and %d bad slots after the callback failed, want only its error", in, err, bad)
		}
	}
}

func TestSplitRecordsAreSubslices(t *testing.T) {
	data := []byte(`{"Records":[` + r1 + `,` + r2 + `]}`)
	err := cloudtrail.Split(data, func(i int, rec []byte) error {
		if &rec[0] != &data[strings.Index(string(data), string(rec))] {
			t.Errorf("record %d is a copy, want a sub-slice of the input", i)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
