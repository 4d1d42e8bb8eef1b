package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// lightServer serves a store of a few findings (and the access model)
// without simulating a trail: the HTTP-level tests.
func lightServer(t *testing.T, writable bool) (string, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := []finding.Finding{xssFinding()}
	for i := range 30 {
		f := xssFinding()
		f.ID, f.Rule, f.Summary = fmt.Sprintf("pf-%03d", i), []string{"idc.a", "idc.b"}[i%2], fmt.Sprintf("finding %d", i)
		f.Severity, f.Time = finding.Severity(i%5), f.Time.Add(time.Duration(i)*time.Hour)
		f.Actor = finding.Actor{Name: []string{"alice", "mallory"}[i%2]}
		fs = append(fs, f)
	}
	if _, err := st.PutFindings(ctx, fs); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.SensitiveAccounts = []string{acctProd}
	cfg.Admins = []config.Admin{{Pattern: "alice@example.com"}}
	srv, err := New(Options{Sources: []Source{{Name: "store", Label: "p.db", Store: st, Writable: writable}},
		Model: accessModel(true), ModelName: "snap.json", Config: cfg, Token: testToken, Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL, st
}

// login returns a client holding a session cookie and the session's CSRF token.
func login(t *testing.T, base string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(base + "/login?token=" + url.QueryEscape(testToken))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/" || res.StatusCode != 200 {
		t.Fatalf("login ended at %s with %d", res.Request.URL, res.StatusCode)
	}
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	getJSON(t, c, base+"/api/v1/session", nil, &s)
	if len(s.CSRF) < 20 {
		t.Fatalf("csrf token %q", s.CSRF)
	}
	return c, s.CSRF
}

func getJSON(t *testing.T, c *http.Client, u string, hdr http.Header, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil && res.StatusCode == 200 {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode
}

func do(t *testing.T, c *http.Client, method, u string, hdr map[string]string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestRequestsWithoutTheTokenAreRefused(t *testing.T) {
	base, _ := lightServer(t, true)
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		name, path string
		hdr        map[string]string
		want       int
	}{
		{"api without anything", "/api/v1/findings", nil, 401},
		{"api with a wrong bearer", "/api/v1/findings", map[string]string{"Authorization": "Bearer wrong-token-0123456789abc"}, 401},
		{"api with a bearer prefix of the token", "/api/v1/findings", map[string]string{"Authorization": "Bearer " + testToken[:10]}, 401},
		{"api with a forged cookie", "/api/v1/session", map[string]string{"Cookie": "portcullis_session=guess"}, 401},
		{"api with basic auth", "/api/v1/findings", map[string]string{"Authorization": "Basic " + testToken}, 401},
		{"page redirects to login", "/", nil, 303},
		{"login with a wrong token", "/login?token=nope", nil, 401},
		{"api with the bearer token", "/api/v1/findings", map[string]string{"Authorization": "Bearer " + testToken}, 200},
		{"login form is public", "/login", nil, 200},
		{"assets are public (they hold no data)", "/assets/js/app.js", nil, 200},
		{"no directory listing", "/assets/js/", nil, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, plain, "GET", base+tc.path, tc.hdr, "")
			if code != tc.want {
				t.Errorf("%s: %d, want %d (%s)", tc.path, code, tc.want, body)
			}
			if code == 401 && strings.Contains(body, "pf-") {
				t.Errorf("refusal leaks data: %s", body)
			}
		})
	}
}

func TestCrossSiteWritesAreRefused(t *testing.T) {
	base, st := lightServer(t, true)
	c, csrf := login(t, base)
	ack := base + "/api/v1/findings/pf-001/ack"
	same := "http://" + strings.TrimPrefix(base, "http://")
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"no CSRF token", map[string]string{"Origin": same, "Sec-Fetch-Site": "same-origin"}, 403},
		{"wrong CSRF token", map[string]string{csrfHeader: "x" + csrf[1:], "Origin": same}, 403},
		{"another site's origin", map[string]string{csrfHeader: csrf, "Origin": "https://evil.example"}, 403},
		{"cross-site fetch metadata", map[string]string{csrfHeader: csrf, "Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site is not same-origin", map[string]string{csrfHeader: csrf, "Sec-Fetch-Site": "same-site"}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.hdr["Content-Type"] = "application/json"
			code, body := do(t, c, "POST", ack, tc.hdr, `{"note":"x"}`)
			if code != tc.want {
				t.Errorf("%d, want %d: %s", code, tc.want, body)
			}
			if r, _ := st.GetFinding(context.Background(), "pf-001"); r.Status != store.StatusOpen {
				t.Fatalf("refused write changed the store: %s", r.Status)
			}
		})
	}
	code, body := do(t, c, "POST", ack, map[string]string{csrfHeader: csrf, "Origin": same, "Sec-Fetch-Site": "same-origin"}, `{"note":"on it"}`)
	if code != 200 {
		t.Fatalf("same-origin write with the CSRF token: %d %s", code, body)
	}
	r, _ := st.GetFinding(context.Background(), "pf-001")
	if r.Status != store.StatusAcknowledged || r.StatusNote != "on it" {
		t.Errorf("after ack: %s %q", r.Status, r.StatusNote)
	}
	// A bearer client needs no CSRF token.
	code, body = do(t, http.DefaultClient, "POST", base+"/api/v1/findings/pf-002/resolve", map[string]string{"Authorization": "Bearer " + testToken}, "")
	if r, _ := st.GetFinding(context.Background(), "pf-002"); code != 200 || r.Status != store.StatusResolved {
		t.Errorf("bearer resolve: %d %s, status %s", code, body, r.Status)
	}
}

