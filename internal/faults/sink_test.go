//go:build linux

package faults

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSlowSink: the webhook takes its time over every alert. Ingestion
// does not wait for it (each POST is answered after its commit, not after
// the alert), the outbox drains later, and a kill -9 while it drains
// delays alerts, never drops them.
func TestSlowSink(t *testing.T) {
	n := size(40, 400)
	const senders = 4
	delay := 300 * time.Millisecond
	var mu sync.Mutex
	got := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		mu.Lock()
		got[r.Header.Get("X-Portcullis-Finding-Id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	delivered := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }

	storePath := filepath.Join(t.TempDir(), "watch.db")
	addr := freeAddr(t)
	env := hermeticEnv(t, "PORTCULLIS_WATCH_SECRET="+secret, "HOOK_URL="+hook.URL)
	run := func() *proc {
		p := start(t, env, "watch", "--store", storePath, "--listen", addr, "--sink", "webhook:url-env=HOOK_URL")
		p.waitOutput(t, "watching POST", 30*time.Second)
		return p
	}
	p := run()
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var lmu sync.Mutex
	var lat []time.Duration
	begin := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range next {
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/events", strings.NewReader(eventBridge(i)))
				req.Header.Set("X-Portcullis-Secret", secret)
				t0 := time.Now()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					t.Errorf("post %d: %d", i, resp.StatusCode)
				}
				lmu.Lock()
				lat = append(lat, time.Since(t0))
				lmu.Unlock()
			}
		})
	}
	wg.Wait()
	ingest := time.Since(begin)
	atIngestEnd := delivered()
	// Kill while the outbox is still draining, then restart.
	p.kill(t)
	afterKill := delivered()
	p = run()
	deadline := time.Now().Add(time.Duration(n)*delay + 2*time.Minute)
	for delivered() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d alerts delivered; output:\n%s", delivered(), n, p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	drain := time.Since(begin)
	p.stop(t)
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	mu.Lock()
	dups := 0
	for _, k := range got {
		dups += k - 1
	}
	mu.Unlock()
	report(t, "slow sink (%v per alert): %d events ingested in %v (POST p50 %v, p99 %v) with %d of %d alerts out; kill -9 at %d delivered; all %d delivered after %v (%d sent twice, at least once)",
		delay, n, ingest.Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), p99.Round(time.Millisecond), atIngestEnd, n, afterKill, n, drain.Round(time.Millisecond), dups)
	if p99 > delay*3 {
		t.Errorf("POST p99 %v: ingestion waited for the sink", p99)
	}
	if atIngestEnd >= n {
		t.Errorf("every alert was out before ingestion ended: the sink was not slow enough to tell")
	}
	if c := count(t, storePath, n); c.lost != 0 || c.doubled != 0 {
		t.Errorf("store: %s", c)
	}
}
