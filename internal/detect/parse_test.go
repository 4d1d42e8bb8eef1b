package detect

import (
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

func ev(t *testing.T, js string) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// compiled parses and compiles one rule document against cfg (nil: the
// default config).
func compiled(t *testing.T, doc string, cfg *config.Config) *Rule {
	t.Helper()
	sr, err := sigma.Parse([]byte(doc), "t.yml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		cfg = config.Default()
	}
	r := &Rule{Rule: sr}
	if err := newCompiler(cfg).rule(r); err != nil {
		t.Fatal(err)
	}
	return r
}

const baseRule = `title: t
logsource: {product: aws, service: cloudtrail}
level: low
portcullis: {id: idc.test.rule}
detection:
`

func TestSigmaMatching(t *testing.T) {
	rec := `{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","sourceIPAddress":"10.1.2.3",
	  "requestParameters":{"targetId":"222222222222","principalType":"GROUP","tags":["a","b"],"n":7},
	  "userIdentity":{"arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_DevOps_abc/Mallory"}}`
	cases := []struct {
		name, det string
		want      bool
	}{
		{"plain equal is case-insensitive", "  s: {eventName: createaccountassignment}\n  condition: s", true},
		{"list is or", "  s: {eventName: [A, CreateAccountAssignment]}\n  condition: s", true},
		{"map is and", "  s: {eventName: CreateAccountAssignment, eventSource: x}\n  condition: s", false},
		{"list of maps is or", "  s:\n    - {eventSource: x}\n    - {eventSource: sso.amazonaws.com}\n  condition: s", true},
		{"wildcard", "  s: {userIdentity.arn: '*AWSReservedSSO_*'}\n  condition: s", true},
		{"contains", "  s: {userIdentity.arn|contains: reservedsso}\n  condition: s", true},
		{"contains cased", "  s: {userIdentity.arn|contains|cased: reservedsso}\n  condition: s", false},
		{"startswith", "  s: {userIdentity.arn|startswith: 'arn:aws:sts'}\n  condition: s", true},
		{"endswith", "  s: {userIdentity.arn|endswith: /mallory}\n  condition: s", true},
		{"re", "  s: {requestParameters.targetId|re: '^2{12}$'}\n  condition: s", true},
		{"all", "  s: {userIdentity.arn|contains|all: [DevOps, Mallory]}\n  condition: s", true},
		{"all fails on one", "  s: {userIdentity.arn|contains|all: [DevOps, Eve]}\n  condition: s", false},
		{"cidr", "  s: {sourceIPAddress|cidr: 10.0.0.0/8}\n  condition: s", true},
		{"cidr miss", "  s: {sourceIPAddress|cidr: 192.168.0.0/16}\n  condition: s", false},
		{"null means missing", "  s: {errorCode: null}\n  condition: s", true},
		{"list field any element", "  s: {requestParameters.tags: b}\n  condition: s", true},
		{"number", "  s: {requestParameters.n|gte: 7}\n  condition: s", true},
		{"exists", "  s: {requestParameters.nope|exists: true}\n  condition: s", false},
		{"not", "  s: {eventName: X}\n  condition: not s", true},
		{"1 of", "  sel_a: {eventName: X}\n  sel_b: {eventName: CreateAccountAssignment}\n  condition: 1 of sel_*", true},
		{"all of", "  sel_a: {eventName: X}\n  sel_b: {eventName: CreateAccountAssignment}\n  condition: all of sel_*", false},
		{"1 of them", "  a: {eventName: X}\n  b: {eventSource: sso.amazonaws.com}\n  condition: 1 of them", true},
		{"precedence and over or", "  a: {eventName: X}\n  b: {eventSource: sso.amazonaws.com}\n  c: {eventName: Y}\n  condition: a and b or not c", true},
		{"parens", "  a: {eventName: X}\n  b: {eventSource: sso.amazonaws.com}\n  c: {eventName: Y}\n  condition: a and (b or not c)", false},
	}
	e := ev(t, rec)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := compiled(t, baseRule+c.det, nil)
			if got := r.match.eval(e); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestRenderNeutralisesHostileValues(t *testing.T) {
	e := ev(t, `{"eventSource":"s","eventName":"n","requestParameters":{"name":"x{eventID}\u0007y"},"eventID":"secret"}`)
	got := render("{requestParameters.name} {missing|fallback {eventName}}", e)
	if strings.Contains(got, "secret") || strings.ContainsRune(got, 7) {
		t.Fatalf("hostile value leaked into summary: %q", got)
	}
	if !strings.HasSuffix(got, "fallback n") {
		t.Fatalf("nested fallback not rendered: %q", got)
	}
}

// TestExpandPlaceholders: |expand values come from the engine's config; an
// unknown placeholder or a config value the comparison cannot use is a
// load error naming the file.
func TestExpandPlaceholders(t *testing.T) {
	cfg, err := config.Parse([]byte("sensitive_accounts: [\"222222222222\"]\nadmins: [alice, '*-admin']\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := ev(t, `{"eventSource":"sso.amazonaws.com","eventName":"X","recipientAccountId":"222222222222","userIdentity":{"userName":"ops-admin"}}`)
	cases := []struct {
		name, det string
		want      bool
	}{
		{"sensitive account", "  s: {recipientAccountId|expand: '%sensitive_accounts%'}\n  condition: s", true},
		{"admins with wildcards", "  s: {userIdentity.userName|expand: '%admins%'}\n  condition: s", true},
		{"all over one placeholder", "  s: {userIdentity.userName|expand|all: '%admins%'}\n  condition: s", true},
		{"empty list matches nothing", "  s: {recipientAccountId|expand: '%privileged_groups%'}\n  condition: s", false},
		{"env placeholder matches nothing", "  s: {recipientAccountId|expand: '%env:X%'}\n  condition: s", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := compiled(t, baseRule+c.det, cfg).match.eval(e); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	errs := []struct{ name, det, want string }{
		{"unknown placeholder", "  s: {a|expand: '%nope%'}\n  condition: s", "unknown placeholder %nope%"},
		{"value the comparison cannot use", "  s: {a|expand|cidr: '%admins%'}\n  condition: s", `%admins% value "alice": bad CIDR`},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			sr, err := sigma.Parse([]byte(baseRule+c.det), "bad.yml")
			if err != nil {
				t.Fatal(err)
			}
			err = newCompiler(cfg).rule(&Rule{Rule: sr})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.yml: ") {
				t.Fatalf("err = %v, want bad.yml: … %s", err, c.want)
			}
		})
	}
}
