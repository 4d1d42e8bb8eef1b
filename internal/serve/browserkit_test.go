package serve

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/portcullis-sec/portcullis/internal/store"
)

var update = flag.Bool("update", false, "rewrite the README's screenshots in docs/screenshots")

// screenshotDir is where -update writes the README's screenshots.
var screenshotDir = filepath.Join("..", "..", "docs", "screenshots")

// chromiumPath finds Debian's chromium. Without it the browser tests skip,
// unless CI is set: CI installs it, so its absence there is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI is set: .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium to run the browser tests")
	return ""
}

// newBrowser starts headless Chromium with a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// probe is injected before any page script: it counts alert() calls and
// Content-Security-Policy violations, so a test can prove neither happened.
const probe = `window.__alerts = 0;
window.alert = function () { window.__alerts++; };
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });`

// tab opens a tab (in its own browser context when isolated: no cookies)
// with the probe installed and dialogs counted.
func tab(t *testing.T, browser context.Context, isolated bool) (context.Context, *atomic.Int32) {
	t.Helper()
	var opts []chromedp.ContextOption
	if isolated {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	ctx, cancel := chromedp.NewContext(browser, opts...)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancel() })
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: probe}); err != nil {
		t.Fatal(err)
	}
	dialogs := &atomic.Int32{}
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ctx, dialogs
}

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitJS waits until the expression is truthy. A navigation while it
// waits (a form post) destroys the page it polls in: poll the next one.
func waitJS(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().Before(deadline) && ctx.Err() == nil && (strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "context with specified id")) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ''`))
		t.Fatalf("waiting for %s: %v\npage text:\n%s", js, err, body)
	}
}

// clean asserts nothing ran that should not have: no alert, no dialog, no
// element made from data, and no Content-Security-Policy violation.
func clean(t *testing.T, ctx context.Context, dialogs *atomic.Int32) {
	t.Helper()
	if n := eval[int](t, ctx, `window.__alerts`); n != 0 || dialogs.Load() != 0 {
		t.Errorf("alert ran %d times, %d dialogs opened", n, dialogs.Load())
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('img, iframe, object, embed').length`); n != 0 {
		t.Errorf("%d img/iframe/object elements in the page: markup came from data", n)
	}
	if v := eval[[]string](t, ctx, `window.__csp`); len(v) != 0 {
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
}

func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*update {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// open navigates to a page of the app and waits until it is on screen
// (not the previous page, which may hold the same element ids).
func open(t *testing.T, ctx context.Context, base, hash string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(base+"/"+hash))
	waitJS(t, ctx, `document.body.dataset.page === location.hash`)
}

func loginTab(t *testing.T, browser context.Context, base string) (context.Context, *atomic.Int32) {
	t.Helper()
	ctx, dialogs := tab(t, browser, false)
	run(t, ctx, chromedp.Navigate(base+"/login?token="+url.QueryEscape(testToken)))
	waitJS(t, ctx, `document.body.dataset.ready === 'findings'`)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, testToken) {
		t.Errorf("the token stays in the address bar: %s", loc)
	}
	return ctx, dialogs
}

func openCount(t *testing.T, st *store.Store, q store.Query) int {
	t.Helper()
	p, err := st.QueryFindings(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// commas formats like the pages do (en-US grouping).
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
