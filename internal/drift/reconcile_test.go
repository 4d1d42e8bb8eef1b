package drift

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/golden"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const psBackdoor = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000009"

func reconcileConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`
admins: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*"]
sensitive_accounts: ["222222222222"]
privileged_groups: [Admins]
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// scenario loads the Terraform baseline and plants rogue grants (and some
// harmless drift) into a copy of it.
func scenario(t *testing.T) (baseline, cur *idc.Model) {
	t.Helper()
	baseline, err := terraform.Load("testdata/reconcile/baseline.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	cur = clone(t, baseline)
	cur.From = "aws"
	cur.CapturedAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	// By bob, through his Developer session (events explain these).
	cur.Users["u-mallory"] = &idc.User{ID: "u-mallory", UserName: "mallory"}
	cur.PermissionSets[psBackdoor] = &idc.PermissionSet{ARN: psBackdoor, Name: "Backdoor", SessionDuration: "PT12H",
		ManagedPolicies: []string{adminPolicy}, ProvisionedTo: []string{prod}}
	cur.Assignments = append(cur.Assignments, idc.Assignment{AccountID: prod, PermissionSetARN: psBackdoor, PrincipalType: "USER", PrincipalID: "u-mallory"})
	cur.Memberships["g-admins"] = append(cur.Memberships["g-admins"], idc.Membership{UserID: "u-bob"})
	cur.Memberships["g-devs"] = slices.DeleteFunc(cur.Memberships["g-devs"], func(m idc.Membership) bool { return m.UserID == "u-carol" })
	// By alice, an allow-listed admin, outside Terraform all the same.
	cur.Memberships["g-admins"] = append(cur.Memberships["g-admins"], idc.Membership{UserID: "u-carol", MembershipID: "m-carol-admins"})
	cur.Assignments = append(cur.Assignments, idc.Assignment{AccountID: dev, PermissionSetARN: psAdmin, PrincipalType: "GROUP", PrincipalID: "g-devs"})
	cur.PermissionSets[psAdmin].ProvisionedTo = append(cur.PermissionSets[psAdmin].ProvisionedTo, dev)
	// Out of band: no event in the trail.
	cur.PermissionSets[psRead].InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`
	cur.PermissionSets[psDev].Description = "Developers (edited in the console)"
	cur.Index()
	return baseline, cur
}

func loadEvents(t *testing.T, path string) []*cloudtrail.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []*cloudtrail.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for i := 0; sc.Scan(); i++ {
		e, err := cloudtrail.Decode(sc.Bytes(), cloudtrail.Origin{File: path, Index: i})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return evs
}

type grantWant struct {
	kind   Kind
	key    string
	by     Attribution
	events []string // event ids of the exact causes
}

func eid(n string) string { return "e0000000-0000-4000-8000-0000000000" + n }

func TestReconcileFindsExactlyThePlantedGrants(t *testing.T) {
	baseline, cur := scenario(t)
	r := Reconcile(baseline, cur, loadEvents(t, "testdata/reconcile/events.jsonl"), reconcileConfig(t))

	wantGrants := []grantWant{
		{PermissionSetAdded, psBackdoor, ByOthers, []string{eid("02"), eid("03")}}, // created, then AdministratorAccess attached
		{AssignmentAdded, psBackdoor + "|USER|u-mallory|" + prod, ByOthers, []string{eid("04")}},
		{MembershipAdded, "g-admins|u-bob", ByOthers, []string{eid("05")}},
		{InlinePolicyChanged, psRead, Unexplained, nil},
		{MembershipAdded, "g-admins|u-carol", ByAllowlisted, []string{eid("07")}},
		{AssignmentAdded, psAdmin + "|GROUP|g-devs|" + dev, ByAllowlisted, []string{eid("08")}},
	}
	wantOther := []grantWant{
		{MembershipRemoved, "g-devs|u-carol", ByOthers, []string{eid("06")}},
		{UserAdded, "u-mallory", ByOthers, []string{eid("01")}},
		{ProvisioningChanged, psAdmin, ByAllowlisted, []string{eid("08")}},
		{DescriptionChanged, psDev, Unexplained, nil},
	}
	check := func(what string, got []Change, want []grantWant) {
		t.Helper()
		if len(got) != len(want) {
			for _, c := range got {
				t.Logf("  %s %s %s %v", c.Kind, c.Object.Key, c.Attribution, causeIDs(c))
			}
			t.Fatalf("%s: got %d, want %d", what, len(got), len(want))
		}
		for _, w := range want {
			i := slices.IndexFunc(got, func(c Change) bool { return c.Kind == w.kind && c.Object.Key == w.key })
			if i < 0 {
				t.Errorf("%s: missing %s %s", what, w.kind, w.key)
				continue
			}
			c := got[i]
			if c.Attribution != w.by || !slices.Equal(causeIDs(c), w.events) {
				t.Errorf("%s: %s %s: got %s by %v, want %s by %v", what, w.kind, w.key, c.Attribution, causeIDs(c), w.by, w.events)
			}
			if w.by == Unexplained && c.Note != UnexplainedNote {
				t.Errorf("%s: %s: note %q", what, w.kind, c.Note)
			}
		}
	}
	check("rogue", r.Grants, wantGrants)
	check("other", r.Other, wantOther)
	if r.Rogue() != 6 || r.RogueBy(ByOthers) != 3 || r.RogueBy(ByAllowlisted) != 2 || r.RogueBy(Unexplained) != 1 {
		t.Errorf("counts: rogue %d, %v", r.Rogue(), r.Counts)
	}
	if r.EventsUsed != 10 { // 12 minus one failed and one read-only
		t.Errorf("events used: %d", r.EventsUsed)
	}
	// The cause names who, when and from where.
	c := r.Grants[slices.IndexFunc(r.Grants, func(c Change) bool { return c.Kind == AssignmentAdded && c.Attribution == ByOthers })]
	x := c.Causes[0]
	if x.Actor.Name != "bob" || x.Actor.Allowlisted || x.SourceIP != "198.51.100.66" || x.Time.Format(time.RFC3339) != "2025-03-01T08:03:00Z" ||
		x.Actor.ARN != "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/bob" {
		t.Errorf("cause: %+v", x)
	}
}

