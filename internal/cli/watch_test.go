package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/sqsfake"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func eventBridge(i int) string {
	return `{"version":"0","id":"eb-` + fmt.Sprint(i) + `","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","account":"111111111111",` +
		`"time":"2026-11-02T10:00:00Z","region":"us-east-1","resources":[],"detail":` + record(i, "DeletePermissionsBoundaryFromPermissionSet") + `}`
}

func listStored(t *testing.T, storePath string) []finding.Finding {
	t.Helper()
	r := runCLI(t, "findings", "list", "--store", storePath, "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("findings list: exit %d: %s", r.code, r.stderr)
	}
	fs, err := finding.Read(strings.NewReader(r.stdout), "findings list")
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestWatchHTTPWithRealEngine: events POSTed to /events go through the real
// rule pack into the store once; a wrong secret is refused; a redelivery
// raises no duplicate.
func TestWatchHTTPWithRealEngine(t *testing.T) {
	dir := t.TempDir()
	storePath := filepath.Join(dir, "p.db")
	addr := freeAddr(t)
	app, _, errb := session{env: map[string]string{"PORTCULLIS_WATCH_SECRET": "s3cret-value"}}.app()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- app.Run(ctx, []string{"watch", "--store", storePath, "--listen", addr}) }()
	url := "http://" + addr + "/events"
	post := func(secret, body string) int {
		for i := 0; i < 100; i++ {
			req, _ := http.NewRequest("POST", url, strings.NewReader(body))
			req.Header.Set("X-Portcullis-Secret", secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				time.Sleep(50 * time.Millisecond) // server still starting
				continue
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		t.Fatalf("server never answered; stderr: %s", errb)
		return 0
	}
	if code := post("wrong", eventBridge(1)); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", code)
	}
	for i := 0; i < 2; i++ { // second time is a redelivery
		if code := post("s3cret-value", "["+eventBridge(1)+","+eventBridge(2)+"]"); code/100 != 2 {
			t.Fatalf("post: %d", code)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("watch exit %d: %s", code, errb)
	}
	if strings.Contains(errb.String(), "s3cret-value") {
		t.Error("secret logged")
	}
	fs := listStored(t, storePath)
	if len(fs) != 2 {
		t.Fatalf("stored %d findings, want 2 (one per event, no duplicates): %+v", len(fs), fs)
	}
	for _, f := range fs {
		if f.Rule != "idc.permission-set.boundary-removed" {
			t.Errorf("unexpected rule %s", f.Rule)
		}
	}
	// Triage: ack one, list open ones.
	r := runCLI(t, "findings", "ack", "--store", storePath, "--note", "looking", fs[0].ID)
	if r.code != 0 {
		t.Fatalf("ack: %d", r.code)
	}
	if !strings.Contains(r.stdout, "acknowledged") {
		t.Errorf("ack output %q", r.stdout)
	}
}

func TestWatchRefusesWithoutSecret(t *testing.T) {
	app, _, errb := session{}.app()
	code := app.Run(context.Background(), []string{"watch", "--store", filepath.Join(t.TempDir(), "p.db"), "--listen", "127.0.0.1:0"})
	if code != ExitError || !strings.Contains(errb.String(), "secret") {
		t.Fatalf("exit %d: %s", code, errb)
	}
}

// TestWatchSQSWithRealEngine: the real SDK consumes EventBridge events from
// a loopback server speaking the SQS JSON protocol; findings land once and
// messages are deleted.
func TestWatchSQSWithRealEngine(t *testing.T) {
	srv, err := sqsfake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("idc")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(eventBridge(10 + i))}); err != nil {
			t.Fatal(err)
		}
	}
	storePath := filepath.Join(t.TempDir(), "p.db")
	app, _, errb := session{}.app()
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan int)
	go func() {
		done <- app.Run(wctx, []string{"watch", "--store", storePath, "--sqs-queue-url", *q.QueueUrl, "--sqs-endpoint", srv.URL(), "--aws-region", "us-east-1"})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		if err == nil && attrs.Attributes["ApproximateNumberOfMessages"] == "0" && attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue never drained; stderr: %s", errb)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("watch exit %d: %s", code, errb)
	}
	if fs := listStored(t, storePath); len(fs) != 3 {
		t.Fatalf("stored %d findings, want 3", len(fs))
	}
}

// TestWatchPagesOnDriftFromBaseline: with --baseline, an assignment the
// baseline lacks is stored as an idc.drift.rogue-grant finding.
func TestWatchPagesOnDriftFromBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	if err := os.WriteFile(base, []byte(`{"schema":"portcullis.snapshot/v1","from":"file","accounts":{},"users":{},"groups":{},"permission_sets":{},"assignments":[],"memberships":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	storePath := filepath.Join(dir, "p.db")
	addr := freeAddr(t)
	app, _, errb := session{env: map[string]string{"PORTCULLIS_WATCH_SECRET": "k"}}.app()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"watch", "--store", storePath, "--listen", addr, "--baseline", base})
	}()
	ev := `{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment",` +
		`"eventTime":"2026-11-02T10:00:00Z","eventID":"drift-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/m"},` +
		`"requestParameters":{"instanceArn":"arn:aws:sso:::instance/i","permissionSetArn":"arn:aws:sso:::permissionSet/i/ps-1","targetId":"222222222222","targetType":"AWS_ACCOUNT","principalType":"USER","principalId":"u-1"}}}`
	var code int
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("POST", "http://"+addr+"/events", strings.NewReader(ev))
		req.Header.Set("X-Portcullis-Secret", "k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		resp.Body.Close()
		code = resp.StatusCode
		break
	}
	cancel()
	if c := <-done; c != 0 || code/100 != 2 {
		t.Fatalf("post %d, watch exit %d: %s", code, c, errb)
	}
	rules := map[string]int{}
	for _, f := range listStored(t, storePath) {
		rules[f.Rule]++
	}
	// Both the assignment and the permission set it names are outside the
	// (empty) baseline.
	if rules["idc.drift.rogue-grant"] != 2 || rules["idc.assignment.created"] != 1 {
		t.Errorf("stored rules %v", rules)
	}
}
