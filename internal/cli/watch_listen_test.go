package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/portcullis-sec/portcullis/internal/sqsfake"
)

// runWatch starts `portcullis watch args…` and returns its stderr and a
// stop function that cancels it and returns the exit code.
func runWatch(t *testing.T, env map[string]string, args ...string) (*syncBuf, func() int) {
	t.Helper()
	app, _, errb := session{env: env}.app()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- app.Run(ctx, append([]string{"watch", "--store", filepath.Join(t.TempDir(), "p.db")}, args...))
	}()
	t.Cleanup(cancel)
	return errb, func() int { cancel(); return <-done }
}

func waitStderr(t *testing.T, errb *syncBuf, what string, cond func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond(errb.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stderr:\n%s", what, errb)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWatchInsecureNoAuthOnlyOnLoopback: --insecure-no-auth is refused on
// any address that is not loopback, before any banner; on loopback the
// banner comes after the bind and says the truth: no auth, the real port.
func TestWatchInsecureNoAuthOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		app, _, errb := session{}.app()
		code := app.Run(context.Background(), []string{"watch", "--store", filepath.Join(t.TempDir(), "p.db"), "--listen", addr, "--insecure-no-auth"})
		if code != ExitError || !strings.Contains(errb.String(), "loopback") || strings.Contains(errb.String(), "watching") {
			t.Errorf("%s: exit %d, stderr %q: want a refusal and no banner", addr, code, errb)
		}
	}
	errb, stop := runWatch(t, nil, "--listen", "127.0.0.1:0", "--insecure-no-auth")
	banner := regexp.MustCompile(`watching POST http://127\.0\.0\.1:([0-9]+)/events \(auth: NONE`)
	waitStderr(t, errb, "the banner", banner.MatchString)
	if port := banner.FindStringSubmatch(errb.String())[1]; port == "0" {
		t.Errorf("banner shows port 0, not the bound one: %s", errb)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d: %s", code, errb)
	}
}

// TestWatchBannerAfterBind: the banner names the auth header and comes only
// once the bind succeeded; a failed bind prints no banner.
func TestWatchBannerAfterBind(t *testing.T) {
	env := map[string]string{"PORTCULLIS_WATCH_SECRET": "s3cret-value"}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	app, _, errb := session{env: env}.app()
	code := app.Run(context.Background(), []string{"watch", "--store", filepath.Join(t.TempDir(), "p.db"), "--listen", busy.Addr().String()})
	if code != ExitError || strings.Contains(errb.String(), "watching") {
		t.Errorf("busy port: exit %d, stderr %q: want an error and no banner", code, errb)
	}
	errb2, stop := runWatch(t, env, "--listen", "127.0.0.1:0")
	waitStderr(t, errb2, "the banner", func(s string) bool { return strings.Contains(s, "(auth: shared secret in header X-Portcullis-Secret)") })
	stop()
}

func getHealth(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestWatchSQSUnreachable: a consumer that cannot reach SQS logs each
// failure at the default level with the delay before the next try, backs
// off (few lines, growing delays), reports 503 with the error on
// --health-listen, and 200 once SQS answers. The region comes from the
// queue URL (no --aws-region, no AWS_REGION).
func TestWatchSQSUnreachable(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	sqsAddr, healthAddr := freeAddr(t), freeAddr(t)
	queue := "https://sqs.eu-west-1.amazonaws.com/111111111111/idc"
	errb, stop := runWatch(t, nil, "--sqs-queue-url", queue, "--sqs-endpoint", "http://"+sqsAddr, "--health-listen", healthAddr)
	waitStderr(t, errb, "the banner", func(s string) bool { return strings.Contains(s, "watching SQS queue "+queue+" (region eu-west-1)") })
	waitStderr(t, errb, "the health banner", func(s string) bool { return strings.Contains(s, "health on http://"+healthAddr+"/healthz") })
	start := time.Now()
	waitStderr(t, errb, "three failures", func(s string) bool { return strings.Count(s, "sqs receive failed") >= 3 })
	failing := time.Since(start)
	lines := regexp.MustCompile(`(?m)^.*sqs receive failed.*$`).FindAllString(errb.String(), -1)
	for _, l := range lines {
		if !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "retry_in=") || !strings.Contains(l, sqsAddr) {
			t.Errorf("log line %q: want an error with the retry delay and the cause", l)
		}
	}
	if per := failing / time.Duration(len(lines)); per < 200*time.Millisecond {
		t.Errorf("%d failure lines in %v: no backoff", len(lines), failing)
	}
	status, body := getHealth(t, "http://"+healthAddr+"/healthz")
	if status != http.StatusServiceUnavailable || body["status"] != "failing" || !strings.Contains(body["error"].(string), "sqs") {
		t.Errorf("healthz while failing: %d %v", status, body)
	}

	// SQS comes up on that address: the consumer recovers.
	srv, err := sqsfake.Start(sqsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client := sqs.New(sqs.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	q, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("idc")})
	if err != nil {
		t.Fatal(err)
	}
	// A message ends the long poll at once.
	if _, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(eventBridge(1))}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if status, body = getHealth(t, "http://"+healthAddr+"/healthz"); status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never recovered: %d %v\nstderr:\n%s", status, body, errb)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d: %s", code, errb)
	}
}
