package enrich

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestBoundedDropsOldestFirst: the map never holds more than its bound,
// the first inserted goes first, an update keeps its place, a deleted key
// re-added is new, and the order survives a save and restore.
func TestBoundedDropsOldestFirst(t *testing.T) {
	b := newBounded[int](3)
	for i, k := range []string{"a", "b", "c"} {
		b.put(k, i)
	}
	b.put("a", 10) // update: keeps its place (oldest)
	b.put("d", 3)  // evicts a
	if _, ok := b.get("a"); ok || b.len() != 3 {
		t.Fatalf("after d: a present=%v len=%d", ok, b.len())
	}
	b.del("b")
	b.put("b", 4) // re-added: now the newest
	b.put("e", 5) // evicts c, the oldest left
	for k, want := range map[string]bool{"b": true, "c": false, "d": true, "e": true} {
		if _, ok := b.get(k); ok != want {
			t.Errorf("%s present=%v, want %v", k, ok, want)
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `[{"k":"d","v":3},{"k":"b","v":4},{"k":"e","v":5}]` {
		t.Errorf("saved %s", raw)
	}
	back := newBounded[int](2) // a smaller bound keeps the newest
	if err := json.Unmarshal(raw, back); err != nil {
		t.Fatal(err)
	}
	if _, ok := back.get("d"); ok || back.len() != 2 {
		t.Errorf("restored into a bound of 2: %v", back.m)
	}
	// A flood of deletes and re-inserts keeps the order slice small.
	for i := range 1000 {
		k := fmt.Sprint(i % 5)
		b.del(k)
		b.put(k, i)
	}
	if len(b.order) > 2*b.max+16 {
		t.Errorf("order grew to %d for a bound of %d", len(b.order), b.max)
	}
}

// TestMemorySurvivesSaveAndLoad: what one enricher learned (a trusted
// token issuer's URL) judges a later event in another one restored from
// its saved memory; a foreign or newer memory is refused.
func TestMemorySurvivesSaveAndLoad(t *testing.T) {
	cfg := config.Default()
	cfg.TrustedTokenIssuers = []string{"https://login.example.com"}
	a := New(cfg, idc.New("test"))
	a.Enrich(decode(t, `{"eventSource":"sso.amazonaws.com","eventName":"CreateTrustedTokenIssuer","requestParameters":{"trustedTokenIssuerConfiguration":{"oidcJwtConfiguration":{"issuerUrl":"https://evil.example.net/"}}},"responseElements":{"trustedTokenIssuerArn":"arn:aws:sso::1:trustedTokenIssuer/ssoins-1/tti-1"}}`))
	saved, err := a.SaveMemory()
	if err != nil {
		t.Fatal(err)
	}
	b := New(cfg, idc.New("test"))
	if err := b.LoadMemory(saved); err != nil {
		t.Fatal(err)
	}
	ev := decode(t, `{"eventSource":"sso.amazonaws.com","eventName":"UpdateTrustedTokenIssuer","requestParameters":{"trustedTokenIssuerArn":"arn:aws:sso::1:trustedTokenIssuer/ssoins-1/tti-1"}}`)
	b.Enrich(ev)
	if ev.String("portcullis.tti.issuer") != "https://evil.example.net" || ev.Derived["portcullis.tti.trusted"] != false {
		t.Errorf("restored memory: %v", ev.Derived)
	}
	for doc, want := range map[string]string{
		`{"version":99}`:            "newer",
		`[1]`:                       "restore enrichment memory",
		`{"version":1,"apps":null}`: "",
	} {
		err := b.LoadMemory(json.RawMessage(doc))
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("LoadMemory(%s) = %v, want %q", doc, err, want)
		}
	}
	b.Enrich(decode(t, `{"eventSource":"sso.amazonaws.com","eventName":"PutApplicationAccessScope","requestParameters":{"applicationArn":"arn:aws:sso::1:application/ssoins-1/apl-1","scope":"sso:account:access"}}`))
}
