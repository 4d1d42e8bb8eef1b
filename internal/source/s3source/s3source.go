// Package s3source lists CloudTrail objects straight from S3 for
// `hunt s3://bucket/prefix`. It recognises the single-account
// (AWSLogs/ACCOUNT/CloudTrail/…), organization (AWSLogs/o-ORG/ACCOUNT/…) and
// older Control Tower (o-ORG/AWSLogs/ACCOUNT/…) layouts from whatever prefix
// a user pastes, finds accounts and regions by common prefix, and lists only
// the days inside the time window: StartAfter jumps to the first day, and
// paging stops at the first key past the last one.
package s3source

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-sec/portcullis/internal/source"
)

// API is the S3 surface used (IAM: s3:ListBucket, s3:GetObject).
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Options tune a listing.
type Options struct {
	Filter      source.Filter
	Concurrency int // listing requests in flight, default 8
	// MaxDiscoveryDepth bounds how many folder levels above AWSLogs are
	// searched when the prefix stops short of it (default 3).
	MaxDiscoveryDepth int
}

// Stats count what a listing did.
type Stats struct {
	Objects    int
	Bytes      int64
	Requests   int            // ListObjectsV2 calls
	Skipped    map[string]int // keys listed but not returned, by reason
	PrunedDirs map[string]int // prefixes never listed, by reason
}

// IsURL reports whether arg names S3 (s3://…).
func IsURL(arg string) bool { return strings.HasPrefix(arg, "s3://") }

// ParseURL splits s3://bucket/prefix.
func ParseURL(raw string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URL", raw)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q has no bucket", raw)
	}
	if strings.ContainsAny(bucket, "?#") {
		return "", "", fmt.Errorf("%q: bucket name %q is not valid", raw, bucket)
	}
	if p, err := url.PathUnescape(prefix); err == nil && strings.Contains(prefix, "%") {
		prefix = p // accept a pasted, percent-encoded console URL
	}
	return bucket, prefix, nil
}

// lister walks one bucket.
type lister struct {
	api    API
	bucket string
	o      Options
	pool   *pool
	ctx    context.Context

	mu    sync.Mutex
	objs  []source.Object
	stats Stats
}

// List returns every CloudTrail object under the URL that the filter keeps,
// sorted by key. Digest and insight files are never listed.
func List(ctx context.Context, api API, rawURL string, o Options) ([]source.Object, Stats, error) {
	bucket, prefix, err := ParseURL(rawURL)
	if err != nil {
		return nil, Stats{}, err
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.MaxDiscoveryDepth <= 0 {
		o.MaxDiscoveryDepth = 3
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := &lister{api: api, bucket: bucket, o: o, pool: newPool(cancel), ctx: lctx,
		stats: Stats{Skipped: map[string]int{}, PrunedDirs: map[string]int{}}}
	l.start(prefix)
	if err := l.pool.run(o.Concurrency); err != nil {
		return nil, l.stats, err
	}
	if err := ctx.Err(); err != nil {
		return nil, l.stats, err
	}
	sort.Slice(l.objs, func(i, j int) bool { return l.objs[i].Name < l.objs[j].Name })
	l.stats.Objects = len(l.objs)
	for _, ob := range l.objs {
		l.stats.Bytes += ob.Size
	}
	return l.objs, l.stats, nil
}

// Walk calls fn for each object List finds, in key order.
func Walk(ctx context.Context, api API, rawURL string, o Options, fn func(source.Object) error) (Stats, error) {
	objs, st, err := List(ctx, api, rawURL, o)
	if err != nil {
		return st, err
	}
	for _, ob := range objs {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if err := fn(ob); err != nil {
			return st, err
		}
	}
	return st, nil
}

// spawn queues a listing step on the worker pool.
func (l *lister) spawn(fn func() error) { l.pool.push(fn) }

func (l *lister) prune(reason string) {
	l.mu.Lock()
	l.stats.PrunedDirs[reason]++
	l.mu.Unlock()
}

func (l *lister) skip(reason string) {
	l.mu.Lock()
	l.stats.Skipped[reason]++
	l.mu.Unlock()
}

// children lists the immediate sub-prefixes of prefix (Delimiter "/"),
// with every page.
func (l *lister) children(prefix string) ([]string, error) {
	p := s3.NewListObjectsV2Paginator(l.api, &s3.ListObjectsV2Input{
		Bucket: aws.String(l.bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"),
	})
	var out []string
	for p.HasMorePages() {
		l.count()
		page, err := p.NextPage(l.ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", l.bucket, prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			out = append(out, aws.ToString(cp.Prefix))
		}
	}
	return out, nil
}

func (l *lister) count() {
	l.mu.Lock()
	l.stats.Requests++
	l.mu.Unlock()
}

// lastSegment is the final folder name of a prefix ending in "/".
func lastSegment(prefix string) string {
	p := strings.TrimSuffix(prefix, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// object makes the source.Object of a key; Open is a GetObject.
func (l *lister) object(key string, size int64, k source.Key) source.Object {
	api, bucket := l.api, l.bucket
	return source.Object{
		Name: "s3://" + bucket + "/" + key, Size: size, Key: k,
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				return nil, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
			}
			return out.Body, nil
		},
	}
}

// dayStart is the UTC midnight of t.
func dayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
