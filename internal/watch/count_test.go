package watch

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// pausingDetector holds its first Detect until release is closed, so the
// posts that arrive meanwhile are committed together.
type pausingDetector struct {
	*testDetector
	once    sync.Once
	release chan struct{}
}

func (d *pausingDetector) Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	d.once.Do(func() { <-d.release })
	return d.testDetector.Detect(ctx, evs)
}

// TestHTTPFindingsCountIsTheRequests: the 202 body counts the findings of
// the request's own events, however many requests the group commit took.
func TestHTTPFindingsCountIsTheRequests(t *testing.T) {
	st := openStore(t, "")
	det := &pausingDetector{testDetector: newTestDetector(), release: make(chan struct{})}
	w := newWatcher(t, st, det, nil)
	h, err := w.Handler(HTTPOptions{Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	auth := map[string]string{DefaultSecretHeader: testSecret}

	// Request i carries i+1 writes (i+1 findings) and one read (none).
	const posts = 8
	got := make([]float64, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Go(func() {
			var evs []string
			for j := range i + 1 {
				evs = append(evs, string(writeEvent(t, fmt.Sprintf("r%d-%d", i, j), actorN(100*i+j), baseTime.Add(time.Duration(j)*time.Minute))))
			}
			read := ebEvent(record(fmt.Sprintf("r%d-read", i), "sso.amazonaws.com", "ListInstances", attacker, baseTime))
			evs = append(evs, string(mustJSON(t, read)))
			status, out := post(t, srv.URL+"/events", auth, strings.NewReader("["+strings.Join(evs, ",")+"]"))
			if status != 202 {
				t.Errorf("post %d: status %d %v", i, status, out)
				return
			}
			got[i], _ = out["findings"].(float64)
		})
	}
	// Let every post queue behind the first commit.
	waitFor(t, "posts queued", func() bool {
		w.queueMu.Lock()
		defer w.queueMu.Unlock()
		return len(w.queue) >= posts-1
	})
	close(det.release)
	wg.Wait()
	for i, n := range got {
		if n != float64(i+1) {
			t.Errorf("post %d: findings %v, want %d (its own)", i, n, i+1)
		}
	}
	rs, _ := st.ListFindings(context.Background(), store.Filter{})
	if len(rs) != posts*(posts+1)/2 {
		t.Errorf("%d findings stored, want %d", len(rs), posts*(posts+1)/2)
	}
}
