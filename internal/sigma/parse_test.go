package sigma

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

const baseRule = `title: t
logsource: {product: aws, service: cloudtrail}
level: low
portcullis: {id: idc.test.rule}
detection:
`

func TestRuleLoadErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"unknown modifier", baseRule + "  s: {eventName|base64: x}\n  condition: s", `modifier "base64" is not supported`},
		{"two comparisons", baseRule + "  s: {eventName|contains|endswith: x}\n  condition: s", "modifiers contains and endswith cannot be combined"},
		{"keywords", baseRule + "  s: [foo, bar]\n  condition: s", "keyword"},
		{"unknown selection", baseRule + "  s: {eventName: x}\n  condition: s and t", `unknown selection "t"`},
		{"aggregation", baseRule + "  s: {eventName: x}\n  condition: s | count() > 5", `unexpected "|"`},
		{"bad regex", baseRule + "  s: {eventName|re: '('}\n  condition: s", "bad regular expression"},
		{"bad cidr", baseRule + "  s: {sourceIPAddress|cidr: 10.0.0.0/33}\n  condition: s", "bad CIDR"},
		{"bad exists", baseRule + "  s: {a|exists: maybe}\n  condition: s", "exists wants true or false"},
		{"bad number", baseRule + "  s: {a|gte: ten}\n  condition: s", `gte wants a number, got "ten"`},
		{"nested value", baseRule + "  s: {a: [[x]]}\n  condition: s", "nested values"},
		{"empty field", baseRule + "  s: {'|contains': x}\n  condition: s", "empty field name"},
		{"selection twice", baseRule + "  s: {a: x}\n  s: {a: y}\n  condition: s", "s: selection defined twice"},
		{"pattern matches nothing", baseRule + "  s: {a: x}\n  condition: 1 of sel_*", `"sel_*" matches no selection`},
		{"3 of", baseRule + "  s: {a: x}\n  condition: 3 of s", `only "1 of" and "all of"`},
		{"bad level", "title: t\nlevel: severe\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}", "level"},
		{"no condition", baseRule + "  s: {eventName: x}", "condition: required"},
		{"no detection", "title: t\nlogsource: {product: aws}\n", "detection: required"},
		{"no title", "logsource: {product: aws}\ndetection: {s: {a: b}, condition: s}", "title: required"},
		{"bad name", "title: t\nname: Bad Name\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}", "name: want lower-case"},
		{"wrong product", "title: t\nlogsource: {product: windows}\ndetection: {s: {a: b}, condition: s}", "only aws"},
		{"unknown logsource key", "title: t\nlogsource: {product: aws, os: x}\ndetection: {s: {a: b}, condition: s}", `logsource: unknown key "os"`},
		{"unknown key", "title: t\nfoo: 1\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}", "foo"},
		{"bad dotted id", "title: t\nlogsource: {product: aws}\nportcullis: {id: Bad_Id}\ndetection: {s: {a: b}, condition: s}", "dotted id"},
		{"timeframe", baseRule + "  s: {a: b}\n  timeframe: 5m\n  condition: s", "timeframe"},
		{"both blocks", baseRule + "  s: {a: b}\n  condition: s\ncorrelation: {type: temporal, rules: [a, b], group-by: [x], timespan: 1h}", "either detection or correlation"},
		{"value_count", "title: t\nportcullis: {id: idc.x.y}\ncorrelation: {type: value_count, rules: [a], group-by: [x], timespan: 1h}", "value_count"},
		{"no group-by", "title: t\ncorrelation: {type: temporal, rules: [a, b], timespan: 1h}", "group-by: required"},
		{"one rule temporal", "title: t\ncorrelation: {type: temporal, rules: [a], group-by: [x], timespan: 1h}", "at least two rules"},
		{"event_count lt", "title: t\ncorrelation: {type: event_count, rules: [a], group-by: [x], timespan: 1h, condition: {lt: 3}}", "only gte"},
		{"escalate bad level", "title: t\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}\nportcullis: {id: idc.x.y, escalate: [{level: huge, when: {a: b}}]}", "portcullis.escalate[0].level"},
		{"escalate bad when", "title: t\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}\nportcullis: {id: idc.x.y, escalate: [{level: high, when: {a|nope: b}}]}", "portcullis.escalate[0].when"},
		{"test without match", "title: t\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}\nportcullis: {id: idc.x.y, tests: [{event: {a: b}}]}", "portcullis.tests[0].match: required"},
		{"drift rule with a detection", "title: t\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}\nportcullis: {id: idc.x.y, kind: drift}", "portcullis.kind: a drift rule is raised by watch --baseline"},
		{"drift rule with a correlation", "title: t\ncorrelation: {type: temporal, rules: [a, b], group-by: [x], timespan: 1h}\nportcullis: {id: idc.x.y, kind: drift}", "portcullis.kind: a drift rule"},
		{"drift rule without id", "title: t\nportcullis: {kind: drift}", "portcullis.id: required for a drift rule"},
		{"drift rule with tests", "title: t\nportcullis: {id: idc.x.y, kind: drift, tests: [{match: true, event: {a: b}}]}", "tests, escalate, fallback and attempts do not apply"},
		{"drift rule about attempts", "title: t\nportcullis: {id: idc.x.y, kind: drift, attempts: true}", "attempts do not apply"},
		{"unknown kind", "title: t\nportcullis: {id: idc.x.y, kind: posture}", `portcullis.kind: unknown "posture"`},
		{"no body without a kind", "title: t\nportcullis: {id: idc.x.y}", "detection: required"},
		{"test without event", "title: t\nlogsource: {product: aws}\ndetection: {s: {a: b}, condition: s}\nportcullis: {id: idc.x.y, tests: [{match: true}]}", "portcullis.tests[0].event: required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc), "bad.yml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "bad.yml: ") {
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
			r, err := Parse([]byte(doc), "c.yml")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "c.yml") {
					t.Fatalf("err = %v, want it to name c.yml and mention %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Correlation.Timespan != c.want || r.Correlation.TimespanText != c.in {
				t.Errorf("timespan %q loads as %v (%q), want %v", c.in, r.Correlation.Timespan, r.Correlation.TimespanText, c.want)
			}
		})
	}
}

