package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// TestGoldenJWTOnRealRecords: the real CreateTokenWithIAM and
// GetRoleCredentials records of Aidan Steele's 2026 proof of concept
// (../shared/reference-events, present in CI, never copied here) complete
// idc.chain.golden-jwt once the application's account access scope is
// seen, joined by the token's credential id; without it they chain nothing.
func TestGoldenJWTOnRealRecords(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "reference-events", "events")
	read := func(name string) *cloudtrail.Event {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			if os.Getenv("CI") == "" && os.IsNotExist(err) {
				t.Skip("../shared not present")
			}
			t.Fatal(err)
		}
		ev, err := cloudtrail.Decode(b, cloudtrail.Origin{File: name})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	token := read("sso-oauth.CreateTokenWithIAM.aidansteele-2026.01.json")
	app := token.String("requestParameters.clientId")
	scope := ev(t, fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"PutApplicationAccessScope","eventTime":%q,"eventID":"scope-1",
	  "recipientAccountId":"607481581596","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::607481581596:assumed-role/Admin/x"},
	  "requestParameters":{"applicationArn":%q,"scope":"sso:account:access"}}`, token.Time.Add(-time.Hour).Format(time.RFC3339), app))

	for _, withScope := range []bool{true, false} {
		e := engine(t)
		if withScope {
			e.Process(scope)
		}
		e.Process(read("sso-oauth.CreateTokenWithIAM.aidansteele-2026.01.json"))
		use := read("sso.GetRoleCredentials.aidansteele-2026.04.json")
		var chain bool
		for _, f := range e.Process(use) {
			chain = chain || f.Rule == "idc.chain.golden-jwt"
		}
		if use.String("portcullis.app.token_application") != app {
			t.Errorf("the real GetRoleCredentials is not tied to %s: %v", app, use.Derived)
		}
		if chain != withScope {
			t.Errorf("with the scope seen %v: chain fired %v", withScope, chain)
		}
	}
}
