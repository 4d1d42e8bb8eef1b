package s3source

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

func names(objs []source.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = strings.TrimPrefix(o.Name, "s3://"+bucket+"/")
	}
	return out
}

func fixture(t *testing.T) *fakeS3 { return newFakeS3(t) }

func TestListFindsEveryLayoutFromTheRoot(t *testing.T) {
	f := fixture(t)
	objs, st, err := List(context.Background(), f.client, "s3://"+bucket, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := names(objs)
	if !slices.Equal(got, f.keys) {
		missing, extra := diff(f.keys, got)
		t.Fatalf("listed %d keys, want %d\nmissing %v\nextra %v", len(got), len(f.keys), head(missing), head(extra))
	}
	if st.Objects != len(f.keys) || st.Bytes <= 0 {
		t.Errorf("stats = %+v", st)
	}
	// The 1,500-key region needed more than one page.
	pages := 0
	for _, c := range f.listCalls() {
		if c.prefix == orgRoot+acctA+"/CloudTrail/us-east-1/" {
			pages++
		}
	}
	if pages < 2 {
		t.Errorf("big region listed in %d request(s); want pagination", pages)
	}
	if st.Requests != len(f.listCalls()) {
		t.Errorf("Stats.Requests %d, fake saw %d", st.Requests, len(f.listCalls()))
	}
	for _, c := range f.listCalls() {
		for _, bad := range []string{"CloudTrail-Digest", "CloudTrail-Insight", "/Config/", "not-an-account"} {
			if strings.Contains(c.prefix, bad) {
				t.Errorf("listed %q, which the layout rules out", c.prefix)
			}
		}
	}
	if st.Skipped["extension"] != 1 || st.Skipped["folder-marker"] != 1 {
		t.Errorf("skipped = %v", st.Skipped)
	}
}

// Above AWSLogs the lister searches, but only MaxDiscoveryDepth levels.
func TestListDiscoveryDepth(t *testing.T) {
	f := fixture(t)
	objs, st, err := List(context.Background(), f.client, "s3://"+bucket, Options{MaxDiscoveryDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(f.keys) {
		t.Errorf("%d objects, want %d", len(objs), len(f.keys))
	}
	for _, c := range f.listCalls() {
		if strings.HasPrefix(c.prefix, "unrelated/photos") {
			t.Errorf("listed %s below the discovery depth", c.prefix)
		}
	}
	if st.PrunedDirs["too-deep"] != 1 {
		t.Errorf("pruned = %v", st.PrunedDirs)
	}
}

func TestListTimeWindowPrunesWithStartAfter(t *testing.T) {
	f := fixture(t)
	since := firstDay.AddDate(0, 0, 5).Add(3 * time.Hour) // 2025-07-30 03:00
	until := firstDay.AddDate(0, 0, 7)                    // 2025-08-01 00:00
	objs, _, err := List(context.Background(), f.client, "s3://"+bucket+"/corp/", Options{Filter: source.Filter{Since: since, Until: until}})
	if err != nil {
		t.Fatal(err)
	}
	// Day folders 07-30 and 07-31 hold the window; 08-01's may hold records
	// delivered up to DeliveryLag late, so it is kept too.
	var want []string
	for _, k := range f.keys {
		if !strings.HasPrefix(k, "corp/") {
			continue
		}
		for _, d := range []string{"/2025/07/30/", "/2025/07/31/", "/2025/08/01/"} {
			if strings.Contains(k, d) {
				want = append(want, k)
			}
		}
	}
	if got := names(objs); !slices.Equal(got, want) {
		missing, extra := diff(want, got)
		t.Fatalf("window listing: %d keys, want %d\nmissing %v\nextra %v", len(got), len(want), head(missing), head(extra))
	}
	bigRegion := orgRoot + acctA + "/CloudTrail/us-east-1/"
	var calls []listCall
	for _, c := range f.listCalls() {
		if c.prefix == bigRegion {
			calls = append(calls, c)
		}
	}
	// 450 keys from the window on: one page, started at the first day, and
	// the listing stopped at 08-02 instead of paging on.
	if len(calls) != 1 || calls[0].startAfter != bigRegion+"2025/07/30" {
		t.Errorf("big region requests = %+v; want one starting after %s2025/07/30", calls, bigRegion)
	}
	if len(calls) >= pagesOf(t, f, bigRegion) {
		t.Errorf("windowed listing of the big region was not cheaper than the full one")
	}
}

// pagesOf counts the requests an unfiltered listing of prefix makes.
func pagesOf(t *testing.T, f *fakeS3, prefix string) int {
	f.reset()
	if _, _, err := List(context.Background(), f.client, "s3://"+bucket+"/"+prefix, Options{}); err != nil {
		t.Fatal(err)
	}
	return len(f.listCalls())
}

func TestListAccountAndRegionFilters(t *testing.T) {
	f := fixture(t)
	objs, st, err := List(context.Background(), f.client, "s3://"+bucket+"/corp/AWSLogs/", Options{Filter: source.Filter{Accounts: []string{acctB}, Regions: []string{"eu-west-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 31 { // 10 days × 3 files + the corrupt one
		t.Errorf("%d objects, want 31", len(objs))
	}
	for _, o := range objs {
		if o.Key.Account != acctB || o.Key.Region != "eu-west-1" || o.Key.Org != org {
			t.Errorf("%s: key %+v", o.Name, o.Key)
		}
	}
	for _, c := range f.listCalls() {
		if strings.Contains(c.prefix, acctA+"/") || strings.Contains(c.prefix, acctC+"/") || strings.Contains(c.prefix, "us-east-1") {
			t.Errorf("listed %s despite the filter", c.prefix)
		}
	}
	if st.PrunedDirs["account"] != 2 || st.PrunedDirs["region"] != 1 {
		t.Errorf("pruned = %v", st.PrunedDirs)
	}
}

func TestListFromPastedPrefixes(t *testing.T) {
	f := fixture(t)
	tests := []struct {
		url  string
		want func(string) bool
	}{
		{"s3://" + bucket + "/corp/AWSLogs/" + org + "/" + acctC + "/CloudTrail/eu-west-1/2025/08/", func(k string) bool {
			return strings.HasPrefix(k, orgRoot+acctC+"/CloudTrail/eu-west-1/2025/08/")
		}},
		{"s3://" + bucket + "/corp/AWSLogs/" + org + "/" + acctC + "/CloudTrail/eu-west-1", func(k string) bool {
			return strings.HasPrefix(k, orgRoot+acctC+"/CloudTrail/eu-west-1/")
		}},
		{"s3://" + bucket + "/corp/AWSLogs/" + org + "/" + acctA + "/CloudTrail/us-east-1/2025/07/2", func(k string) bool {
			return strings.HasPrefix(k, orgRoot+acctA+"/CloudTrail/us-east-1/2025/07/2")
		}},
		{"s3://" + bucket + "/corp/AWSLogs/" + org + "/" + acctB, func(k string) bool { return strings.HasPrefix(k, orgRoot+acctB+"/") }},
		{"s3://" + bucket + "/" + org + "/", func(k string) bool { return strings.HasPrefix(k, org+"/AWSLogs/") }},
		{"s3://" + bucket + "/solo", func(k string) bool { return strings.HasPrefix(k, "solo/") }},
		{"s3://" + bucket + "/nothing-here/", func(string) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			objs, _, err := List(context.Background(), f.client, tc.url, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, k := range f.keys {
				if tc.want(k) {
					want = append(want, k)
				}
			}
			if got := names(objs); !slices.Equal(got, want) {
				missing, extra := diff(want, got)
				t.Errorf("%d keys, want %d\nmissing %v\nextra %v", len(got), len(want), head(missing), head(extra))
			}
		})
	}
}

func TestObjectsOpenAndCorruptOneFails(t *testing.T) {
	f := fixture(t)
	objs, _, err := List(context.Background(), f.client, "s3://"+bucket+"/corp/AWSLogs/"+org+"/"+acctB+"/CloudTrail/eu-west-1/2025/07/27/", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var records, bad int
	var buf bytes.Buffer
	for _, o := range objs {
		rc, err := o.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		data, err := cloudtrail.ReadObject(rc, o.Name, &buf)
		rc.Close()
		if err != nil {
			if o.Name != "s3://"+bucket+"/"+corrupt || !errors.Is(err, cloudtrail.ErrCorruptGzip) && !errors.Is(err, cloudtrail.ErrTruncatedGzip) {
				t.Errorf("%s: %v", o.Name, err)
			}
			bad++
			continue
		}
		cloudtrail.Split(data, func(int, []byte) error { records++; return nil })
	}
	if bad != 1 || records != 5 {
		t.Errorf("%d corrupt objects, %d records; want 1 and 5", bad, records)
	}
}

func TestListErrors(t *testing.T) {
	f := fixture(t)
	if _, _, err := List(context.Background(), f.client, "s3://no-such-bucket/AWSLogs/", Options{}); err == nil {
		t.Error("listing a missing bucket succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := List(ctx, f.client, "s3://"+bucket, Options{}); err == nil {
		t.Error("cancelled listing succeeded")
	}
	if _, _, err := List(context.Background(), f.client, "/local/path", Options{}); err == nil {
		t.Error("non-s3 URL accepted")
	}
	n := 0
	_, err := Walk(context.Background(), f.client, "s3://"+bucket+"/solo/", Options{}, func(source.Object) error { n++; return errors.New("stop") })
	if err == nil || n != 1 {
		t.Errorf("Walk did not stop on fn's error: n=%d err=%v", n, err)
	}
}

func diff(want, got []string) (missing, extra []string) {
	w, g := map[string]bool{}, map[string]bool{}
	for _, k := range want {
		w[k] = true
	}
	for _, k := range got {
		g[k] = true
		if !w[k] {
			extra = append(extra, k)
		}
	}
	for _, k := range want {
		if !g[k] {
			missing = append(missing, k)
		}
	}
	return
}

func head(s []string) []string { return s[:min(len(s), 5)] }
