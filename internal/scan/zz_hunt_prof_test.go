package scan_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

func TestHuntProfile(t *testing.T) {
	dir := os.Getenv("PORTCULLIS_HUNT_TRAIL")
	if dir == "" {
		t.Skip()
	}
	cfg, _ := config.Load(dir + "/portcullis.yaml")
	rs, _ := detect.Builtin()
	for i, w := range []int{1, 1, 1, 1} {
		nop := i%2 == 1
		eng, _ := detect.NewEngine(rs, cfg, nil)
		t0 := time.Now()
		var objs []source.Object
		source.Walk(context.Background(), []string{dir + "/AWSLogs"}, source.Filter{}, func(o source.Object) error { objs = append(objs, o); return nil })
		t1 := time.Now()
		var fnTime time.Duration
		batches := 0
		st, _ := scan.Run(context.Background(), objs, scan.Options{Workers: w, Prefilter: cloudtrail.NewPrefilter(eng.Interest())}, func(b []*cloudtrail.Event) error {
			s := time.Now()
			batches++
			for _, ev := range b {
				if !nop {
					eng.Process(ev)
				} else {
					spin := time.Now()
					for time.Since(spin) < 18*time.Microsecond {
					}
				}
			}
			fnTime += time.Since(s)
			return nil
		})
		t2 := time.Now()
		t.Logf("nop=%v w=%d walk %v (%d objs), scan %v, fn %v in %d batches, matched %d of %d", nop, w, t1.Sub(t0), len(objs), t2.Sub(t1), fnTime, batches, st.Matched, st.Records)
	}
}
