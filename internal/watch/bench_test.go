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
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/sink"
)

// pipelineBench pushes n events, one per request as EventBridge API
// destinations send them, from `clients` concurrent senders through the
// HTTP endpoint, the detector, the store and a webhook sink on loopback. It
// measures the time from the start of each POST to the webhook receiving
// the event's finding.
func pipelineBench(tb testing.TB, n, clients int) (perSec float64, p50, p99 time.Duration) {
	tb.Helper()
	st := openStore(tb, "")
	var (
		mu     sync.Mutex
		sentAt = make(map[string]time.Time, n)
		lat    = make([]time.Duration, 0, n)
		all    = make(chan struct{})
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var f finding.Finding
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &f); err != nil || len(f.Events) == 0 {
			w.WriteHeader(400)
			return
		}
		now := time.Now()
		mu.Lock()
		lat = append(lat, now.Sub(sentAt[f.Events[0].EventID]))
		if len(lat) == n {
			close(all)
		}
		mu.Unlock()
	}))
	defer hook.Close()
	alerts := sink.Group{sink.NewSender(sink.NewWebhook("bench", hook.URL, []byte("k"), nil), sink.Policy{}, st)}
	w := newWatcher(tb, st, newTestDetector(), alerts)
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
		ids[i] = fmt.Sprintf("bench-%06d", i)
		bodies[i] = writeEvent(tb, ids[i], actorN(i), baseTime.Add(time.Duration(i)*time.Second))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
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
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case <-all:
	case <-time.After(2 * time.Minute):
		tb.Fatalf("only %d of %d alerts arrived", len(lat), n)
	}
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	return float64(n) / elapsed.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100]
}

// TestHTTPThroughput10k is the benchmark: 10,000 events through the
// HTTP endpoint. Run with PORTCULLIS_BENCH=1 go test -run HTTPThroughput -v.
func TestHTTPThroughput10k(t *testing.T) {
	if os.Getenv("PORTCULLIS_BENCH") == "" {
		t.Skip("set PORTCULLIS_BENCH=1 to run")
	}
	perSec, p50, p99 := pipelineBench(t, 10000, 16)
	t.Logf("10000 events: %.0f events/s, event-to-alert latency p50 %v, p99 %v", perSec, p50.Round(time.Microsecond), p99.Round(time.Microsecond))
	if p99 > time.Second {
		t.Errorf("p99 event-to-alert latency %v, goal well under 1s", p99)
	}
}

func BenchmarkHTTPPipeline(b *testing.B) {
	perSec, p50, p99 := pipelineBench(b, max(b.N, 100), 16)
	b.ReportMetric(perSec, "events/s")
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
}
