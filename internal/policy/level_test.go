package policy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestLevel(t *testing.T) {
	if !(LevelNone < LevelPrivEsc && LevelPrivEsc < LevelPrivileged && LevelPrivileged < LevelAdmin) {
		t.Fatal("levels are not ordered")
	}
	for l, name := range map[Level]string{LevelNone: "none", LevelPrivEsc: "privesc", LevelPrivileged: "privileged", LevelAdmin: "admin", Level(9): "Level(9)"} {
		if l.String() != name {
			t.Errorf("%d.String() = %q, want %q", int(l), l.String(), name)
		}
	}
	b, err := json.Marshal(Analysis{Level: LevelPrivileged})
	if err != nil || string(b) != `{"level":"privileged"}` {
		t.Errorf("json %s %v", b, err)
	}
	var a Analysis
	if err := json.Unmarshal([]byte(`{"level":"admin","services":["iam"]}`), &a); err != nil || a.Level != LevelAdmin {
		t.Errorf("decoded %+v %v", a, err)
	}
	if err := json.Unmarshal([]byte(`{"level":"root"}`), &a); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestUnion(t *testing.T) {
	a := Analysis{Level: LevelPrivEsc, Reasons: []string{"a"}, PrivEsc: []string{"sts:AssumeRole"}}
	b := Analysis{Level: LevelPrivileged, Reasons: []string{"b"}, Services: []string{"sso"}, PrivEsc: []string{"iam:CreateAccessKey", "sts:AssumeRole"}}
	u := a.Union(b)
	if u.Level != LevelPrivileged || strings.Join(u.Reasons, ",") != "a,b" || strings.Join(u.Services, ",") != "sso" ||
		strings.Join(u.PrivEsc, ",") != "iam:CreateAccessKey,sts:AssumeRole" {
		t.Errorf("union %+v", u)
	}
	if z := (Analysis{}).Union(Analysis{}); z.Level != LevelNone || z.Services != nil || z.PrivEsc != nil {
		t.Errorf("empty union %+v", z)
	}
}

func TestEscalations(t *testing.T) {
	list := Escalations()
	seen := map[string]bool{}
	for _, e := range list {
		if e.Label == "" || e.Why == "" || len(e.Actions) == 0 || seen[e.Label] {
			t.Errorf("bad or repeated entry %+v", e)
		}
		seen[e.Label] = true
		// Each escalation, granted alone on "*", is found under its own label.
		var stmts []Statement
		for _, act := range e.Actions {
			stmts = append(stmts, Statement{Effect: "Allow", Action: []string{act}, Resource: []string{"*"}})
		}
		if a := AnalyzeStatements(stmts); !slices.Contains(a.PrivEsc, e.Label) || a.Level < LevelPrivEsc {
			t.Errorf("%s alone: %+v", e.Label, a)
		}
	}
	for _, want := range []string{"iam:PassRole+ec2:RunInstances", "iam:PassRole+lambda:CreateFunction", "iam:CreatePolicyVersion",
		"iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole", "sso:CreateAccountAssignment"} {
		if !seen[want] {
			t.Errorf("list lacks %s", want)
		}
	}
	list[0].Actions[0] = "changed"
	if Escalations()[0].Actions[0] == "changed" {
		t.Error("Escalations exposes the package's table")
	}
	if got := SensitiveServices(); strings.Join(got, " ") != allFive {
		t.Errorf("SensitiveServices %q", got)
	}
}
