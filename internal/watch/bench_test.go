package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/sink"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// benchCase is a detector and the events to push through it.
type benchCase struct {
	name  string
	setup func(tb testing.TB, st *store.Store) (*Watcher, func(i int) []byte)
}

// benchCases: the small test detector; the built-in rule pack on an empty
// model; and the rule pack started from the README's 100,000-assignment
// snapshot (portcullis simulate --snapshot), read from its file as
// --snapshot does. Every event is a new assignment by an unlisted actor:
// it raises one finding and moves the model.
var benchCases = []benchCase{
	{"test detector", func(tb testing.TB, st *store.Store) (*Watcher, func(int) []byte) {
		return newWatcher(tb, st, newTestDetector(), nil), func(i int) []byte {
			return writeEvent(tb, fmt.Sprintf("bench-%06d", i), actorN(i), baseTime.Add(time.Duration(i)*time.Second))
		}
	}},
	{"rule pack, empty model", func(tb testing.TB, st *store.Store) (*Watcher, func(int) []byte) {
		return engineWatcher(tb, st, nil), func(i int) []byte {
			return assignEvent(tb, i, "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-00000000000000aa", "222222222222")
		}
	}},
	{"rule pack, 100,000-assignment snapshot", func(tb testing.TB, st *store.Store) (*Watcher, func(int) []byte) {
		m := bigSnapshot(tb)
		start := time.Now()
		w := engineWatcher(tb, st, m)
		tb.Logf("  start from the snapshot, its rows written once: %v", time.Since(start).Round(time.Millisecond))
		return w, func(i int) []byte {
			a := m.Assignments[i%len(m.Assignments)]
			return assignEvent(tb, i, a.PermissionSetARN, a.AccountID)
		}
	}},
}

// bigSnapshot writes `portcullis simulate --snapshot` (its defaults) to a
// file and loads it.
func bigSnapshot(tb testing.TB) *idc.Model {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "big.json")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := idc.Synthetic(1, 10000, 2000, 500, 300, 100_000).Write(f); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	m, err := idc.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// pipelineBench pushes n events, one per request as EventBridge API
// destinations send them, from `clients` concurrent senders through the
// HTTP endpoint, the detector, the store and a webhook sink on loopback. It
// measures the time from the start of each POST to the webhook receiving
// the event's first finding, and the process's CPU time per event (the
// senders and the webhook included).
func pipelineBench(tb testing.TB, c benchCase, n, clients int) (perSec float64, p50, p99, cpu time.Duration) {
	tb.Helper()
	st := openStore(tb, "")
	w, body := c.setup(tb, st)
	var (
		mu     sync.Mutex
		sentAt = make(map[string]time.Time, n)
		lat    = make([]time.Duration, 0, n)
		all    = make(chan struct{})
	)
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var f finding.Finding
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &f); err != nil || len(f.Events) == 0 {
			rw.WriteHeader(400)
			return
		}
		now := time.Now()
		mu.Lock()
		if at, ok := sentAt[f.Events[0].EventID]; ok {
			delete(sentAt, f.Events[0].EventID) // the event's first finding
			lat = append(lat, now.Sub(at))
			if len(lat) == n {
				close(all)
			}
		}
		mu.Unlock()
	}))
	defer hook.Close()
	w.alerts = sink.Group{sink.NewSender(sink.NewWebhook("bench", hook.URL, []byte("k"), nil), sink.Policy{}, st)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go w.Serve(ctx, ln, HTTPOptions{Secret: []byte(testSecret)})
	go w.Run(ctx)
	url := "http://" + ln.Addr().String() + "/events"

	bodies := make([][]byte, n)
	ids := make([]string, n)
	for i := range bodies {
		bodies[i] = body(i)
		evs := decodeAll(tb, bodies[i])
		ids[i] = evs[0].ID
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	next := make(chan int)
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), cpuTime()
	for range clients {
		wg.Go(func() {
			for i := range next {
				mu.Lock()
				sentAt[ids[i]] = time.Now()
				mu.Unlock()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
				req.Header.Set(DefaultSecretHeader, testSecret)
				resp, err := client.Do(req)
				if err != nil {
					tb.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					tb.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case <-all:
	case <-time.After(2 * time.Minute):
		mu.Lock()
		tb.Fatalf("only %d of %d alerts arrived", len(lat), n)
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	return float64(n) / elapsed.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100], cpu / time.Duration(n)
}

// TestHTTPThroughput10k is the benchmark: 10,000 events through the
// HTTP endpoint for each case. Run with
// PORTCULLIS_BENCH=1 go test ./internal/watch -run HTTPThroughput -v.
func TestHTTPThroughput10k(t *testing.T) {
	if os.Getenv("PORTCULLIS_BENCH") == "" {
		t.Skip("set PORTCULLIS_BENCH=1 to run")
	}
	for _, c := range benchCases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			load := "unknown"
			if b, err := os.ReadFile("/proc/loadavg"); err == nil {
				load = strings.Join(strings.Fields(string(b))[:3], " ")
			}
			perSec, p50, p99, cpu := pipelineBench(t, c, 10000, 16)
			t.Logf("%s: 10000 events: %.0f events/s, event-to-alert latency p50 %v, p99 %v; CPU %v per event (load average before: %s)",
				c.name, perSec, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), cpu.Round(time.Microsecond), load)
		})
	}
}

func BenchmarkHTTPPipeline(b *testing.B) {
	for _, c := range benchCases {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			perSec, p50, p99, cpu := pipelineBench(b, c, max(b.N, 100), 16)
			b.ReportMetric(perSec, "events/s")
			b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(cpu.Microseconds()), "cpu-µs/event")
		})
	}
}