func TestWriteLimitsAndReadOnlySource(t *testing.T) {
	base, _ := lightServer(t, true)
	bearer := map[string]string{"Authorization": "Bearer " + testToken}
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"note too long", `{"note":"` + strings.Repeat("a", maxNote+1) + `"}`, 400},
		{"body too large", `{"note":"` + strings.Repeat("a", maxBodyBytes) + `"}`, 400},
		{"unknown field", `{"status":"resolved"}`, 400},
		{"unknown finding", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "pf-003"
			if tc.name == "unknown finding" {
				id = "pf-nope"
			}
			if code, body := do(t, http.DefaultClient, "POST", base+"/api/v1/findings/"+id+"/ack", bearer, tc.body); code != tc.want {
				t.Errorf("%d, want %d: %s", code, tc.want, body)
			}
		})
	}
	ro, st := lightServer(t, false)
	code, body := do(t, http.DefaultClient, "POST", ro+"/api/v1/findings/pf-003/ack", bearer, "")
	if code != 409 || !strings.Contains(body, "read-only") {
		t.Errorf("ack on a hunt file: %d %s", code, body)
	}
	if r, _ := st.GetFinding(context.Background(), "pf-003"); r.Status != store.StatusOpen {
		t.Errorf("read-only source changed: %s", r.Status)
	}
}

func TestSecurityHeadersAndHostCheck(t *testing.T) {
	base, _ := lightServer(t, true)
	for _, p := range []string{"/login", "/", "/api/v1/findings", "/assets/app.css", "/nope"} {
		res, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if h.Get("Content-Security-Policy") != csp || !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p, h.Get("Content-Security-Policy"))
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	// DNS rebinding: a hostile name resolving to 127.0.0.1.
	req, _ := http.NewRequest("GET", base+"/api/v1/findings", nil)
	req.Host = "evil.example:8443"
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d", res.StatusCode)
	}
}

func TestLoginCookieAttributes(t *testing.T) {
	base, _ := lightServer(t, true)
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	code, _ := do(t, plain, "POST", base+"/login", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}, "token="+testToken)
	if code != 403 {
		t.Errorf("cross-site login form: %d", code)
	}
	res, err := plain.Post(base+"/login", "application/x-www-form-urlencoded", strings.NewReader("token="+url.QueryEscape(testToken)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	set := res.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, testToken) || res.StatusCode != 303 {
		t.Errorf("cookie carries the token or no redirect: %d %q", res.StatusCode, set)
	}
	if a := newAuth(testToken, true, time.Now); !strings.HasPrefix(a.cookie, "__Host-") || !a.secure {
		t.Errorf("TLS cookie %q secure=%v", a.cookie, a.secure)
	}
}

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr     string
		tls      bool
		loopback bool
		ok       bool
	}{
		{"127.0.0.1:8443", false, true, true},
		{"localhost:8443", false, true, true},
		{"[::1]:8443", false, true, true},
		{"0.0.0.0:8443", false, false, false},
		{":8443", false, false, false},
		{"10.0.0.5:8443", false, false, false},
		{"0.0.0.0:8443", true, false, true},
		{"nonsense", false, false, false},
	} {
		lb, err := CheckListen(tc.addr, tc.tls)
		if (err == nil) != tc.ok || lb != tc.loopback {
			t.Errorf("CheckListen(%q, tls=%v) = %v, %v", tc.addr, tc.tls, lb, err)
		}
	}
}

