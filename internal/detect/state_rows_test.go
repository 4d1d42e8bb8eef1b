package detect

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

// rowStore is what a store keeps of the engine state: rows by kind and key.
type rowStore struct {
	rows    map[[2]string][]byte
	written int // bytes put, over every save
}

func (s *rowStore) save(t *testing.T, rows StateRows, full bool) int {
	t.Helper()
	if full {
		s.rows = map[[2]string][]byte{}
	}
	n := 0
	err := rows(func(kind, key string, v []byte) error {
		n += len(kind) + len(key) + len(v)
		if v == nil {
			delete(s.rows, [2]string{kind, key})
		} else {
			s.rows[[2]string{kind, key}] = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.written += n
	return n
}

func (s *rowStore) stream() StateRows {
	return func(put func(kind, key string, value []byte) error) error {
		for k, v := range s.rows {
			if err := put(k[0], k[1], v); err != nil {
				return err
			}
		}
		return nil
	}
}

// simulated returns the records of a simulated organization trail with
// every attack scenario planted, in time order, and its config.
func simulated(t *testing.T, events int64) ([]*cloudtrail.Event, *config.Config) {
	t.Helper()
	dir := t.TempDir()
	sum, err := simulate.Run(context.Background(), simulate.Options{Out: dir, Events: events, Seed: 11, Scenarios: []string{"all"}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(sum.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*cloudtrail.Event
	err = filepath.WalkDir(filepath.Join(dir, "AWSLogs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") || strings.Contains(p, "Digest") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		var file struct{ Records []json.RawMessage }
		if err := json.NewDecoder(zr).Decode(&file); err != nil {
			return err
		}
		for i, r := range file.Records {
			ev, err := cloudtrail.Decode(r, cloudtrail.Origin{File: p, Index: i})
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(evs, func(a, b *cloudtrail.Event) int { return a.Time.Compare(b.Time) })
	return evs, cfg
}

func newEngineWith(t *testing.T, cfg *config.Config, m *idc.Model) *Engine {
	t.Helper()
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(rs, cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func decodeAgain(t *testing.T, ev *cloudtrail.Event) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode(ev.Raw, ev.Origin)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRowsRestartsChangeNothing: an engine that saves only what each batch
// changed, and is restarted from those rows every few batches, raises the
// same findings in the same order as one that never stops, over a
// simulated trail with every attack story (correlations, sign-in
// histories, credentials, baselines, a moving model), and ends with the
// same model. Each delta is a small part of the state.
func TestRowsRestartsChangeNothing(t *testing.T) {
	evs, cfg := simulated(t, 6000)
	// Findings, and what enrichment derived for every event (the memory
	// of sign-ins, credentials and baselines shows there first).
	var want []string
	a := newEngineWith(t, cfg, nil)
	for _, ev := range evs {
		want = append(want, outcome(t, a, decodeAgain(t, ev))...)
	}

	rng := rand.New(rand.NewPCG(3, 4))
	b := newEngineWith(t, cfg, nil)
	st := &rowStore{}
	st.save(t, b.SaveDelta(true), true)
	var got []string
	restarts, largest := 0, 0
	for i := 0; i < len(evs); {
		n := 1 + rng.IntN(20)
		for _, ev := range evs[i:min(i+n, len(evs))] {
			got = append(got, outcome(t, b, decodeAgain(t, ev))...)
		}
		i += n
		largest = max(largest, st.save(t, b.SaveDelta(false), false))
		if rng.IntN(3) == 0 {
			b = newEngineWith(t, cfg, nil)
			if err := b.RestoreRows(st.stream()); err != nil {
				t.Fatal(err)
			}
			restarts++
		}
	}
	if !slices.ContainsFunc(want, func(s string) bool { return strings.Contains(s, ".chain.") }) {
		t.Fatal("the trail raised no correlation finding: the test proves nothing")
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("with %d restarts, line %d differs:\ngot  %s\nwant %s", restarts, i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Errorf("with %d restarts: %d lines, want %d", restarts, len(got), len(want))
	}
	var wm, gm bytes.Buffer
	a.State().Write(&wm)
	b.State().Write(&gm)
	if wm.String() != gm.String() {
		t.Error("the restarted engine's model differs from the one that never stopped")
	}
	total := 0
	for k, v := range st.rows {
		total += len(k[0]) + len(k[1]) + len(v)
	}
	if largest > total/2 {
		t.Errorf("the largest delta wrote %d bytes of a %d-byte state", largest, total)
	}
}

// outcome is what processing ev shows: its findings and derived fields.
func outcome(t *testing.T, e *Engine, ev *cloudtrail.Event) []string {
	t.Helper()
	var out []string
	for _, f := range e.Process(ev) {
		out = append(out, "finding "+f.ID+" "+f.Rule)
	}
	d, err := json.Marshal(ev.Derived)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, ev.ID+" "+string(d))
}

// TestRowsBigModelWrittenOnce: a 100,000-assignment model is written in
// full once; a batch that adds an assignment writes its row and little
// else, whatever the size of the model.
func TestRowsBigModelWrittenOnce(t *testing.T) {
	m := idc.Synthetic(1, 2000, 400, 200, 60, 100_000)
	var psARN, acct string
	for arn := range m.PermissionSets {
		psARN = arn
		break
	}
	for id := range m.Accounts {
		acct = id
		break
	}
	e := newEngineWith(t, config.Default(), m)
	st := &rowStore{}
	full := st.save(t, e.SaveDelta(true), true)
	if len(st.rows) < 100_000 {
		t.Fatalf("full save: %d rows", len(st.rows))
	}
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var deltas []int
	for i := range 5 {
		e.Process(rec(t, t0.Add(time.Duration(i)*time.Second), "CreateAccountAssignment", "",
			`,"requestParameters":{"instanceArn":"arn:aws:sso:::instance/ssoins-1","permissionSetArn":"`+psARN+`","targetId":"`+acct+`","targetType":"AWS_ACCOUNT","principalType":"USER","principalId":"u-new-`+string(rune('a'+i))+`"}`))
		deltas = append(deltas, st.save(t, e.SaveDelta(false), false))
	}
	for i, d := range deltas {
		if d == 0 || d > 16<<10 || d*1000 > full {
			t.Errorf("delta %d wrote %d bytes (full state %d bytes)", i, d, full)
		}
	}
	e2 := newEngineWith(t, config.Default(), nil)
	if err := e2.RestoreRows(st.stream()); err != nil {
		t.Fatal(err)
	}
	if n := len(e2.State().Assignments); n != 100_005 {
		t.Errorf("restored %d assignments, want 100005", n)
	}
}

// TestRowsReadTheSingleBlob: a store's state from before rows (one
// SaveState blob) restores through RestoreRows as a BlobKind row, and a
// full save then turns it into rows; a delta before any full save, a row
// of an unknown kind, a newer schema and a damaged window are refused.
func TestRowsReadTheSingleBlob(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ps := `"arn:aws:sso:::permissionSet/ssoins-1/ps-9"`
	e := engine(t)
	e.Process(rec(t, t0, "CreatePermissionSet", "", `,"requestParameters":{"name":"Door"},"responseElements":{"permissionSet":{"name":"Door","permissionSetArn":`+ps+`}}`))
	e.Process(rec(t, t0.Add(time.Minute), "AttachManagedPolicyToPermissionSet", "", `,"requestParameters":{"permissionSetArn":`+ps+`,"managedPolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`))
	blob, err := e.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	e2 := engine(t)
	if err := e2.RestoreRows(func(put func(kind, key string, value []byte) error) error { return put(BlobKind, "", blob) }); err != nil {
		t.Fatal(err)
	}
	if err := e2.SaveDelta(false)(func(string, string, []byte) error { return nil }); err == nil {
		t.Error("a delta right after reading a blob was accepted: a full save must come first")
	}
	st := &rowStore{}
	st.save(t, e2.SaveDelta(true), true)
	e3 := engine(t)
	if err := e3.RestoreRows(st.stream()); err != nil {
		t.Fatal(err)
	}
	got := e3.Process(rec(t, t0.Add(2*time.Minute), "ProvisionPermissionSet", "", `,"requestParameters":{"permissionSetArn":`+ps+`,"targetId":"333333333333","targetType":"AWS_ACCOUNT"}`))
	if !slices.ContainsFunc(got, func(f finding.Finding) bool { return f.Rule == "idc.chain.backdoor-permission-set" }) {
		t.Errorf("the window did not survive blob -> rows -> restore: %+v", got)
	}
	for _, c := range []struct{ kind, key, value, want string }{
		{"planet", "p", `{}`, `unknown row kind "planet"`},
		{schemaKind, "schema", `"portcullis.engine-state/v9"`, "schema"},
		{corrKindPrefix + "idc.chain.backdoor-permission-set", "k", `{"partials":[null]}`, "partial 0: null"},
		{failuresKind, "a", `"x"`, `failures of "a"`},
		{modelKind + idc.FactUser, "u-1", `{"id":"u-2"}`, `holds "u-2"`},
	} {
		err := engine(t).RestoreRows(func(put func(kind, key string, value []byte) error) error {
			return put(c.kind, c.key, []byte(c.value))
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.kind, err, c.want)
		}
	}
}

// TestRowsClosedWindowsAreSwept: windows are bounded in time as well as in
// number. Groups whose window closed leave memory and the store once a
// later event moves the clock past them (plus the slack), without waiting
// for their own next event or for maxGroups.
func TestRowsClosedWindowsAreSwept(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	create := func(at time.Time, i int) *cloudtrail.Event {
		ps := fmt.Sprintf(`"arn:aws:sso:::permissionSet/ssoins-1/ps-%04d"`, i)
		return rec(t, at, "CreatePermissionSet", "", `,"requestParameters":{"name":"Door"},"responseElements":{"permissionSet":{"name":"Door","permissionSetArn":`+ps+`}}`)
	}
	e := engine(t)
	st := &rowStore{}
	st.save(t, e.SaveDelta(true), true)
	corrRows := func() int {
		n := 0
		for k := range st.rows {
			if strings.HasPrefix(k[0], corrKindPrefix) {
				n++
			}
		}
		return n
	}
	groups := func() int {
		n := 0
		for _, s := range e.state {
			n += len(s.Groups)
		}
		return n
	}
	const opened = 300
	for i := range opened {
		e.Process(create(t0.Add(time.Duration(i)*time.Second), i))
	}
	st.save(t, e.SaveDelta(false), false)
	if g, r := groups(), corrRows(); g < opened || r < opened {
		t.Fatalf("after %d first steps: %d groups, %d rows", opened, g, r)
	}
	// An hour on, every window is still open: nothing goes.
	e.Process(create(t0.Add(time.Hour), opened))
	st.save(t, e.SaveDelta(false), false)
	if g := groups(); g <= opened {
		t.Fatalf("an hour on: %d groups, want more than %d", g, opened)
	}
	// A day and more on (the chain's window is 24h), only the new group is left.
	e.Process(create(t0.Add(25*time.Hour), opened+1))
	st.save(t, e.SaveDelta(false), false)
	if g, r := groups(), corrRows(); g > 5 || r > 5 {
		t.Errorf("after the windows closed: %d groups in memory, %d rows stored", g, r)
	}
}
