package drift

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Real console records from ../shared/reference-events (present in CI,
// never copied into the repo) explain the grants they made.
func TestConformanceRealRecordsExplainGrants(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "reference-events", "events")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference events not present")
	}
	var evs []*cloudtrail.Event
	for _, n := range []string{
		"sso.CreatePermissionSet.unattributed-md-2023.root-console.json",
		"sso.CreateAccountAssignment.unattributed-md-2023.root-console.json",
		"sso-directory.AddMemberToGroup.unattributed-md-2023.root-console.json",
	} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		e, err := cloudtrail.Decode(b, cloudtrail.Origin{File: n})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	const (
		ps    = "arn:aws:sso:::permissionSet/ssoins-72233af8ea2d1f14/ps-ae5d1fa1f80b684e"
		group = "34887428-4081-7042-c3c6-928d413009e7"
		user  = "94e80458-9021-70ea-08fa-c3a10a1d8a92"
	)
	base := idc.New("file")
	base.Groups[group] = &idc.Group{ID: group}
	base.Users[user] = &idc.User{ID: user}
	cur := clone(t, base)
	cur.PermissionSets[ps] = &idc.PermissionSet{ARN: ps, Name: "AdministratorAccess-test", SessionDuration: "PT12H"}
	cur.Assignments = []idc.Assignment{{AccountID: "<MANAGEMENT_ACCT_ID>", PermissionSetARN: ps, PrincipalType: "GROUP", PrincipalID: group}}
	cur.Memberships[group] = []idc.Membership{{UserID: user}}

	r := Reconcile(base, cur, evs, nil)
	if r.Rogue() != 3 || r.RogueBy(ByOthers) != 3 {
		for _, g := range r.Grants {
			t.Logf("%s %s %s %v", g.Kind, g.Object.Key, g.Attribution, causeIDs(g))
		}
		t.Fatalf("rogue %d, counts %v", r.Rogue(), r.Counts)
	}
	for _, g := range r.Grants {
		if len(g.Causes) != 1 || g.Causes[0].Actor.Type != "Root" || g.Causes[0].Actor.Name != "root" {
			t.Errorf("%s: causes %+v", g.Kind, g.Causes)
		}
	}
}
