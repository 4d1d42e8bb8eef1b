package s3source

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/klauspost/compress/gzip"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
)

const (
	bucket  = "org-trail"
	org     = "o-abc123def4"
	acctA   = "111111111111"
	acctB   = "222222222222"
	acctC   = "333333333333"
	corrupt = "corp/AWSLogs/o-abc123def4/222222222222/CloudTrail/eu-west-1/2025/07/27/222222222222_CloudTrail_eu-west-1_20250727T0000Z_corrupt.json.gz"
)

var firstDay = time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC)

// listCall is one ListObjectsV2 request the fake saw.
type listCall struct{ prefix, delimiter, startAfter string }

// fakeS3 is gofakes3 (s3mem) on loopback, counting list requests.
type fakeS3 struct {
	backend *s3mem.Backend
	client  *s3.Client
	mu      sync.Mutex
	calls   []listCall
	keys    []string // every CloudTrail object a full listing must find
}

func (f *fakeS3) listCalls() []listCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeS3) reset() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

func (f *fakeS3) put(t testing.TB, key string, body []byte) {
	t.Helper()
	if _, err := f.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatal(err)
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// trailKey is root (everything before the account folder) + the layout.
func trailKey(root, acct, region string, day time.Time, n int) string {
	return fmt.Sprintf("%s%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%sT%02d%02dZ_%04d.json.gz",
		root, acct, region, day.Format("2006/01/02"), acct, region, day.Format("20060102"), n/60%24, n%60, n)
}

const orgRoot = "corp/AWSLogs/" + org + "/"

// newFakeS3 fills a bucket with an org trail (three accounts, two regions,
// ten days; 1,500 keys in one region so listing pages), a Control Tower
// copy, a single-account trail, digests, insights, other services' logs,
// stray files and a corrupt object.
func newFakeS3(t testing.TB) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New()}
	if err := f.backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(f.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodGet && q.Get("list-type") == "2" {
			f.mu.Lock()
			f.calls = append(f.calls, listCall{q.Get("prefix"), q.Get("delimiter"), q.Get("start-after")})
			f.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.client = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})

	g := cloudtrailtest.New(7)
	small := gzipped([]byte(`{"Records":[]}`))
	add := func(key string, body []byte) {
		f.put(t, key, body)
		f.keys = append(f.keys, key)
	}
	for d := 0; d < 10; d++ {
		day := firstDay.AddDate(0, 0, d)
		for _, acct := range []string{acctA, acctB, acctC} {
			for _, region := range []string{"us-east-1", "eu-west-1"} {
				n := 3
				if acct == acctA && region == "us-east-1" {
					n = 150 // 1,500 keys: two pages
				}
				for i := 0; i < n; i++ {
					body := small
					if i == 0 {
						body = gzipped(g.AppendObject(nil, 5, day.Add(time.Hour), acct, region))
					}
					add(trailKey(orgRoot, acct, region, day, i), body)
				}
			}
		}
	}
	add(corrupt, []byte("\x1f\x8b\x08\x00garbage"))
	// Control Tower (older): o-ORG/AWSLogs/ACCOUNT/…
	add(trailKey(org+"/AWSLogs/", acctB, "us-west-2", firstDay.AddDate(0, 0, 3), 1), small)
	// Single-account trail under another prefix.
	add(trailKey("solo/AWSLogs/", acctC, "ap-southeast-2", firstDay.AddDate(0, 0, 4), 1), small)
	// Things a listing must leave out.
	f.put(t, orgRoot+acctA+"/CloudTrail-Digest/us-east-1/2025/07/26/"+acctA+"_CloudTrail-Digest_us-east-1_x_20250726T0000Z.json.gz", small)
	f.put(t, orgRoot+acctA+"/CloudTrail-Insight/us-east-1/2025/07/26/x.json.gz", small)
	f.put(t, orgRoot+acctA+"/Config/us-east-1/2025/07/26/config.json.gz", small)
	f.put(t, orgRoot+acctA+"/CloudTrail/us-east-1/2025/07/26/README.txt", []byte("hi"))
	f.put(t, orgRoot+acctA+"/CloudTrail/us-east-1/2025/07/26/", nil)
	f.put(t, orgRoot+"not-an-account/CloudTrail/us-east-1/2025/07/26/x.json.gz", small)
	f.put(t, "unrelated/photos/cat.jpg", []byte("meow"))
	slices.Sort(f.keys)
	return f
}
