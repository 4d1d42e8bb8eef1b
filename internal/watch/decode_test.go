package watch

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestParseMessage(t *testing.T) {
	fixture, err := os.ReadFile("testdata/eventbridge-create-account-assignment.json")
	if err != nil {
		t.Fatal(err)
	}
	wrap := func(msg string) string {
		b, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "1", "Message": msg})
		return string(b)
	}
	notice := `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"AWSLogs/111111111111/CloudTrail/eu-west-1/2025/08/01/a%3Ab+c.json.gz","size":7,"eTag":"x"}}},` +
		`{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}}]}`
	tests := []struct {
		name      string
		body      string
		events    int
		objects   []string
		errSubstr string
	}{
		{name: "eventbridge event", body: string(fixture), events: 1},
		{name: "sns-wrapped eventbridge event", body: wrap(string(fixture)), events: 1},
		{name: "s3 notice", body: notice, objects: []string{"s3://b/AWSLogs/111111111111/CloudTrail/eu-west-1/2025/08/01/a:b c.json.gz#x"}},
		{name: "sns-wrapped s3 notice", body: wrap(notice), objects: []string{"s3://b/AWSLogs/111111111111/CloudTrail/eu-west-1/2025/08/01/a:b c.json.gz#x"}},
		{name: "s3 test event", body: `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}`},
		{name: "eventbridge s3 object created", body: `{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":"k.json.gz","etag":"e"}}}`, objects: []string{"s3://b/k.json.gz#e"}},
		{name: "eventbridge s3 other", body: `{"source":"aws.s3","detail-type":"Object Deleted","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}`},
		{name: "s3 notice with bad key", body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%zz"}}}]}`, errSubstr: "bad bucket or key"},
		{name: "cloudtrail records file", body: `{"Records":[{"eventSource":"sso.amazonaws.com","eventName":"CreatePermissionSet","eventID":"1"}]}`, events: 1},
		{name: "not json", body: "hello", errSubstr: "record 0"},
		{name: "empty", body: "  ", errSubstr: "empty body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tc.body), "msg")
			if tc.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
					t.Fatalf("err = %v, want %q", err, tc.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Events) != tc.events {
				t.Errorf("%d events, want %d", len(m.Events), tc.events)
			}
			var got []string
			for _, o := range m.Objects {
				got = append(got, o.Marker())
			}
			if strings.Join(got, "|") != strings.Join(tc.objects, "|") {
				t.Errorf("objects %v, want %v", got, tc.objects)
			}
		})
	}
}

func FuzzParseMessage(f *testing.F) {
	fixture, _ := os.ReadFile("testdata/eventbridge-create-account-assignment.json")
	f.Add(fixture)
	f.Add([]byte(`{"Type":"Notification","Message":"{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}"}`))
	f.Add([]byte(`[{"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"sso.amazonaws.com","eventName":"X"}}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseMessage(body, "fuzz")
		if err != nil {
			return
		}
		for _, e := range m.Events {
			if e.Source == "" && e.Name == "" {
				t.Fatalf("accepted an event with neither source nor name: %s", e.Raw)
			}
			if EventKey(e) == "" {
				t.Fatal("empty event key")
			}
		}
		for _, o := range m.Objects {
			if o.Bucket == "" || o.Key == "" {
				t.Fatalf("object without bucket or key: %+v", o)
			}
		}
	})
}
