package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/posture"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/simulate"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/store"
	"github.com/portcullis-sec/portcullis/internal/watch"
)

// xss is a name an attacker can give a permission set (or anything else
// a snapshot or CloudTrail carries).
const xss = `<img src=x onerror=alert(1)>`

const testToken = "test-token-0123456789abcdef"

// Ids of the access fixture, in the shapes AWS uses (the containment
// planner refuses anything else).
const (
	psPrefix  = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-"
	adminARN  = psPrefix + "a000000000000001"
	roARN     = psPrefix + "a000000000000002"
	backupARN = psPrefix + "a000000000000003"
	evilARN   = psPrefix + "a000000000000004" // named xss
	uAlice    = "a1a1a1a1-0000-4000-8000-000000000001"
	uBob      = "a1a1a1a1-0000-4000-8000-000000000002"
	uMallory  = "a1a1a1a1-0000-4000-8000-000000000003"
	gAdmins   = "b2b2b2b2-0000-4000-8000-000000000001"
	gDevs     = "b2b2b2b2-0000-4000-8000-000000000002"
)

// Fixed account ids of the access fixture.
const (
	acctMgmt = "111111111111"
	acctProd = "222222222222"
	acctDev  = "333333333333"
)

// watchStore fills a real SQLite store the way `portcullis watch` does:
// a simulated organization trail (every attack scenario) goes through the
// rule pack and the watcher into the store.
func watchStore(t testing.TB, dir string) (*store.Store, *config.Config) {
	t.Helper()
	ctx := context.Background()
	sum, err := simulate.Run(ctx, simulate.Options{Out: filepath.Join(dir, "trail"), Events: 6000, Seed: 42, Scenarios: []string{"all"}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(sum.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := detect.Load()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(rs, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "portcullis.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pf := cloudtrail.NewPrefilter(eng.Interest())
	w, err := watch.New(ctx, watch.Options{Detector: eng.Stream(), Store: st, Prefilter: pf})
	if err != nil {
		t.Fatal(err)
	}
	var objs []source.Object
	if _, err := source.Walk(ctx, []string{filepath.Join(dir, "trail", "AWSLogs")}, source.Filter{}, func(o source.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := scan.Run(ctx, objs, scan.Options{Prefilter: pf}, func(batch []*cloudtrail.Event) error {
		_, err := w.Ingest(ctx, batch)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st, cfg
}

// accessModel is a small organization with one admin path into a
// sensitive account, and a permission set whose name is an XSS payload.
func accessModel(withRogue bool) *idc.Model {
	m := idc.New("file")
	m.CapturedAt = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	m.InstanceARN = "arn:aws:sso:::instance/ssoins-1111111111111111"
	m.IdentityStoreID = "d-1111111111"
	m.ManagementAccountID = acctMgmt
	m.Accounts[acctMgmt] = &idc.Account{ID: acctMgmt, Name: "management", Management: true}
	m.Accounts[acctProd] = &idc.Account{ID: acctProd, Name: "prod"}
	m.Accounts[acctDev] = &idc.Account{ID: acctDev, Name: "dev"}
	for id, name := range map[string]string{uAlice: "alice", uBob: "bob", uMallory: "mallory"} {
		m.Users[id] = &idc.User{ID: id, UserName: name + "@example.com"}
	}
	m.Groups[gAdmins] = &idc.Group{ID: gAdmins, DisplayName: "admins"}
	m.Groups[gDevs] = &idc.Group{ID: gDevs, DisplayName: "devs"}
	m.Memberships[gAdmins] = []idc.Membership{{UserID: uAlice}}
	m.Memberships[gDevs] = []idc.Membership{{UserID: uBob}, {UserID: uMallory}}
	ps := func(arn, name, policy string) {
		m.PermissionSets[arn] = &idc.PermissionSet{ARN: arn, Name: name, ManagedPolicies: []string{policy},
			ProvisionedTo: []string{acctProd, acctDev}}
	}
	ps(adminARN, "AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess")
	ps(roARN, "ReadOnly", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	m.Assignments = []idc.Assignment{
		{AccountID: acctProd, PermissionSetARN: adminARN, PrincipalType: "GROUP", PrincipalID: gAdmins},
		{AccountID: acctDev, PermissionSetARN: roARN, PrincipalType: "GROUP", PrincipalID: gDevs},
		{AccountID: acctProd, PermissionSetARN: roARN, PrincipalType: "USER", PrincipalID: uBob},
	}
	if withRogue {
		ps(backupARN, "BackupAdmin", "arn:aws:iam::aws:policy/AdministratorAccess")
		ps(evilARN, xss, "arn:aws:iam::aws:policy/ReadOnlyAccess")
		m.Assignments = append(m.Assignments,
			idc.Assignment{AccountID: acctDev, PermissionSetARN: backupARN, PrincipalType: "USER", PrincipalID: uMallory},
			idc.Assignment{AccountID: acctDev, PermissionSetARN: evilARN, PrincipalType: "USER", PrincipalID: uMallory})
	}
	m.Index()
	return m
}

// xssFinding is a finding whose every free-text field is a payload.
func xssFinding() finding.Finding {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	return finding.Finding{
		Schema: finding.Schema, ID: finding.StableID("idc.test.xss", "xss-1"), Rule: "idc.test.xss", Title: "Permission set " + xss,
		Severity: finding.High, Time: at, Actor: finding.Actor{Name: "mallory" + xss, ARN: "arn:aws:iam::111111111111:user/" + xss},
		Account: acctDev, Targets: finding.Targets{PermissionSetName: xss, PermissionSetARN: evilARN, AccountID: acctDev,
			PrincipalType: "USER", PrincipalID: uMallory},
		Events:  []finding.EventRef{{EventID: "xss-1", EventName: "CreatePermissionSet" + xss, EventSource: "sso.amazonaws.com", Time: at}},
		Summary: "mallory created permission set " + xss, Reasons: []string{"named " + xss}, Attack: []string{"T1098"},
	}
}

// rogueFinding is mallory granting herself an admin permission set: its
// containment plan builds against the access fixture.
func rogueFinding() finding.Finding {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	return finding.Finding{
		Schema: finding.Schema, ID: finding.StableID("idc.assignment.created", "rogue-1"), Rule: "idc.assignment.created",
		Title: "Account assignment created", Severity: finding.Critical, Time: at,
		Actor:   finding.Actor{Name: "mallory@example.com", UserID: uMallory, ARN: "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_DevOps_0123456789abcdef/mallory@example.com"},
		Account: acctMgmt, Targets: finding.Targets{AccountID: acctDev, PermissionSetARN: backupARN, PermissionSetName: "BackupAdmin", PrincipalType: "USER", PrincipalID: uMallory},
		Events:  []finding.EventRef{{EventID: "rogue-1", EventName: "CreateAccountAssignment", EventSource: "sso.amazonaws.com", Time: at}},
		Summary: "mallory@example.com assigned permission set BackupAdmin (level admin) to herself in account " + acctDev,
		Attack:  []string{"T1098.003"},
	}
}

// fixture is a running server over a watch store (plus the XSS finding),
// the access model, a reconcile and a posture report.
type fixture struct {
	url   string
	store *store.Store
	srv   *Server
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, cfg := watchStore(t, dir)
	if _, err := st.PutFindings(context.Background(), []finding.Finding{xssFinding(), rogueFinding()}); err != nil {
		t.Fatal(err)
	}
	cfg.SensitiveAccounts = []string{acctProd}
	cfg.PrivilegedGroups = []string{"admins"}

	// The model goes through a file, as --snapshot reads it.
	cur := accessModel(true)
	snap := filepath.Join(dir, "snapshot.json")
	writeFile(t, snap, cur.Write)
	model, err := idc.Load(snap)
	if err != nil {
		t.Fatal(err)
	}
	rep := drift.Reconcile(accessModel(false), model, nil, cfg)
	recPath := filepath.Join(dir, "reconcile.json")
	writeFile(t, recPath, rep.WriteJSON)
	rec, err := LoadReconcile(recPath)
	if err != nil {
		t.Fatal(err)
	}
	pr := posture.Run(posture.Input{Model: model, Config: cfg})
	posPath := filepath.Join(dir, "posture.json")
	writeFile(t, posPath, func(w io.Writer) error { return json.NewEncoder(w).Encode(pr) })
	pos, err := LoadPosture(posPath)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{
		Sources: []Source{{Name: "store", Label: "portcullis.db", Store: st, Writable: true}},
		Model:   model, ModelName: "snapshot.json", Config: cfg, Reconcile: rec, Posture: pos,
		Token: testToken, Loopback: true,
		Now: func() time.Time { return time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &fixture{url: hs.URL, store: st, srv: srv}
}

func writeFile(t testing.TB, path string, write func(io.Writer) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := write(f); err != nil {
		t.Fatal(err)
	}
}
