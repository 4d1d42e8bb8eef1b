package simulate

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestDriver(t *testing.T) {
	if os.Getenv("SIMDRV") == "" {
		t.Skip()
	}
	size, _ := strconv.ParseInt(os.Getenv("SIMSIZE"), 10, 64)
	st := time.Now()
	s, err := Run(context.Background(), Options{Out: os.Getenv("SIMDRV"), Size: size, Scenarios: []string{"all"}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(st)
	t.Logf("%+v files=%d recs=%d bytes=%d comp=%d in %v  %.1f MB/s", len(s.Attacks), s.Files, s.Records, s.Bytes, s.CompressedBytes, el, float64(s.Bytes)/1e6/el.Seconds())
}
