package serve

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// TestBrowser drives the pages in headless Chromium over a store filled
// by simulate + watch, the access fixture and the reports.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	browser := newBrowser(t)
	fx := newFixture(t)
	ctx, dialogs := loginTab(t, browser, fx.url)
	total := openCount(t, fx.store, store.Query{})
	if total < 10 {
		t.Fatalf("the simulated trail gave only %d findings", total)
	}

	t.Run("findings page loads from the watch store", func(t *testing.T) {
		open(t, ctx, fx.url, "#/findings")
		waitJS(t, ctx, `document.querySelector('#count') !== null && document.querySelectorAll('#findings-table tbody tr').length > 0`)
		want := fmt.Sprintf("of %s", commas(total))
		if got := eval[string](t, ctx, `document.querySelector('#count').textContent`); !strings.Contains(got, want) {
			t.Errorf("count line %q, want %q", got, want)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#findings-table tbody tr').length`); n != min(total, store.DefaultPageSize) {
			t.Errorf("%d rows, want %d", n, min(total, store.DefaultPageSize))
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('svg.histogram rect[data-severity]').length`); n == 0 {
			t.Error("no bars in the chart")
		}
		clean(t, ctx, dialogs)
		shoot(t, ctx, "findings")
	})

	t.Run("a filter narrows the list", func(t *testing.T) {
		want := openCount(t, fx.store, store.Query{Severities: []finding.Severity{finding.Critical}})
		if want == 0 || want == total {
			t.Fatalf("fixture: %d critical of %d", want, total)
		}
		run(t, ctx, chromedp.Click(`#filters input[name=severity][value=critical]`), chromedp.Click(`#filters button[type=submit]`))
		waitJS(t, ctx, fmt.Sprintf(`location.hash.includes('severity=critical') && document.querySelector('#count') && document.querySelector('#count').textContent.includes('of %s')`, commas(want)))
		sevs := eval[[]string](t, ctx, `[...document.querySelectorAll('#findings-table tbody tr .sev')].map(e => e.textContent)`)
		if len(sevs) != min(want, store.DefaultPageSize) {
			t.Errorf("%d rows, want %d", len(sevs), want)
		}
		for _, s := range sevs {
			if s != "critical" {
				t.Errorf("row of severity %q after filtering on critical", s)
			}
		}
	})

	t.Run("acknowledging a finding changes the store", func(t *testing.T) {
		// A finding the simulated trail and the watcher made.
		p, err := fx.store.QueryFindings(context.Background(), store.Query{Statuses: []store.Status{store.StatusOpen}, Severities: []finding.Severity{finding.Critical}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(p.Records, func(r store.Record) bool { return r.ID != rogueFinding().ID })
		if i < 0 {
			t.Fatal("no open critical finding from the simulated trail")
		}
		f := p.Records[i]
		open(t, ctx, fx.url, "#/finding/"+url.PathEscape(f.ID)+"?source=store")
		waitJS(t, ctx, `document.querySelector('#ack') !== null`)
		if got := eval[string](t, ctx, `document.querySelector('#finding-summary').textContent`); got != f.Summary {
			t.Errorf("summary %q, want %q", got, f.Summary)
		}
		shoot(t, ctx, "finding")
		// Its principals are not in the access fixture: a plan or the
		// reason there is none, either way shown.
		run(t, ctx, chromedp.Click(`#build-plan`))
		waitJS(t, ctx, `document.querySelector('#plan-result, #plan .error') !== null`)
		run(t, ctx, chromedp.SendKeys(`#note`, "triaged in the browser test"), chromedp.Click(`#ack`))
		waitJS(t, ctx, `document.querySelector('#triage .status') && document.querySelector('#triage .status').textContent === 'acknowledged'`)
		rec, err := fx.store.GetFinding(context.Background(), f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != store.StatusAcknowledged || rec.StatusNote != "triaged in the browser test" {
			t.Errorf("store after ack: %s %q", rec.Status, rec.StatusNote)
		}
		clean(t, ctx, dialogs)
	})

	t.Run("timeline of an actor", func(t *testing.T) {
		p, _ := fx.store.QueryFindings(context.Background(), store.Query{Severities: []finding.Severity{finding.Critical}, Limit: 1})
		actor := p.Records[0].Actor.Name
		n := openCount(t, fx.store, store.Query{Subject: actor})
		open(t, ctx, fx.url, "#/timeline?subject="+url.QueryEscape(actor))
		waitJS(t, ctx, `document.querySelectorAll('#timeline li.finding').length > 0`)
		if got := eval[int](t, ctx, `document.querySelectorAll('#timeline li.finding').length`); got != min(n, timelineLimit) {
			t.Errorf("%d findings on the timeline, want %d", got, n)
		}
		clean(t, ctx, dialogs)
		shoot(t, ctx, "timeline")
	})

	t.Run("access graph renders the nodes and highlights the admin path", func(t *testing.T) {
		open(t, ctx, fx.url, "#/access")
		waitJS(t, ctx, `document.querySelector('#access-search input') !== null`)
		run(t, ctx, chromedp.SendKeys(`#access-search input`, "prod"), chromedp.Click(`#access-search button`))
		waitJS(t, ctx, `document.querySelectorAll('#search-results a').length > 0`)
		run(t, ctx, chromedp.Click(`#search-results a`))
		waitJS(t, ctx, `document.querySelector('#graph') && document.querySelector('#graph').dataset.rendered > 0`)
		nodes := eval[[]string](t, ctx, `portcullisGraph.nodes().map(n => n.id()).sort()`)
		want := []string{"account:" + acctProd, "group:" + gAdmins, "permission-set:" + adminARN, "permission-set:" + roARN, "user:" + uAlice, "user:" + uBob}
		slices.Sort(want)
		if strings.Join(nodes, " ") != strings.Join(want, " ") {
			t.Errorf("nodes\n%v\nwant\n%v", nodes, want)
		}
		admin := eval[[]string](t, ctx, `portcullisGraph.edges().filter(e => e.style('line-color') === 'rgb(201,42,42)').map(e => e.id()).sort()`)
		wantAdmin := []string{"group:" + gAdmins + "->permission-set:" + adminARN, "permission-set:" + adminARN + "->account:" + acctProd, "user:" + uAlice + "->group:" + gAdmins}
		slices.Sort(wantAdmin)
		if strings.Join(admin, " ") != strings.Join(wantAdmin, " ") {
			t.Errorf("red edges\n%v\nwant\n%v", admin, wantAdmin)
		}
		if n := eval[int](t, ctx, `portcullisGraph.edges().length`); n != 5 {
			t.Errorf("%d edges, want 5 (3 admin, 2 read-only)", n)
		}
		waitJS(t, ctx, `document.querySelector('#blast h2') !== null`)
		if got := eval[string](t, ctx, `document.querySelector('#blast').innerText`); !strings.Contains(got, "Admin paths\n1") || !strings.Contains(got, acctProd) {
			t.Errorf("blast radius panel: %q", got)
		}
		svg := eval[string](t, ctx, `(async () => { const m = await import('/assets/js/graphsvg.js'); return m.exportSVG(portcullisGraph); })()`)
		if !strings.Contains(svg, "<svg") || strings.Count(svg, `class="admin"`) != 3 {
			t.Errorf("SVG export: %d admin edges in %d bytes", strings.Count(svg, `class="admin"`), len(svg))
		}
		png := eval[int](t, ctx, `portcullisGraph.png({full: true}).length`)
		if png < 1000 {
			t.Errorf("PNG export: %d bytes of data URL", png)
		}
		clean(t, ctx, dialogs)
		shoot(t, ctx, "access")
	})

	t.Run("an XSS payload in a snapshot and a finding stays text", func(t *testing.T) {
		open(t, ctx, fx.url, "#/access?q="+url.QueryEscape("img src"))
		waitJS(t, ctx, `document.querySelectorAll('#search-results a').length === 1`)
		if got := eval[string](t, ctx, `document.querySelector('#search-results a').textContent`); got != xss {
			t.Errorf("search result text %q, want the payload as text", got)
		}
		run(t, ctx, chromedp.Click(`#search-results a`))
		waitJS(t, ctx, `document.querySelector('#graph') && document.querySelector('#graph').dataset.rendered > 0`)
		if got := eval[string](t, ctx, `document.querySelector('#paths').innerText`); !strings.Contains(got, xss) {
			t.Errorf("paths table lacks the payload as text: %q", got)
		}
		if got := eval[bool](t, ctx, `portcullisGraph.nodes().some(n => n.data('display').startsWith('<img src=x'))`); !got {
			t.Error("the graph label lost the payload text")
		}
		clean(t, ctx, dialogs)
		for _, hash := range []string{
			"#/findings?rule=idc.test.xss",
			"#/finding/" + url.PathEscape(xssFinding().ID) + "?source=store",
			"#/drift",
		} {
			open(t, ctx, fx.url, hash)
			waitJS(t, ctx, `document.body.innerText.includes('<img src=x onerror=alert(1)>')`)
			clean(t, ctx, dialogs)
		}
		// The containment plan names the permission set too.
		open(t, ctx, fx.url, "#/finding/"+url.PathEscape(xssFinding().ID)+"?source=store")
		waitJS(t, ctx, `document.querySelector('#build-plan') !== null`)
		run(t, ctx, chromedp.Click(`#build-plan`))
		waitJS(t, ctx, `document.querySelector('#plan-result, #plan .error') !== null && document.querySelector('#plan').innerText.includes('in permission set <img src=x onerror=alert(1)>')`)
		clean(t, ctx, dialogs)
	})

	t.Run("containment plan is built as a dry run", func(t *testing.T) {
		open(t, ctx, fx.url, "#/finding/"+url.PathEscape(rogueFinding().ID)+"?source=store")
		waitJS(t, ctx, `document.querySelector('#build-plan') !== null`)
		run(t, ctx, chromedp.Click(`#build-plan`))
		waitJS(t, ctx, `document.querySelector('#plan-result ol.steps li') !== null`)
		got := eval[string](t, ctx, `document.querySelector('#plan-result').innerText`)
		for _, want := range []string{"Dry run", "DeleteAccountAssignment", uMallory, acctDev} {
			if !strings.Contains(got, want) {
				t.Errorf("plan lacks %q:\n%s", want, got)
			}
		}
		clean(t, ctx, dialogs)
		run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#plan').scrollIntoView()`))
		shoot(t, ctx, "plan")
	})

	t.Run("drift and posture pages show the reports", func(t *testing.T) {
		open(t, ctx, fx.url, "#/drift")
		rogue := len(fx.srv.o.Reconcile.Grants) // two permission sets added and assigned: 4
		if got := eval[string](t, ctx, `document.querySelector('#rogue-count').textContent`); got != fmt.Sprint(rogue) || rogue < 4 {
			t.Errorf("rogue grants shown: %q, report has %d", got, rogue)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#rogue tbody tr').length`); n != rogue {
			t.Errorf("%d rogue rows, want %d", n, rogue)
		}
		clean(t, ctx, dialogs)
		shoot(t, ctx, "drift")
		open(t, ctx, fx.url, "#/posture")
		want := fx.srv.o.Posture.Counts["fail"]
		if got := eval[string](t, ctx, `document.querySelector('#fail-count').textContent`); got != fmt.Sprint(want) || want == 0 {
			t.Errorf("failed checks shown: %q, want %d", got, want)
		}
		clean(t, ctx, dialogs)
		shoot(t, ctx, "posture")
	})

	t.Run("a request without the token is refused", func(t *testing.T) {
		anon, anonDialogs := tab(t, browser, true)
		run(t, anon, chromedp.Navigate(fx.url+"/#/findings"))
		waitJS(t, anon, `location.pathname === '/login' && document.querySelector('input[name=token]') !== null`)
		if code := eval[int](t, anon, `fetch('/api/v1/findings').then(r => r.status)`); code != http.StatusUnauthorized {
			t.Errorf("API without the token: %d", code)
		}
		run(t, anon, chromedp.Navigate(fx.url+"/login?token=wrong-token-0123456789"))
		if code := eval[int](t, anon, `fetch('/api/v1/session').then(r => r.status)`); code != http.StatusUnauthorized {
			t.Errorf("after a wrong token: %d", code)
		}
		clean(t, anon, anonDialogs)
	})

	t.Run("a cross-site write is refused", func(t *testing.T) {
		p, _ := fx.store.QueryFindings(context.Background(), store.Query{Statuses: []store.Status{store.StatusOpen}, Limit: 1})
		id := p.Records[0].ID
		target := fx.url + "/api/v1/findings/" + url.PathEscape(id) + "/ack"
		// Another origin, as an attacker would host it: it tries a fetch
		// with the user's cookies, then a form POST.
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<!doctype html><body><form id="f" method="POST" action="%s" enctype="text/plain"><input name='{"note":"pwned","x":"' value='"}'></form>
<script>
fetch(%q, {method: 'POST', mode: 'no-cors', credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: '{"note":"pwned"}'})
  .finally(() => document.getElementById('f').submit());
</script></body>`, target, target)
		}))
		defer evil.Close()
		for _, tc := range []struct {
			name, url, answer string
		}{
			// Same site (another port of 127.0.0.1): the SameSite cookie
			// goes along, so Origin, Sec-Fetch-Site and the missing CSRF
			// token are what refuse it.
			{"same site, other origin", evil.URL, "cross-site request refused"},
			// Another site: the SameSite=Strict cookie stays home.
			{"other site", strings.Replace(evil.URL, "127.0.0.1", "localhost", 1), "not authenticated"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				run(t, ctx, chromedp.Navigate(tc.url))
				waitJS(t, ctx, `location.href.includes('/api/v1/findings/')`) // the form was posted
				if got := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(got, tc.answer) {
					t.Errorf("our answer to the form: %q, want %q", got, tc.answer)
				}
				rec, _ := fx.store.GetFinding(context.Background(), id)
				if rec.Status != store.StatusOpen || rec.StatusNote != "" {
					t.Errorf("a cross-site write changed the store: %s %q", rec.Status, rec.StatusNote)
				}
			})
		}
	})
}
