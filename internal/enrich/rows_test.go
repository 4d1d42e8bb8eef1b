package enrich

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// rowStore is what the store keeps of one table: key -> row.
type rowStore map[string][]byte

func (s rowStore) save(t *testing.T, tb rowTable, full bool) int {
	t.Helper()
	keys := tb.takeDirty()
	if full {
		clear(s)
		keys = tb.keys()
	}
	for _, k := range keys {
		v, ok, err := tb.encode(k)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			s[k] = v
		} else {
			delete(s, k)
		}
	}
	return len(keys)
}

func (s rowStore) loader(t *testing.T, kind string) *RowLoader {
	t.Helper()
	l := &RowLoader{}
	for k, v := range s {
		if err := l.Add(kind, k, v); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// TestTablesSaveOnlyWhatChanged: an LRU and a bounded map kept as rows,
// saving after each few operations only the keys touched, evicted or
// deleted, restore to the same entries in the same order (recency for the
// LRU, insertion for the bounded map) — so eviction after a restart drops
// what it would have dropped without one.
func TestTablesSaveOnlyWhatChanged(t *testing.T) {
	for seed := range 3 {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		l, b := newLRU[int](20), newBounded[int](20)
		ls, bs := rowStore{}, rowStore{}
		l.track()
		b.track()
		ls.save(t, l, true)
		bs.save(t, b, true)
		written := 0
		for i := range 3000 {
			k := fmt.Sprint(rng.IntN(40))
			switch rng.IntN(4) {
			case 0:
				l.get(k)
				b.get(k)
			case 1:
				b.del(k)
				fallthrough
			default:
				l.put(k, i)
				b.put(k, i)
			}
			if i%5 == 4 {
				written += ls.save(t, l, false) + bs.save(t, b, false)
			}
		}
		if len(ls) != l.len() || len(bs) != b.len() {
			t.Errorf("seed %d: %d and %d rows stored for %d and %d entries: evicted or deleted rows stay", seed, len(ls), len(bs), l.len(), b.len())
		}
		if written > 3*3000 {
			t.Errorf("seed %d: %d rows written for 3000 operations", seed, written)
		}
		l2, b2 := newLRU[int](20), newBounded[int](20)
		if err := l2.restore(ls.loader(t, "l").rows["l"]); err != nil {
			t.Fatal(err)
		}
		if err := b2.restore(bs.loader(t, "b").rows["b"]); err != nil {
			t.Fatal(err)
		}
		if got, want := l2.entries(), l.entries(); !sameEntries(got, want) {
			t.Errorf("seed %d: restored LRU\n%v\nwant\n%v", seed, got, want)
		}
		gotB, _ := b2.MarshalJSON()
		wantB, _ := b.MarshalJSON()
		if string(gotB) != string(wantB) {
			t.Errorf("seed %d: restored bounded map\n%s\nwant\n%s", seed, gotB, wantB)
		}
	}
}

func sameEntries[V any](a, b []lruEntry[V]) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].K != b[i].K || !reflect.DeepEqual(a[i].V, b[i].V) {
			return false
		}
	}
	return true
}

// TestEnricherRows: an enricher's rows load into another one, which then
// judges events as the first would; rows of an unknown kind or a null
// credential are refused; rows beyond a table's bound are deleted at the
// next save.
func TestEnricherRows(t *testing.T) {
	e := New(config.Default(), idc.New("events"))
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	e.creds.issue(decode(t, `{"eventSource":"sso-oauth.amazonaws.com","eventName":"CreateToken","eventTime":"2026-11-02T10:00:00Z","eventID":"e1","responseElements":{"expiresIn":"3600"}}`), "c-1", "bob", "198.51.100.0/24", "cli")
	e.mem.Issuers.put("arn:tti", "https://idp.example")
	e.baselines.put("admin", &baseline{Networks: map[string]sighting{"n": {First: t0, Last: t0}}, Clients: map[string]sighting{}})
	got := map[string]rowStore{}
	put := func(kind, key string, v []byte) error {
		if got[kind] == nil {
			got[kind] = rowStore{}
		}
		if v == nil {
			delete(got[kind], key)
		} else {
			got[kind][key] = v
		}
		return nil
	}
	if err := e.StateRows(true, put); err != nil {
		t.Fatal(err)
	}
	e.mem.Issuers.del("arn:tti")
	e.mem.Apps.put("arn:app", appInfo{Name: "wiki"})
	if err := e.StateRows(false, put); err != nil {
		t.Fatal(err)
	}
	if len(got[RowKindPrefix+"issuers"]) != 0 || len(got[RowKindPrefix+"apps"]) != 1 {
		t.Fatalf("delta rows: %v", got)
	}
	l := &RowLoader{}
	for kind, rows := range got {
		for k, v := range rows {
			if err := l.Add(kind, k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	e2 := New(config.Default(), idc.New("events"))
	if err := e2.LoadRows(l); err != nil {
		t.Fatal(err)
	}
	if c := e2.creds.find("c-1", "", t0); c == nil || c.User != "bob" {
		t.Errorf("restored credential: %+v", c)
	}
	if info, ok := e2.mem.Apps.get("arn:app"); !ok || info.Name != "wiki" {
		t.Errorf("restored app: %+v %v", info, ok)
	}

	small := New(config.Default(), idc.New("events"))
	small.mem.ABAC = newBounded[abacMap](1)
	two := &RowLoader{}
	for i, k := range []string{"i-1", "i-2"} {
		if err := two.Add(RowKindPrefix+"abac", k, []byte(fmt.Sprintf(`{"s":%d,"v":{}}`, i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := small.LoadRows(two); err != nil {
		t.Fatal(err)
	}
	var deleted []string
	small.StateRows(false, func(kind, key string, v []byte) error {
		if v == nil {
			deleted = append(deleted, kind+" "+key)
		}
		return nil
	})
	if strings.Join(deleted, ",") != RowKindPrefix+"abac i-1" {
		t.Errorf("rows beyond the bound deleted: %v", deleted)
	}

	for _, c := range []struct{ kind, value, want string }{
		{RowKindPrefix + "planets", `{"s":1,"v":1}`, "unknown kind"},
		{RowKindPrefix + "credentials", `{"s":1,"v":null}`, `credential "k": empty`},
		{RowKindPrefix + "signins", `{"s":1,"v":{}}`, `sign-in history "k": empty`},
		{RowKindPrefix + "apps", `{"s":1,"v":"not an app"}`, `restore enrichment enrich.apps: "k"`},
	} {
		bad := &RowLoader{}
		if err := bad.Add(c.kind, "k", []byte(c.value)); err != nil {
			t.Fatal(err)
		}
		if err := New(config.Default(), idc.New("events")).LoadRows(bad); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: err = %v, want %q", c.kind, c.value, err, c.want)
		}
	}
	if err := (&RowLoader{}).Add(RowKindPrefix+"apps", "k", []byte("{")); err == nil {
		t.Error("a row that is not JSON was accepted")
	}
}