// TestTreeHoldsWhatWasWritten: exporters read modifiers, values and the
// condition from the tree, so everything written must be there as data.
func TestTreeHoldsWhatWasWritten(t *testing.T) {
	doc := `title: Tree
id: 00000000-0000-4000-8000-000000000001
name: tree-rule
status: test
tags: [attack.t1098]
logsource: {product: aws, service: cloudtrail, category: iam}
level: high
detection:
  sel_a:
    eventSource: sso.amazonaws.com
    eventName|startswith|cased: [Create, Put]
  sel_b:
    - userIdentity.arn|contains|all: ['*reserved*', 'x\?y']
    - requestParameters.n|gte: 7
      errorCode: null
      portcullis.target.sensitive: true
  _hidden:
    recipientAccountId|expand: '%sensitive_accounts%'
  condition: sel_a and not (1 of sel_* or all of them) or _hidden
portcullis:
  id: idc.tree.rule
  summary: "{portcullis.actor.name}"
  escalate:
    - level: critical
      reason: sensitive
      when: {portcullis.target.sensitive: true}
`
	r, err := Parse([]byte(doc), "tree.yml")
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "Tree" || r.Name != "tree-rule" || r.Level != finding.High || r.Logsource.Category != "iam" || r.Portcullis.ID != "idc.tree.rule" {
		t.Errorf("metadata: %+v", r)
	}
	d := r.Detection
	if got := []string{d.Selections[0].Name, d.Selections[1].Name, d.Selections[2].Name}; !reflect.DeepEqual(got, []string{"sel_a", "sel_b", "_hidden"}) {
		t.Errorf("selection order %v", got)
	}
	name := d.Selection("sel_a").Alternatives[0][1]
	want := &FieldMatcher{Key: "eventName|startswith|cased", Field: "eventName", Modifiers: []string{"startswith", "cased"}, Op: OpStartsWith, Cased: true,
		Values: []Value{{String, "Create"}, {String, "Put"}}}
	if !reflect.DeepEqual(name, want) {
		t.Errorf("eventName matcher\n got %+v\nwant %+v", name, want)
	}
	alt := d.Selection("sel_b").Alternatives
	if len(alt) != 2 || !alt[0][0].All || alt[0][0].Op != OpContains || alt[0][0].Values[1].Text != `x\?y` || !alt[0][0].Values[0].HasWildcards() {
		t.Errorf("sel_b first alternative: %+v", alt)
	}
	if v := alt[1]; v[0].Op != OpGTE || v[0].Values[0] != (Value{Number, "7"}) || v[1].Values[0].Type != Null || v[2].Values[0] != (Value{Bool, "true"}) {
		t.Errorf("sel_b second alternative: %+v %+v %+v", v[0], v[1], v[2])
	}
	if x := d.Selection("_hidden").Alternatives[0][0]; !x.Expand || x.Values[0].Placeholder() != "sensitive_accounts" {
		t.Errorf("expand: %+v", x)
	}
	wantCond := Or{
		And{Ref{"sel_a"}, Not{Or{Of{Pattern: "sel_*", Names: []string{"sel_a", "sel_b"}}, Of{All: true, Pattern: "them", Names: []string{"sel_a", "sel_b"}}}}},
		Ref{"_hidden"},
	}
	if !reflect.DeepEqual(d.Condition, wantCond) {
		t.Errorf("condition\n got %#v\nwant %#v", d.Condition, wantCond)
	}
	if e := r.Portcullis.Escalate; len(e) != 1 || e[0].Level != finding.Critical || e[0].When.Alternatives[0][0].Field != "portcullis.target.sensitive" {
		t.Errorf("escalate: %+v", e)
	}
}

