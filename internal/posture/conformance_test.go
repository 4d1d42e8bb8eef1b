package posture

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Real records from ../shared/reference-events (present in CI, never copied
// into the repo): the evidence checks must read their shapes.
func TestConformanceRealRecords(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "reference-events", "events")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference events not present")
	}
	read := func(name string) *cloudtrail.Event {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		e, err := cloudtrail.Decode(b, cloudtrail.Origin{File: name})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	var evs []*cloudtrail.Event
	for _, n := range []string{
		"signin.UserAuthentication.awsdocs-signin-2020.s1.03.successful-userauthentication-password-o.json", // PASSWORD only
		"signin.UserAuthentication.awsdocs-signin-2020.s2.04.successful-userauthentication-external-i.json", // EXTERNAL_IDP
		"signin.UserAuthentication.awsdocs-signin-2020.s3.09.successful-userauthentication-password-t.json", // "PASSWORD,TOTP"
		"signin.UserAuthentication.awsdocs-signin-2020.s4.12.successful-userauthentication-password-m.json", // DeviceEnrollmentRequired
		"sso.GetRoleCredentials.aidansteele-2026.04.json",
		"sts.AssumeRoleWithSAML.aidansteele-2026.05.json",
	} {
		evs = append(evs, read(n))
	}
	e := newEnv(Input{Model: idc.New("test"), Events: evs, Window: 20 * 365 * 24 * time.Hour})
	var types [][]string
	enroll := 0
	for _, s := range signins(e) {
		types = append(types, s.types)
		if s.enroll {
			enroll++
			if s.name != "user1" {
				t.Errorf("enrolling user: %q", s.name)
			}
		}
	}
	want := [][]string{{"PASSWORD"}, {"EXTERNAL_IDP"}, {"PASSWORD", "TOTP"}, {"PASSWORD"}}
	if !slices.EqualFunc(types, want, slices.Equal) || enroll != 1 {
		t.Fatalf("credential types %v, enrollments %d", types, enroll)
	}
	var used []string
	for _, ev := range evs {
		if n, a, ok := usage(ev); ok {
			used = append(used, n+"@"+a)
		}
	}
	// Both sides of one real session: the portal call and the member-account
	// federation name the same permission set and account.
	if !slices.Equal(used, []string{"AdministratorAccess@950363612855", "AdministratorAccess@950363612855"}) {
		t.Fatalf("usage: %v", used)
	}
}
