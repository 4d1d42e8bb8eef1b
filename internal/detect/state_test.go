package detect

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEnrichmentMemorySurvivesSaveRestore: what enrichment remembers (a
// trusted token issuer's URL) is part of the saved engine state, and a v1
// state (before that memory existed) still loads.
func TestEnrichmentMemorySurvivesSaveRestore(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	const tti = `"arn:aws:sso::111111111111:trustedTokenIssuer/ssoins-1/tti-1"`
	e := engine(t)
	e.Process(rec(t, t0, "CreateTrustedTokenIssuer", "", `,"requestParameters":{"trustedTokenIssuerConfiguration":{"oidcJwtConfiguration":{"issuerUrl":"https://idp.attacker.example"}}},"responseElements":{"trustedTokenIssuerArn":`+tti+`}`))
	blob, err := e.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	update := rec(t, t0.Add(time.Minute), "UpdateTrustedTokenIssuer", "", `,"requestParameters":{"trustedTokenIssuerArn":`+tti+`}`)
	e2 := engine(t)
	if err := e2.RestoreState(blob); err != nil {
		t.Fatal(err)
	}
	e2.Process(update)
	if update.String("portcullis.tti.issuer") != "https://idp.attacker.example" {
		t.Errorf("restored engine forgot the issuer: %v", update.Derived)
	}

	var v1 map[string]json.RawMessage
	if err := json.Unmarshal(blob, &v1); err != nil {
		t.Fatal(err)
	}
	delete(v1, "enrich")
	v1["schema"] = json.RawMessage(`"portcullis.engine-state/v1"`)
	old, _ := json.Marshal(v1)
	e3 := engine(t)
	if err := e3.RestoreState(old); err != nil {
		t.Fatalf("a v1 state no longer loads: %v", err)
	}
	fresh := rec(t, t0.Add(time.Minute), "UpdateTrustedTokenIssuer", "", `,"requestParameters":{"trustedTokenIssuerArn":`+tti+`}`)
	e3.Process(fresh)
	if _, ok := fresh.Derived["portcullis.tti.issuer"]; ok {
		t.Error("a v1 state restored enrichment memory it never had")
	}
}