// TestDriftRule: a rule watch --baseline raises carries metadata only.
func TestDriftRule(t *testing.T) {
	r, err := Parse([]byte("title: Grant outside the baseline\nlevel: high\ntags: [attack.t1098]\nportcullis: {id: idc.drift.rogue-grant, kind: drift, remediation: reconcile}\n"), "d.yml")
	if err != nil {
		t.Fatal(err)
	}
	if r.Portcullis.Kind != KindDrift || r.Detection != nil || r.Correlation != nil || r.Level != finding.High || r.Portcullis.Remediation != "reconcile" {
		t.Errorf("drift rule: %+v", r)
	}
}

func TestFieldRefs(t *testing.T) {
	corr := `title: c
correlation:
  type: temporal_ordered
  rules: [a, b]
  group-by: [portcullis.actor.key, grant]
  aliases:
    grant: {b: portcullis.sso_role.key, a: portcullis.grant.key}
  timespan: 1h
portcullis: {id: idc.c.c, escalate: [{level: high, when: {portcullis.target.sensitive: true}}]}
`
	r, err := Parse([]byte(corr), "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldRef{
		{"portcullis.escalate[0].when", "portcullis.target.sensitive"},
		{"correlation.group-by", "portcullis.actor.key"},
		{"correlation.aliases.grant.a", "portcullis.grant.key"},
		{"correlation.aliases.grant.b", "portcullis.sso_role.key"},
	}
	if got := r.FieldRefs(); !reflect.DeepEqual(got, want) {
		t.Errorf("FieldRefs\n got %v\nwant %v", got, want)
	}
	r, err = Parse([]byte(baseRule+"  s: {a: x, b|contains: y}\n  t: [{c: z}, {d: w}]\n  condition: s or t"), "d.yml")
	if err != nil {
		t.Fatal(err)
	}
	want = []FieldRef{{"detection.s", "a"}, {"detection.s", "b"}, {"detection.t", "c"}, {"detection.t", "d"}}
	if got := r.FieldRefs(); !reflect.DeepEqual(got, want) {
		t.Errorf("FieldRefs\n got %v\nwant %v", got, want)
	}
}

// TestYAMLAliases: a selection or a value may be a YAML alias of another.
func TestYAMLAliases(t *testing.T) {
	r, err := Parse([]byte(baseRule+"  s: &v {eventName: &n [A, B]}\n  t: *v\n  u: {other: *n}\n  condition: 1 of them"), "a.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"t", "u"} {
		fm := r.Detection.Selection(name).Alternatives[0][0]
		if len(fm.Values) != 2 || fm.Values[1].Text != "B" {
			t.Errorf("%s: %+v", name, fm)
		}
	}
}
