package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

const serveTestToken = "cli-test-token-0123456789"

func serveFinding(id string) finding.Finding {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return finding.Finding{Schema: finding.Schema, ID: id, Rule: "idc.test", Title: "t", Severity: finding.High, Time: at,
		Actor: finding.Actor{Name: "mallory"}, Summary: "s " + id,
		Events: []finding.EventRef{{EventID: id, EventName: "X", EventSource: "sso.amazonaws.com", Time: at}}}
}

func TestServeRefusesBadSetups(t *testing.T) {
	dir := t.TempDir()
	posture := filepath.Join(dir, "posture.json")
	os.WriteFile(posture, []byte(`{"schema":"portcullis.posture/v1","results":[]}`), 0o600)
	missing := filepath.Join(dir, "missing.db")
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"nothing to show", nil, nil, "nothing to show"},
		{"non-loopback without TLS", []string{"--store", missing, "--listen", "0.0.0.0:8443"}, nil, "not a loopback address"},
		{"all interfaces without TLS", []string{"--listen", ":8443"}, nil, "not a loopback address"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, nil, "go together"},
		{"missing store is not created", []string{"--store", missing}, nil, "no such file"},
		{"findings file missing", []string{"--findings", filepath.Join(dir, "nope.jsonl")}, nil, "nope.jsonl"},
		{"reconcile given a posture report", []string{"--reconcile", posture}, nil, "want \"portcullis.reconcile/v1\""},
		{"short token", []string{"--posture", posture}, map[string]string{serveTokenEnv: "short"}, "at least 16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, errb := session{env: tc.env}.app()
			code := a.Run(context.Background(), append([]string{"serve"}, tc.args...))
			if code != ExitError || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %q", code, errb.String(), tc.want)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("serve created the missing store: %v", err)
	}
}

// startServe runs `portcullis serve ARGS` until the test ends and returns
// its base URL.
func startServe(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	a, _, errb := session{env: env}.app()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- a.Run(ctx, append([]string{"serve", "--listen", addr}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != ExitOK || !strings.Contains(errb.String(), "serve stopped") {
				t.Errorf("serve ended with %d: %s", code, errb.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errb.String(), "login?token=") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errb.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return "http://" + addr
}

func bearerDo(t *testing.T, method, url string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+serveTestToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v
}

func TestServeFromAStoreAndAHuntFile(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	dbPath := filepath.Join(dir, "portcullis.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutFindings(ctx, []finding.Finding{serveFinding("pf-1"), serveFinding("pf-2")}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	jsonl := filepath.Join(dir, "findings.jsonl")
	var b strings.Builder
	for _, id := range []string{"pf-a", "pf-b", "pf-c"} {
		line, _ := json.Marshal(serveFinding(id))
		b.Write(append(line, '\n'))
	}
	os.WriteFile(jsonl, []byte(b.String()), 0o600)
	before, _ := os.ReadFile(jsonl)
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(serveTestToken+"\n"), 0o600)

	base := startServe(t, nil, "--store", dbPath, "--findings", jsonl, "--token-file", tokenFile)
	for _, tc := range []struct {
		source string
		total  float64
	}{{"", 2}, {"store", 2}, {"findings", 3}} {
		code, v := bearerDo(t, "GET", base+"/api/v1/findings?source="+tc.source)
		if code != 200 || v["total"] != tc.total {
			t.Errorf("source %q: %d %v", tc.source, code, v)
		}
	}
	if code, v := bearerDo(t, "POST", base+"/api/v1/findings/pf-1/ack"); code != 200 {
		t.Errorf("ack in the store: %d %v", code, v)
	}
	if code, v := bearerDo(t, "POST", base+"/api/v1/findings/pf-a/ack?source=findings"); code != http.StatusConflict || !strings.Contains(v["error"].(string), "read-only") {
		t.Errorf("ack in the hunt file: %d %v", code, v)
	}
	if code, _ := bearerDo(t, "GET", base+"/api/v1/access/graph?kind=user&id=x"); code != http.StatusConflict {
		t.Errorf("graph without a snapshot: %d", code)
	}
	st, _ = store.Open(ctx, dbPath)
	defer st.Close()
	if r, _ := st.GetFinding(ctx, "pf-1"); r.Status != store.StatusAcknowledged {
		t.Errorf("store after ack: %s", r.Status)
	}
	if after, _ := os.ReadFile(jsonl); string(after) != string(before) {
		t.Error("the hunt file changed")
	}
}