func causeIDs(c Change) []string {
	var ids []string
	for _, x := range c.Causes {
		if !x.Related {
			ids = append(ids, x.EventID)
		}
	}
	return ids
}

func TestReconcileWithoutEventsCannotAttribute(t *testing.T) {
	baseline, cur := scenario(t)
	r := Reconcile(baseline, cur, nil, reconcileConfig(t))
	if r.Rogue() != 6 || r.RogueBy(NoEvidence) != 6 || r.EventsGiven {
		t.Fatalf("got %d rogue, counts %v", r.Rogue(), r.Counts)
	}
	same := Reconcile(baseline, clone(t, baseline), nil, nil)
	if same.Rogue() != 0 || len(same.Other) != 0 {
		t.Fatalf("baseline against itself: %+v", same)
	}
}

func TestCandidateEventsKeepsWritesBetweenTheModels(t *testing.T) {
	evs := loadEvents(t, "testdata/reconcile/events.jsonl")
	from := time.Date(2025, 3, 1, 8, 1, 0, 0, time.UTC)
	to := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	got, skipped := candidateEvents(evs, from, to)
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID[len(e.ID)-2:])
	}
	// 03..07 are inside (from is exclusive, to inclusive); 01, 02, 08, 10, 11 outside; 09 failed, 12 read-only.
	if !slices.Equal(ids, []string{"03", "04", "05", "06", "07"}) || skipped != 5 {
		t.Fatalf("got %v, skipped %d", ids, skipped)
	}
}

// A change made by events and then edited again out of band: the events are
// related, not the cause, and the note says so.
func TestLaterOutOfBandEditIsRelatedNotCause(t *testing.T) {
	_, cur := scenario(t)
	base := clone(t, cur) // captured at 12:00
	cur2 := clone(t, cur)
	cur2.CapturedAt = cur.CapturedAt.Add(2 * time.Hour)
	cur2.PermissionSets[psBackdoor].SessionDuration = "PT8H"
	ev, err := cloudtrail.Decode([]byte(`{"eventVersion":"1.10","eventTime":"2025-03-01T13:00:00Z","eventSource":"sso.amazonaws.com","eventName":"UpdatePermissionSet","eventID":"e-upd","recipientAccountId":"111111111111",
		"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/ops","userName":"ops"},
		"requestParameters":{"instanceArn":"`+inst+`","permissionSetArn":"`+psBackdoor+`","sessionDuration":"PT6H"}}`), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	r := Reconcile(base, cur2, []*cloudtrail.Event{ev}, reconcileConfig(t))
	if len(r.Other) != 1 {
		t.Fatalf("got %+v", r.Other)
	}
	c := r.Other[0]
	if c.Kind != SessionDurationChanged || len(c.Causes) != 1 || !c.Causes[0].Related || c.Attribution != ByOthers || c.Note == "" {
		t.Fatalf("got %+v", c)
	}
}

func TestReconcileRendersGolden(t *testing.T) {
	baseline, cur := scenario(t)
	r := Reconcile(baseline, cur, loadEvents(t, "testdata/reconcile/events.jsonl"), reconcileConfig(t))
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := r.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", "reconcile."+f), buf.Bytes())
	}
	d := Diff(baseline, cur, reconcileConfig(t))
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := d.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", "diff."+f), buf.Bytes())
	}
	if err := d.Write(&bytes.Buffer{}, "yaml"); err == nil {
		t.Fatal("an unknown format must be an error")
	}
}

func TestUnreadableWritesAreReported(t *testing.T) {
	baseline, cur := scenario(t)
	bad, err := cloudtrail.Decode([]byte(`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","eventID":"e-bad","eventTime":"2025-03-01T10:00:00Z",
		"requestParameters":{"targetId":"222222222222","permissionSetArn":"`+psAdmin+`","principalType":"ROLE","principalId":"x"}}`), cloudtrail.Origin{File: "bad.json"})
	if err != nil {
		t.Fatal(err)
	}
	evs := append(loadEvents(t, "testdata/reconcile/events.jsonl"), bad)
	r := Reconcile(baseline, cur, evs, reconcileConfig(t))
	if r.EventsUsed != 10 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "e-bad") || !strings.Contains(r.Warnings[0], "principalType") {
		t.Fatalf("used %d, warnings %q", r.EventsUsed, r.Warnings)
	}
}