func TestFindingsAPIFiltersAndPages(t *testing.T) {
	base, _ := lightServer(t, true)
	c := &http.Client{}
	hdr := http.Header{"Authorization": {"Bearer " + testToken}}
	for _, tc := range []struct {
		query string
		total int
		code  int
	}{
		{"", 31, 200},
		{"severity=critical,high", 13, 200},
		{"rule=idc.a&actor=alice", 15, 200},
		{"actor=mallory", 15, 200},
		{"since=2026-11-02T10:00:00Z&until=2026-11-02T20:00:00Z", 10, 200},
		{"severity=catastrophic", 0, 400},
		{"limit=-1", 0, 400},
		{"source=elsewhere", 0, 404},
	} {
		var p store.Page
		code := getJSON(t, c, base+"/api/v1/findings?"+tc.query, hdr, &p)
		if code != tc.code || (code == 200 && p.Total != tc.total) {
			t.Errorf("?%s: %d total %d, want %d total %d", tc.query, code, p.Total, tc.code, tc.total)
		}
	}
	var p store.Page
	getJSON(t, c, base+"/api/v1/findings?limit=10&offset=25", hdr, &p)
	if len(p.Records) != 6 || p.Total != 31 {
		t.Errorf("last page: %d records of %d", len(p.Records), p.Total)
	}
}

func TestAccessAPI(t *testing.T) {
	base, _ := lightServer(t, true)
	c := &http.Client{}
	hdr := http.Header{"Authorization": {"Bearer " + testToken}}
	var g GraphView
	if code := getJSON(t, c, base+"/api/v1/access/graph?kind=group&id=admins", hdr, &g); code != 200 {
		t.Fatalf("graph: %d", code)
	}
	var ids []string
	for _, n := range g.Nodes {
		ids = append(ids, n.ID)
		if n.Kind == access.KindAccount && n.Ref == acctProd && !(n.Sensitive && n.Admin) {
			t.Errorf("prod not marked sensitive+admin: %+v", n)
		}
		if n.Kind == access.KindUser && n.IdentityAdmin != (n.Ref == uAlice) {
			t.Errorf("identity admin mark on %s: %v (config admins: alice)", n.Label, n.IdentityAdmin)
		}
	}
	slices.Sort(ids)
	want := []string{"account:" + acctProd, "group:" + gAdmins, "permission-set:" + adminARN, "user:" + uAlice}
	if !slices.Equal(ids, want) {
		t.Errorf("nodes %v, want %v", ids, want)
	}
	for _, e := range g.Edges {
		if !e.Admin {
			t.Errorf("edge %s not on the admin path", e.ID)
		}
	}
	// Bounded: at most max_nodes, the rest counted.
	getJSON(t, c, base+"/api/v1/access/graph?kind=account&id=prod&max_nodes=3", hdr, &g)
	if len(g.Nodes) > 3 || g.Omitted["user"] == 0 || !strings.Contains(g.Note, "more user") {
		t.Errorf("capped graph: %d nodes, omitted %v, note %q", len(g.Nodes), g.Omitted, g.Note)
	}
	// Blast radius: the figures of access --blast-radius.
	var b struct {
		Blast access.Blast `json:"blast_radius"`
	}
	getJSON(t, c, base+"/api/v1/access/blast?kind=user&id="+uMallory+"", hdr, &b)
	cfg := config.Default()
	cfg.SensitiveAccounts = []string{acctProd}
	want2, _ := access.Compute(accessModel(true)).BlastRadius("user", uMallory, cfg)
	if fmt.Sprint(b.Blast) != fmt.Sprint(want2) || b.Blast.AdminPaths != 1 || b.Blast.Paths != 3 {
		t.Errorf("blast %+v, want %+v", b.Blast, want2)
	}
	var sr struct{ Results []NodeRef }
	getJSON(t, c, base+"/api/v1/access/search?q=img", hdr, &sr)
	if len(sr.Results) != 1 || sr.Results[0].Name != xss {
		t.Errorf("search: %+v", sr.Results)
	}
	if code := getJSON(t, c, base+"/api/v1/access/graph?kind=user&id=nobody", hdr, nil); code != 404 {
		t.Errorf("unknown node: %d", code)
	}
}

func TestReportLoadersNameTheFileAndField(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "posture.json")
	writeFile(t, bad, func(w io.Writer) error {
		_, err := io.WriteString(w, `{"schema":"portcullis.reconcile/v1"}`)
		return err
	})
	if _, err := LoadPosture(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "schema") {
		t.Errorf("posture loader on a reconcile file: %v", err)
	}
	if _, err := LoadReconcile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
	extra := filepath.Join(dir, "reconcile.json")
	writeFile(t, extra, func(w io.Writer) error {
		_, err := io.WriteString(w, `{"schema":"portcullis.reconcile/v1","surprise":1}`)
		return err
	})
	if _, err := LoadReconcile(extra); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Errorf("unknown field: %v", err)
	}
}
