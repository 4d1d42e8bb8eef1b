package watch

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// stateBytes counts, with SQLite triggers, the bytes the store writes into
// detector state (the single-blob table and the rows table, whichever
// exist), whoever writes them.
type stateBytes struct{ db *sql.DB }

func countStateBytes(t testing.TB, st *store.Store) *stateBytes {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	stmts := []string{`CREATE TABLE IF NOT EXISTS state_bytes (n INTEGER NOT NULL); INSERT INTO state_bytes VALUES (0)`}
	for _, tb := range []struct{ table, size string }{
		{"state", "length(NEW.name) + length(NEW.blob)"},
		{"engine_state", "length(NEW.name) + length(NEW.kind) + length(NEW.key) + length(NEW.value)"},
	} {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, tb.table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			continue
		}
		for _, op := range []string{"INSERT", "UPDATE"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER count_%[1]s_%[2]s AFTER %[2]s ON %[1]s BEGIN UPDATE state_bytes SET n = n + %[3]s; END`, tb.table, op, tb.size))
		}
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	return &stateBytes{db}
}

func (c *stateBytes) take(t testing.TB) int {
	t.Helper()
	var n int
	if err := c.db.QueryRow(`SELECT n FROM state_bytes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.Exec(`UPDATE state_bytes SET n = 0`); err != nil {
		t.Fatal(err)
	}
	return n
}

// assignEvent is an EventBridge event granting a fresh principal a
// permission set in an account.
func assignEvent(t testing.TB, i int, psARN, account string) []byte {
	rec := record(fmt.Sprintf("as-%06d", i), "sso.amazonaws.com", "CreateAccountAssignment", actorN(i%50), baseTime.Add(time.Duration(i)*time.Second))
	rec["requestParameters"] = map[string]any{"instanceArn": "arn:aws:sso:::instance/ssoins-0000000000000001", "permissionSetArn": psARN,
		"targetId": account, "targetType": "AWS_ACCOUNT", "principalType": "USER", "principalId": fmt.Sprintf("u-%06d", i)}
	return mustJSON(t, ebEvent(rec))
}

// engineWatcher runs the built-in rule pack from model m (nil: empty).
func engineWatcher(t testing.TB, st *store.Store, m *idc.Model) *Watcher {
	t.Helper()
	rs, err := detect.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(rs, config.Default(), m)
	if err != nil {
		t.Fatal(err)
	}
	return newWatcher(t, st, eng.Stream(), nil)
}

// stateBytesPerPost is the detector-state bytes one post of one new
// assignment writes, on average over a few posts after the first.
func stateBytesPerPost(t *testing.T, m *idc.Model) int {
	ctx := context.Background()
	st := openStore(t, "")
	w := engineWatcher(t, st, m)
	post := func(i int) {
		// Each post names another permission set and account the model
		// knows, so no correlation group collects them all.
		ps, acct := fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-%016x", i), "222222222222"
		if m != nil {
			ps, acct = m.Assignments[i].PermissionSetARN, m.Assignments[i].AccountID
		}
		if _, err := w.Ingest(ctx, decodeAll(t, assignEvent(t, i, ps, acct))); err != nil {
			t.Fatal(err)
		}
	}
	post(0)
	c := countStateBytes(t, st)
	const posts = 5
	for i := 1; i <= posts; i++ {
		post(i)
	}
	return c.take(t) / posts
}

// TestStateWritePerPostDoesNotGrowWithTheModel: what a post writes of the
// detector state is what the post changed. With 9,000 assignments in the
// model (the case: the whole state was re-serialised on every
// commit, 121 ms a post) a new assignment writes about as many state bytes
// as on an empty model.
func TestStateWritePerPostDoesNotGrowWithTheModel(t *testing.T) {
	fresh := stateBytesPerPost(t, nil)
	big := stateBytesPerPost(t, idc.Synthetic(1, 1500, 300, 60, 40, 9000))
	t.Logf("state bytes written per post: %d on an empty model, %d with 9,000 assignments", fresh, big)
	if fresh == 0 {
		t.Fatal("no state written: the counter counts nothing")
	}
	if big > 2*fresh+2048 {
		t.Errorf("a post writes %d bytes of state with 9,000 assignments, %d on an empty model: the cost grows with the model", big, fresh)
	}
}

// TestOldBlobStateBecomesRows: a store written before state rows holds the
// detector state as one blob; a new watcher reads it, turns it into rows
// (the blob goes), and the correlation window in it still completes.
func TestOldBlobStateBecomesRows(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	rs, err := detect.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	old, err := detect.NewEngine(rs, config.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-0000000000000009"
	step := func(id, name string, at time.Duration, req map[string]any, resp any) []byte {
		rec := record(id, "sso.amazonaws.com", name, attacker, baseTime.Add(at))
		rec["requestParameters"], rec["responseElements"] = req, resp
		return mustJSON(t, ebEvent(rec))
	}
	for _, ev := range decodeAll(t,
		step("bd-1", "CreatePermissionSet", 0, map[string]any{"name": "Door"}, map[string]any{"permissionSet": map[string]any{"name": "Door", "permissionSetArn": ps}}),
		step("bd-2", "AttachManagedPolicyToPermissionSet", time.Minute, map[string]any{"permissionSetArn": ps, "managedPolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, nil),
	) {
		old.Process(ev)
	}
	blob, err := old.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveState(ctx, DefaultStateName, blob); err != nil {
		t.Fatal(err)
	}
	engineWatcher(t, st, nil)
	if b, _ := st.LoadState(ctx, DefaultStateName); b != nil {
		t.Error("the old blob is still there")
	}
	if n, _ := st.StateRowCount(ctx, DefaultStateName); n == 0 {
		t.Fatal("no state rows written")
	}
	w := engineWatcher(t, st, nil) // a restart, from rows this time
	rec := &recorder{}
	w.alerts = rec
	res, err := w.Ingest(ctx, decodeAll(t, step("bd-3", "ProvisionPermissionSet", 2*time.Minute, map[string]any{"permissionSetArn": ps, "targetId": "333333333333", "targetType": "AWS_ACCOUNT"}, nil)))
	if err != nil || res.Findings == 0 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	if _, err := w.DeliverPending(ctx); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rec.findings() {
		found = found || f.Rule == "idc.chain.backdoor-permission-set"
	}
	if !found {
		t.Errorf("the window in the old blob did not complete: %v", rec.findings())
	}
}
