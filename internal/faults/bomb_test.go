//go:build linux

package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/klauspost/compress/gzip"

	"github.com/portcullis-sec/portcullis/internal/sqsfake"
	"github.com/portcullis-sec/portcullis/internal/store"
	"github.com/portcullis-sec/portcullis/internal/watch"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// gzipZeros is n zero bytes, gzipped (1 GiB is about 1 MB).
func gzipZeros(t *testing.T, n int64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := io.Copy(zw, io.LimitReader(zeros{}, n)); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return b.Bytes()
}

func gzipString(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func s3Notice(bucket, key, etag string) string {
	b, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventTime": "2026-11-02T10:20:00.000Z",
		"eventName": "ObjectCreated:Put",
		"s3": map[string]any{"s3SchemaVersion": "1.0", "bucket": map[string]any{"name": bucket, "arn": "arn:aws:s3:::" + bucket},
			"object": map[string]any{"key": key, "size": 100, "eTag": etag, "sequencer": "0055AED6DCD90281E5"}},
	}}})
	return string(b)
}

// TestBombAmongGoodObjects: S3 object-created notices on SQS announce good
// trail files and a gzip bomb. watch reads the good ones, refuses the bomb
// (named on stderr, dead-lettered in the store, its notice deleted: the
// queue drains), and its memory stays far below the bomb's size.
func TestBombAmongGoodObjects(t *testing.T) {
	bombBytes := int64(size(256, 2048)) << 20
	maxObject := "128MiB"
	if full {
		maxObject = "1GiB" // the default
	}
	const bucket, goods, perObject = "org-trail", 6, 20
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIDFAULTS", "faults-secret", "")
	s3c := s3.New(s3.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL), UsePathStyle: true})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	prefix := "AWSLogs/o-abc123def4/111111111111/CloudTrail/us-east-1/2026/11/02/"
	var notices []string
	for g := range goods {
		var recs []string
		for i := g * perObject; i < (g+1)*perObject; i++ {
			recs = append(recs, record(i))
		}
		key := fmt.Sprintf("%s111111111111_CloudTrail_us-east-1_20261102T10%02dZ_good%d.json.gz", prefix, g, g)
		put(key, gzipString(`{"Records":[`+strings.Join(recs, ",")+`]}`))
		notices = append(notices, s3Notice(bucket, key, "etag-good-"+strconv.Itoa(g)))
		if g == goods/2 {
			bombKey := prefix + "111111111111_CloudTrail_us-east-1_20261102T1030Z_bomb.json.gz"
			bomb := gzipZeros(t, bombBytes)
			put(bombKey, bomb)
			notices = append(notices, s3Notice(bucket, bombKey, "etag-bomb"))
			t.Logf("bomb: %d MiB of zeros in %d KB of gzip", bombBytes>>20, len(bomb)>>10)
		}
	}
	fake, err := sqsfake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL()), Credentials: creds})
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("trail-notices"), Attributes: map[string]string{"VisibilityTimeout": "30"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range notices {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	storePath := filepath.Join(t.TempDir(), "watch.db")
	begin := time.Now()
	p := start(t, hermeticEnv(t), "watch", "--store", storePath, "--sqs-queue-url", *q.QueueUrl,
		"--sqs-endpoint", fake.URL(), "--s3-endpoint", srv.URL, "--max-object-size", maxObject)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained; output:\n%s", p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	p.stop(t)
	c := count(t, storePath, goods*perObject)
	st, err := store.Open(ctx, storePath)
	if err != nil {
		t.Fatal(err)
	}
	dls, err := st.DeadLetters(ctx, 0)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	rss := p.peakRSSMB()
	report(t, "gzip bomb: %d MiB of zeros among %d good objects (--max-object-size %s): %s, %d dead letter(s), queue drained in %v, peak RSS %.0f MB",
		bombBytes>>20, goods, maxObject, c, len(dls), elapsed.Round(time.Millisecond), rss)
	if c.lost != 0 || c.doubled != 0 || c.other != 0 {
		t.Errorf("good objects: %s", c)
	}
	if len(dls) != 1 || dls[0].Sink != watch.DeadLetterInput || !strings.Contains(dls[0].FindingID, "bomb.json.gz") {
		t.Errorf("dead letters %+v, want the bomb", dls)
	}
	if out := p.stderr.String(); !strings.Contains(out, "bomb.json.gz") || !strings.Contains(out, "--max-object-size") {
		t.Errorf("stderr does not name the bomb and the flag:\n%s", out)
	}
	if rss > 400 {
		t.Errorf("peak RSS %.0f MB reading a %d MiB bomb", rss, bombBytes>>20)
	}
}
