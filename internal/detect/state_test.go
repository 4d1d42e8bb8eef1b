package detect

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
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

func decodeJSON(t *testing.T, js string) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const (
	stateSignin = `{"eventSource":"signin.amazonaws.com","eventName":"UserAuthentication","eventTime":"2026-11-02T10:00:00Z","eventID":"s-1","sourceIPAddress":"198.51.100.7",
		"userIdentity":{"type":"Unknown","userName":"bob"},"additionalEventData":{"CredentialType":"PASSWORD"},"serviceEventDetails":{"UserAuthentication":"Success"}}`
	stateToken = `{"eventSource":"sso.amazonaws.com","eventName":"CreateToken","eventTime":"2026-11-02T10:05:00Z","eventID":"t-1","sourceIPAddress":"198.51.100.20",
		"userIdentity":{"type":"Unknown","userName":"bob"},"requestParameters":{"grantType":"urn:ietf:params:oauth:grant-type:device_code"}}`
)

// TestEnrichmentSurvivesSaveRestore: what enrichment learned (here a
// sign-in history) is part of the state a daemon saves, and a v1 state
// (before enrichment was saved) still loads.
func TestEnrichmentSurvivesSaveRestore(t *testing.T) {
	e := engine(t)
	e.Process(decodeJSON(t, stateSignin))
	blob, err := e.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	e2 := engine(t)
	if err := e2.RestoreState(blob); err != nil {
		t.Fatal(err)
	}
	tok := decodeJSON(t, stateToken)
	e2.Process(tok)
	if tok.Derived["portcullis.signin.known_network"] != true {
		t.Errorf("restored engine forgot bob's sign-in network: %v", tok.Derived)
	}

	v1 := bytes.Replace(blob, []byte(`"portcullis.engine-state/v2"`), []byte(`"portcullis.engine-state/v1"`), 1)
	if i := bytes.Index(v1, []byte(`,"enrichment":`)); i > 0 {
		v1 = append(v1[:i:i], '}')
	}
	e3 := engine(t)
	if err := e3.RestoreState(v1); err != nil {
		t.Fatalf("v1 state: %v", err)
	}
	tok = decodeJSON(t, stateToken)
	e3.Process(tok)
	if tok.Derived["portcullis.signin.user_seen"] != false {
		t.Errorf("a v1 state has no sign-in history, got %v", tok.Derived["portcullis.signin.user_seen"])
	}
	if err := e3.RestoreState([]byte(`{"schema":"portcullis.engine-state/v2","enrichment":{"signins":[{"k":"x","v":null}]}}`)); err == nil {
		t.Error("a damaged sign-in history was accepted")
	}
}
