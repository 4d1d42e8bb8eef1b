package detect

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

func ev(t *testing.T, js string) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
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
			r, err := ParseRule([]byte(baseRule+c.det), "t.yml")
			if err != nil {
				t.Fatal(err)
			}
			if got := r.detection.eval(e); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestRuleLoadErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"unknown modifier", baseRule + "  s: {eventName|base64: x}\n  condition: s", `modifier "base64" is not supported`},
		{"keywords", baseRule + "  s: [foo, bar]\n  condition: s", "keyword"},
		{"unknown selection", baseRule + "  s: {eventName: x}\n  condition: s and t", `unknown selection "t"`},
		{"aggregation", baseRule + "  s: {eventName: x}\n  condition: s | count() > 5", `unexpected "|"`},
		{"bad regex", baseRule + "  s: {eventName|re: '('}\n  condition: s", "bad regular expression"},
		{"bad level", "title: t\nlevel: severe\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}", "level"},
		{"no condition", baseRule + "  s: {eventName: x}", "condition: required"},
		{"wrong product", "title: t\nlogsource: {product: windows}\ndetection: {s: {a: b}, condition: s}", "only aws"},
		{"unknown key", "title: t\nfoo: 1\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}", "foo"},
		{"bad dotted id", "title: t\nlogsource: {product: aws}\nportcullis: {id: Bad_Id}\ndetection: {s: {a: b}, condition: s}", "dotted id"},
		{"timeframe", baseRule + "  s: {a: b}\n  timeframe: 5m\n  condition: s", "timeframe"},
		{"value_count", "title: t\nportcullis: {id: idc.x.y}\ncorrelation: {type: value_count, rules: [a], group-by: [x], timespan: 1h}", "value_count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRule([]byte(c.doc), "bad.yml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
			if !strings.Contains(err.Error(), "bad.yml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

// TestCorrelationTimespan: a window reads like every other duration of the
// tree; 1.5h is 90 minutes (it once loaded as one hour).
func TestCorrelationTimespan(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"1.5h", 90 * time.Minute, ""},
		{"24h", 24 * time.Hour, ""},
		{"1d", 24 * time.Hour, ""},
		{"30s", 30 * time.Second, ""},
		{"PT4H", 4 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"0h", 0, "positive"},
		{"-1h", 0, "positive"},
		{"1", 0, "timespan: want a duration"},
		{"", 0, "timespan: want a duration"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			doc := "title: t\nportcullis: {id: idc.x.y}\ncorrelation: {type: temporal, rules: [a, b], group-by: [x], timespan: '" + c.in + "'}"
			r, err := ParseRule([]byte(doc), "c.yml")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "c.yml") {
					t.Fatalf("err = %v, want it to name c.yml and mention %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.corr.Timespan != c.want {
				t.Errorf("timespan %q loads as %v, want %v", c.in, r.corr.Timespan, c.want)
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
	_ = json.Valid
}
