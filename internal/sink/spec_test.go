package sink

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		wantErr string
	}{
		{in: "stdout", want: Spec{Kind: "stdout", Name: "stdout", Options: map[string]string{}}},
		{in: "slack:url-env=SLACK_WEBHOOK_URL,min=high", want: Spec{Kind: "slack", Name: "slack",
			Options: map[string]string{"url-env": "SLACK_WEBHOOK_URL"}, Policy: Policy{MinSeverity: finding.High}}},
		{in: " Webhook : url-file=/run/secrets/hook , hmac-env=HOOK_KEY, name=siem, attempts=3, timeout=2s", want: Spec{Kind: "webhook", Name: "siem",
			Options: map[string]string{"url-file": "/run/secrets/hook", "hmac-env": "HOOK_KEY"}, Policy: Policy{Attempts: 3, Timeout: 2 * time.Second}}},
		{in: "sns:topic=arn:aws:sns:eu-west-1:111111111111:alerts,region=eu-west-1", want: Spec{Kind: "sns", Name: "sns",
			Options: map[string]string{"topic": "arn:aws:sns:eu-west-1:111111111111:alerts", "region": "eu-west-1"}}},
		{in: "email:to=x", wantErr: "unknown kind"},
		{in: "slack:url=https://hooks.slack.com/services/SECRET", wantErr: "not the command line"},
		{in: "slack:bogus=1", wantErr: "unknown option"},
		{in: "slack:min=severe", wantErr: "unknown severity"},
		{in: "slack:attempts=0", wantErr: "1..20"},
		{in: "slack:timeout=-1s", wantErr: "positive"},
		{in: "slack:timeout=PT1.5M", want: Spec{Kind: "slack", Name: "slack", Options: map[string]string{}, Policy: Policy{Timeout: 90 * time.Second}}},
		{in: "slack:timeout=10", wantErr: "option timeout: want a duration"},
		{in: "slack:url-env", wantErr: "key=value"},
		{in: "slack:min=low,min=high", wantErr: "twice"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSpec(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("error repeats the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.want.Kind || got.Name != tc.want.Name || got.Policy != tc.want.Policy || len(got.Options) != len(tc.want.Options) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for k, v := range tc.want.Options {
				if got.Options[k] != v {
					t.Errorf("option %s = %q, want %q", k, got.Options[k], v)
				}
			}
		})
	}
}

func TestBuildReadsSecretsAndNeverPrintsThem(t *testing.T) {
	dir := t.TempDir()
	hookFile := filepath.Join(dir, "hook")
	os.WriteFile(hookFile, []byte("https://example.test/hook/FILESECRET\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "empty"), []byte("\n"), 0o600)
	env := map[string]string{
		"SLACK_URL":  "https://hooks.slack.com/services/T/B/ENVSECRET",
		"PLAIN_HTTP": "http://hooks.example.com/ENVSECRET",
		"NOT_A_URL":  "ENVSECRET",
		"PD_KEY":     "ENVSECRET",
	}
	d := Deps{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		AWSConfig: func(context.Context) (aws.Config, error) { return testAWSConfig(), nil },
	}
	tests := []struct {
		spec    string
		wantErr string
	}{
		{"stdout", ""},
		{"slack:url-env=SLACK_URL", ""},
		{"webhook:url-file=" + hookFile + ",hmac-env=PD_KEY", ""},
		{"pagerduty:key-env=PD_KEY", ""},
		{"pagerduty:key-env=PD_KEY,url=http://127.0.0.1:9", ""},
		{"sns:topic=" + testTopic, ""},
		{"slack", "needs url-env"},
		{"slack:url-env=MISSING", "MISSING is unset"},
		{"slack:url-env=SLACK_URL,url-file=" + hookFile, "not both"},
		{"slack:url-env=PLAIN_HTTP", "must use https"},
		{"webhook:url-env=NOT_A_URL", "not an absolute URL"},
		{"webhook:url-file=" + filepath.Join(dir, "nope"), "url-file"},
		{"webhook:url-file=" + filepath.Join(dir, "empty"), "is empty"},
		{"pagerduty:key-env=PD_KEY,url=http://pd.example.com", "must use https"},
		{"sns:topic=alerts", "topic ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			sp, err := ParseSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Build(context.Background(), sp, d)
			if tc.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("Build: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestBuildAllRejectsDuplicateNames(t *testing.T) {
	d := Deps{LookupEnv: func(string) (string, bool) { return "", false }}
	if _, err := BuildAll(context.Background(), []string{"stdout", "stdout"}, d); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("err = %v", err)
	}
	g, err := BuildAll(context.Background(), []string{"stdout", "stdout:name=copy,min=high"}, d)
	if err != nil || len(g) != 2 || g[1].Name() != "copy" || g[1].Policy().MinSeverity != finding.High {
		t.Errorf("BuildAll = %v, %v", g, err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://hooks.slack.com/services/T/B/secret": "https://hooks.slack.com/<redacted>",
		"https://events.pagerduty.com":                "https://events.pagerduty.com",
		"https://h.example/?token=secret":             "https://h.example",
		"::not a url":                                 "<redacted-url>",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"stdout", "slack:url-env=X,min=high", "webhook:url-file=/a,hmac-env=K,name=n,attempts=3,timeout=1s", "sns:topic=arn:aws:sns:r:1:t", ":", "x:=,=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpec(s)
		if err != nil {
			return
		}
		if _, ok := kindKeys(sp.Kind); !ok || sp.Name == "" {
			t.Fatalf("accepted %q as %+v", s, sp)
		}
	})
}
