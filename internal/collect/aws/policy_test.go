package awscollect

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/golden"
)

func policyActions(t *testing.T) map[string]bool {
	t.Helper()
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal(Policy(), &doc); err != nil {
		t.Fatalf("Policy() is not JSON: %v", err)
	}
	if doc.Version != "2012-10-17" {
		t.Errorf("policy Version %q", doc.Version)
	}
	got := map[string]bool{}
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			t.Errorf("statement effect %q", st.Effect)
		}
		for _, a := range st.Action {
			got[a] = true
		}
	}
	return got
}

// The policy is generated from the call log: every operation the
// collectors (snapshot and SCPs) sent must be allowed, and every allowed
// action must have been needed. A new call without a policy row fails here.
func TestPolicyCoversExactlyTheCallsMade(t *testing.T) {
	s := startFake(t, awsfake.Sample())
	seedFake(t, s, seedSCPs)
	if _, err := collect(t, s, testOptions(s)); err != nil {
		t.Fatal(err)
	}
	if _, err := collectOrg(t, s, testOptions(s)); err != nil {
		t.Fatal(err)
	}
	allowed := policyActions(t)
	used := map[string]bool{}
	for _, c := range s.Calls() {
		used[c.Action()] = true
		if !allowed[c.Action()] {
			t.Errorf("call %s/%s needs %s, which Policy() does not allow", c.Service, c.Operation, c.Action())
		}
	}
	for a := range allowed {
		if !used[a] {
			t.Errorf("Policy() allows %s, which the collector never called", a)
		}
	}
}

// Each method of the read-only interfaces has exactly one row in
// Actions(), and no interface can grow a write method unnoticed.
func TestActionsTableMatchesInterfaces(t *testing.T) {
	var methods []string
	for svc, typ := range map[string]reflect.Type{
		"sso-admin":     reflect.TypeFor[SSOAdmin](),
		"identitystore": reflect.TypeFor[IdentityStore](),
		"organizations": reflect.TypeFor[Organizations](),
	} {
		for i := range typ.NumMethod() {
			methods = append(methods, svc+"/"+typ.Method(i).Name)
		}
	}
	var rows []string
	for _, a := range Actions() {
		rows = append(rows, a.Service+"/"+a.Method)
		if !slices.ContainsFunc([]string{"Describe", "Get", "List"}, func(p string) bool { return len(a.Method) > len(p) && a.Method[:len(p)] == p }) {
			t.Errorf("%s is not a read (Describe/Get/List)", a.Method)
		}
	}
	slices.Sort(methods)
	slices.Sort(rows)
	if !slices.Equal(methods, rows) {
		t.Errorf("interfaces %v\ndo not match Actions() %v", methods, rows)
	}
}

func TestPolicyGolden(t *testing.T) {
	golden.Check(t, filepath.Join("testdata", "policy.json"), Policy())
}
