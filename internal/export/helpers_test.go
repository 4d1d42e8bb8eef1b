package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// The corpus every export test runs on: the built-in rule pack (whatever
// rules it holds when the test runs) plus testdata/rules, which exercise
// each modifier, value type and condition form. Every rule carries its own
// positive and negative test events, checked against the engine first.
var corpusOnce struct {
	sync.Once
	rs  *detect.RuleSet
	cfg *config.Config
	err error
}

func corpus(t *testing.T) (*detect.RuleSet, *config.Config) {
	t.Helper()
	corpusOnce.Do(func() {
		c := &corpusOnce
		if c.rs, c.err = detect.Load("testdata/rules"); c.err != nil {
			return
		}
		if c.cfg, c.err = detect.TestContext(); c.err != nil {
			return
		}
		res, err := c.rs.RunTests(c.cfg)
		if err != nil {
			c.err = err
			return
		}
		for _, r := range res {
			if !r.Passed {
				c.err = fmt.Errorf("rule test %s: %s: %s (the engine disagrees with the test event; fix the rule or its test first)", r.Rule, r.Name, r.Detail)
				return
			}
		}
	})
	if corpusOnce.err != nil {
		t.Fatal(corpusOnce.err)
	}
	return corpusOnce.rs, corpusOnce.cfg
}

func sigmaRules(rs *detect.RuleSet) []*sigma.Rule {
	var out []*sigma.Rule
	for _, r := range rs.Rules {
		out = append(out, r.Rule)
	}
	return out
}

func options(cfg *config.Config) export.Options {
	return export.Options{Config: cfg, ConfigName: "rules/testcontext.yaml", Expand: true}
}

// record turns a test event (YAML-decoded) into the JSON a trail holds.
func record(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonValue decodes a record as encoding/json does (numbers as float64).
func jsonValue(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// oracle is the real engine running each rule as plain Sigma exports it
// (portcullis.* conditions dropped, widened where asserted and narrowed where
// negated): what the record's own fields decide. It tells which negative
// test events a format must reject even when the rule loses derived fields.
type oracle struct {
	eng map[string]*detect.RuleSet // rule id -> rule set holding its check rule
	cfg *config.Config
}

const checkID = "idc.exportcheck.rule"

func newOracle(t *testing.T, rules []*sigma.Rule, cfg *config.Config) *oracle {
	t.Helper()
	items, err := export.Sigma(rules, options(cfg))
	if err != nil {
		t.Fatal(err)
	}
	o := &oracle{eng: map[string]*detect.RuleSet{}, cfg: cfg}
	for _, it := range items {
		if it.Status == export.Skipped {
			continue
		}
		var doc map[string]any
		if err := yaml.Unmarshal(it.Body, &doc); err != nil {
			t.Fatalf("%s: exported Sigma does not parse: %v\n%s", it.ID, err, it.Body)
		}
		delete(doc, "id")
		delete(doc, "name")
		doc["portcullis"] = map[string]any{"id": checkID}
		b, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "check.yml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rs, err := detect.Load(dir)
		if err != nil {
			t.Fatalf("%s: the engine refuses the exported Sigma rule: %v\n%s", it.ID, err, b)
		}
		o.eng[it.ID] = rs
	}
	return o
}

// rawDecides reports whether the exported plain Sigma rule of id matches
// the test event (after its before events); ok is false when the rule has
// no Sigma export.
func (o *oracle) rawDecides(t *testing.T, id string, tc sigma.Test) (match, ok bool) {
	t.Helper()
	rs := o.eng[id]
	if rs == nil {
		return false, false
	}
	e, err := detect.NewEngine(rs, o.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range append(append([]map[string]any{}, tc.Before...), tc.Event) {
		ev, err := cloudtrail.Decode(bytes.TrimSpace(record(t, b)), cloudtrail.Origin{File: "test"})
		if err != nil {
			t.Fatal(err)
		}
		match = false
		for _, f := range e.Process(ev) {
			if f.Rule == checkID {
				match = true
			}
		}
	}
	return match, true
}

// onlyDerivedLost reports whether every condition an export lost is a
// portcullis.* one, so the raw fields it tests are the oracle's (a fallback
// rule also loses "no other rule matched").
func onlyDerivedLost(it export.Item) bool {
	for _, l := range it.Lost {
		if !bytes.HasPrefix([]byte(l.Condition), []byte("portcullis.")) {
			return false
		}
	}
	return !it.Rule.Portcullis.Fallback
}
