package export_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

func sigmaSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile("testdata/sigma-rule.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://portcullis.invalid/sigma-rule.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asJSON reads a YAML document as the JSON value a schema validates.
func asJSON(t *testing.T, y []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(y, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("not JSON-compatible: %v", err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSigmaExportIsPlainValidSigma: every exported rule, with placeholders
// expanded from a config and kept for the user's pipeline, is valid per
// Sigma's rule schema, carries no portcullis block, test or field, and
// reads back as a rule.
func TestSigmaExportIsPlainValidSigma(t *testing.T) {
	rs, cfg := corpus(t)
	schema := sigmaSchema(t)
	for _, expand := range []bool{true, false} {
		o := options(cfg)
		o.Expand = expand
		items, err := export.Sigma(sigmaRules(rs), o)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, it := range items {
			if it.Status == export.Skipped {
				continue
			}
			n++
			if err := schema.Validate(asJSON(t, it.Body)); err != nil {
				t.Errorf("%s: not valid Sigma: %v\n%s", it.ID, err, it.Body)
			}
			var doc map[string]any
			if err := yaml.Unmarshal(it.Body, &doc); err != nil {
				t.Fatal(err)
			}
			if _, ok := doc["portcullis"]; ok {
				t.Errorf("%s: the portcullis block is still there", it.ID)
			}
			for k := range doc["detection"].(map[string]any) {
				if strings.Contains(string(mustYAML(t, doc["detection"].(map[string]any)[k])), "portcullis.") {
					t.Errorf("%s: detection %s still names a portcullis field\n%s", it.ID, k, it.Body)
				}
			}
			if expand && strings.Contains(string(it.Body), "|expand") {
				t.Errorf("%s: placeholders left with a config given\n%s", it.ID, it.Body)
			}
			r, err := sigma.Parse(it.Body, it.ID+".yml")
			if err != nil {
				t.Errorf("%s: the export does not read back: %v\n%s", it.ID, err, it.Body)
				continue
			}
			if r.Portcullis.ID != "" || len(r.Portcullis.Tests) > 0 {
				t.Errorf("%s: read back with a portcullis block", it.ID)
			}
			if it.Status == export.Partial && !strings.Contains(r.Description, "superset") {
				t.Errorf("%s: a partial export does not say what was dropped in its description", it.ID)
			}
		}
		if n < 15 {
			t.Errorf("only %d Sigma exports", n)
		}
	}
}

func mustYAML(t *testing.T, v any) []byte {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSigmaExportMatchesRuleTests: the exported Sigma, run by the engine,
// matches every positive test event of its rule; a fully exported rule
// rejects every negative one.
func TestSigmaExportMatchesRuleTests(t *testing.T) {
	rs, cfg := corpus(t)
	rules := sigmaRules(rs)
	items, err := export.Sigma(rules, options(cfg))
	if err != nil {
		t.Fatal(err)
	}
	or := newOracle(t, rules, cfg)
	checked := 0
	for _, it := range items {
		if it.Status == export.Skipped {
			continue
		}
		for _, tc := range it.Rule.Portcullis.Tests {
			got, ok := or.rawDecides(t, it.ID, tc)
			if !ok {
				t.Fatalf("%s: no check rule", it.ID)
			}
			switch {
			case tc.Match && !got:
				t.Errorf("%s (%s): positive test %q is not matched by the exported Sigma\n%s", it.ID, it.Status, tc.Name, it.Body)
			case !tc.Match && got && it.Status == export.Full:
				t.Errorf("%s: negative test %q is matched by the fully exported Sigma\n%s", it.ID, tc.Name, it.Body)
			}
			checked++
		}
	}
	if checked < 50 {
		t.Errorf("only %d checks", checked)
	}
}
