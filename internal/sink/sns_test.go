package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// fakeSNS speaks SNS's query protocol for Publish only: a form-encoded POST
// answered with PublishResponse XML, or an ErrorResponse from the script.
type fakeSNS struct {
	mu     sync.Mutex
	forms  []url.Values
	errors []string // error code per request ("" = success); the last repeats
	srv    *httptest.Server
}

func newFakeSNS(t *testing.T, errs ...string) *fakeSNS {
	f := &fakeSNS{errors: errs}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "bad form", 400)
			return
		}
		f.mu.Lock()
		f.forms = append(f.forms, r.PostForm)
		n := len(f.forms)
		code := ""
		if len(f.errors) > 0 {
			code = f.errors[min(n-1, len(f.errors)-1)]
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if r.PostForm.Get("Action") != "Publish" {
			code = "InvalidAction"
		}
		if code != "" {
			w.WriteHeader(400)
			fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>%s</Code><Message>scripted %s</Message></Error><RequestId>req-%d</RequestId></ErrorResponse>`, code, code, n)
			return
		}
		fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-%d</MessageId></PublishResult><ResponseMetadata><RequestId>req-%d</RequestId></ResponseMetadata></PublishResponse>`, n, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSNS) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

func testAWSConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
}

const testTopic = "arn:aws:sns:us-east-1:111111111111:portcullis-alerts"

func TestSNSPublish(t *testing.T) {
	fake := newFakeSNS(t, "Throttling", "")
	client := NewSNSClient(testAWSConfig(), "", fake.srv.URL)
	s := NewSender(NewSNS("sns", testTopic, client), fastPolicy(3), nil)
	f := testFinding(finding.Critical)
	f.Title = "Delegated admin registered\n" + strings.Repeat("x", 200)
	if err := s.Deliver(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	reqs := fake.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (throttled, then ok)", len(reqs))
	}
	form := reqs[1]
	if form.Get("Version") != "2010-03-31" || form.Get("TopicArn") != testTopic {
		t.Errorf("form = %v", form)
	}
	var got finding.Finding
	if err := json.Unmarshal([]byte(form.Get("Message")), &got); err != nil || got.ID != f.ID {
		t.Errorf("Message = %q (%v)", form.Get("Message"), err)
	}
	subj := form.Get("Subject")
	if len(subj) > 100 || strings.ContainsAny(subj, "\n") || !strings.HasPrefix(subj, "[CRITICAL] Delegated") {
		t.Errorf("Subject = %q", subj)
	}
	attrs := map[string]string{}
	for i := 1; form.Get(fmt.Sprintf("MessageAttributes.entry.%d.Name", i)) != ""; i++ {
		p := fmt.Sprintf("MessageAttributes.entry.%d.", i)
		if form.Get(p+"Value.DataType") != "String" {
			t.Errorf("attribute %d data type %q", i, form.Get(p+"Value.DataType"))
		}
		attrs[form.Get(p+"Name")] = form.Get(p + "Value.StringValue")
	}
	if attrs["severity"] != "critical" || attrs["rule"] != f.Rule {
		t.Errorf("message attributes = %v", attrs)
	}
}
