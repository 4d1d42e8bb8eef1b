package cloudtrailtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Interests is what a full Identity Center rule pack asks the prefilter for:
// every Identity Center source (Organizations for the delegated admin
// only), and only the sts/iam records that touch AWSReservedSSO roles.
func Interests() []cloudtrail.Interest {
	var out []cloudtrail.Interest
	for _, s := range idc.EventSources() {
		in := cloudtrail.Interest{Source: s.Name}
		if s.Kind == idc.KindOrganization {
			in.Names = []string{"RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator"}
		}
		out = append(out, in)
	}
	return append(out,
		cloudtrail.Interest{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}, Contains: []string{"AWSReservedSSO"}},
		cloudtrail.Interest{Source: "iam.amazonaws.com", Names: []string{"AttachRolePolicy", "PutRolePolicy", "UpdateAssumeRolePolicy"}, Contains: []string{"AWSReservedSSO"}},
	)
}

// AppendObject appends an S3 object {"Records":[…]} of n records, with
// times spread over the 5 minutes after t, and no trailing newline (as
// CloudTrail writes them).
func (g *Gen) AppendObject(b []byte, n int, t time.Time, account, region string) []byte {
	b = append(b, `{"Records":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		at := t.Add(time.Duration(g.r.Int64N(int64(5 * time.Minute))))
		b = g.AppendRecord(b, at, account, region)
	}
	return append(b, "]}"...)
}

// TrailOptions shapes a generated org trail.
type TrailOptions struct {
	Seed     uint64
	Org      string   // default o-exampleorg1
	Accounts []string // default three accounts
	Regions  []string // default us-east-1, eu-west-1
	Start    time.Time
	Days     int   // default 1
	Bytes    int64 // target uncompressed size
	Records  int   // mean records per object; default 400
	Workers  int   // default 2
}

// TrailStats describes what WriteTrail wrote.
type TrailStats struct {
	Files             int
	Records           int
	Bytes, Compressed int64
	Paths             []string
}

// WriteTrail writes gzipped objects in the org-trail layout
// dir/AWSLogs/o-ORG/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME.json.gz,
// spreading Bytes evenly over days, accounts and regions.
func WriteTrail(dir string, o TrailOptions) (TrailStats, error) {
	if o.Org == "" {
		o.Org = "o-exampleorg1"
	}
	if len(o.Accounts) == 0 {
		o.Accounts = []string{"111122223333", "444455556666", "777788889999"}
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1", "eu-west-1"}
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Days <= 0 {
		o.Days = 1
	}
	if o.Records <= 0 {
		o.Records = 400
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	type job struct {
		seed            uint64
		account, region string
		day             time.Time
		budget          int64
	}
	var jobs []job
	cells := int64(o.Days * len(o.Accounts) * len(o.Regions))
	for d := 0; d < o.Days; d++ {
		for ai, a := range o.Accounts {
			for ri, r := range o.Regions {
				jobs = append(jobs, job{
					seed:    o.Seed*1_000_003 + uint64(d*10_007+ai*101+ri),
					account: a, region: r,
					day:    o.Start.AddDate(0, 0, d),
					budget: o.Bytes / cells,
				})
			}
		}
	}
	var mu sync.Mutex
	var st TrailStats
	var eg errgroup.Group
	eg.SetLimit(o.Workers)
	for _, j := range jobs {
		eg.Go(func() error {
			g := New(j.seed)
			var raw []byte
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			var written int64
			slot := 0
			for written < j.budget {
				n := 1 + g.r.IntN(2*o.Records)
				t := j.day.Add(time.Duration(slot%288) * 5 * time.Minute)
				raw = g.AppendObject(raw[:0], n, t, j.account, j.region)
				gz.Reset()
				zw.Reset(&gz)
				if _, err := zw.Write(raw); err != nil {
					return err
				}
				if err := zw.Close(); err != nil {
					return err
				}
				name := objectName(g, j.account, j.region, t.Add(5*time.Minute))
				p := filepath.Join(dir, "AWSLogs", o.Org, j.account, "CloudTrail", j.region,
					t.Format("2006"), t.Format("01"), t.Format("02"), name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(p, gz.Bytes(), 0o644); err != nil {
					return err
				}
				written += int64(len(raw))
				slot++
				mu.Lock()
				st.Files++
				st.Records += n
				st.Bytes += int64(len(raw))
				st.Compressed += int64(gz.Len())
				st.Paths = append(st.Paths, p)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return st, fmt.Errorf("write trail: %w", err)
	}
	return st, nil
}

// objectName is CloudTrail's ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_RAND.json.gz.
func objectName(g *Gen, account, region string, t time.Time) string {
	b := []byte(account)
	b = append(b, "_CloudTrail_"...)
	b = append(b, region...)
	b = append(b, '_')
	b = t.UTC().AppendFormat(b, "20060102T1504Z")
	b = append(b, '_')
	b = g.alnum(b, 16)
	return string(append(b, ".json.gz"...))
}

const (
	hexDigits = "0123456789abcdef"
	alnums    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	uppers    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

func (g *Gen) hex(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, hexDigits[g.r.IntN(16)])
	}
	return b
}

func (g *Gen) alnum(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, alnums[g.r.IntN(len(alnums))])
	}
	return b
}

func (g *Gen) upper(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, uppers[g.r.IntN(len(uppers))])
	}
	return b
}

func (g *Gen) uuid(b []byte) []byte {
	b = g.hex(b, 8)
	for _, n := range [...]int{4, 4, 4, 12} {
		b = append(b, '-')
		b = g.hex(b, n)
	}
	return b
}

func (g *Gen) ip(b []byte) []byte {
	if g.r.IntN(3) != 0 { // a few busy clients make most calls
		return append(b, []string{"10.8.8.10", "192.168.10.20", "AWS Internal", "203.0.113.7"}[g.r.IntN(4)]...)
	}
	for i := 0; i < 4; i++ {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendInt(b, int64(1+g.r.IntN(254)), 10)
	}
	return b
}
