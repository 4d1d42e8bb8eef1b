package export

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// document writes the Sigma YAML.
func (g *sigmaGen) document(r *sigma.Rule, it Item, cond cExpr) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		if v != nil {
			doc.Content = append(doc.Content, str(k), v)
		}
	}
	add("title", str(r.Title))
	if r.SigmaID != "" {
		add("id", str(r.SigmaID))
	}
	name := r.Name
	if name == "" {
		name = r.Portcullis.ID // a stable human-readable name, as correlations use
	}
	add("name", str(name))
	if r.Status != "" {
		add("status", str(r.Status))
	}
	desc := strings.TrimSpace(r.Description)
	if len(it.Lost) > 0 {
		var dropped []string
		for _, l := range it.Lost {
			dropped = append(dropped, l.Condition)
		}
		note := "Exported from portcullis rule " + it.ID + " without the conditions on fields portcullis derives (" +
			strings.Join(dropped, "; ") + "): this rule matches a superset of portcullis' findings."
		desc = strings.TrimSpace(desc + "\n\n" + note)
	}
	if desc != "" {
		n := str(desc)
		if strings.Contains(desc, "\n") {
			n.Style = yaml.LiteralStyle
		}
		add("description", n)
	}
	add("references", strs(r.References))
	if r.Author != "" {
		add("author", str(r.Author))
	}
	add("date", quoted(r.Date))
	add("modified", quoted(r.Modified))
	add("tags", strs(r.Tags))
	add("logsource", g.logsource(r.Logsource))
	det, err := g.detection(cond)
	if err != nil {
		return nil, err
	}
	add("detection", det)
	var fields []string
	for _, f := range r.Fields {
		if !isDerived(f) {
			fields = append(fields, f)
		}
	}
	add("fields", strs(fields))
	add("falsepositives", strs(r.FalsePositives))
	add("level", str(sigmaLevel(r.Level)))
	if len(r.Related) > 0 {
		var rel yaml.Node
		if err := rel.Encode(r.Related); err != nil {
			return nil, err
		}
		add("related", &rel)
	}
	head := []string{fmt.Sprintf("Exported by portcullis rules export --format sigma from %s (portcullis rule %s).", r.Source, it.ID)}
	for _, l := range it.Lost {
		head = append(head, "Dropped: "+l.String())
	}
	for _, n := range it.Notes {
		head = append(head, "Note: "+n)
	}
	doc.HeadComment = strings.Join(head, "\n")
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func (g *sigmaGen) logsource(ls sigma.Logsource) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, kv := range [][2]string{{"product", ls.Product}, {"service", ls.Service}, {"category", ls.Category}, {"definition", ls.Definition}} {
		if kv[1] != "" {
			n.Content = append(n.Content, str(kv[0]), str(kv[1]))
		}
	}
	return n
}

func (g *sigmaGen) detection(cond cExpr) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range g.order {
		v := g.emitted[name]
		var alts []*yaml.Node
		for _, conj := range v.alts {
			m := &yaml.Node{Kind: yaml.MappingNode}
			for _, fm := range conj {
				m.Content = append(m.Content, str(fm.Key), values(fm.Values))
			}
			alts = append(alts, m)
		}
		sel := alts[0]
		if len(alts) > 1 {
			sel = &yaml.Node{Kind: yaml.SequenceNode, Content: alts}
		}
		n.Content = append(n.Content, str(name), sel)
	}
	n.Content = append(n.Content, str("condition"), str(render(cond)))
	return n, nil
}

func values(vs []sigma.Value) *yaml.Node {
	if len(vs) == 1 {
		return scalar(vs[0])
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vs {
		seq.Content = append(seq.Content, scalar(v))
	}
	return seq
}

// scalar keeps a value's YAML type: a string that reads as a number or a
// boolean is quoted.
func scalar(v sigma.Value) *yaml.Node {
	switch v.Type {
	case sigma.Null:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case sigma.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.Text}
	case sigma.Number:
		tag := "!!int"
		if strings.ContainsAny(v.Text, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.Text}
	}
	return str(v.Text)
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// quoted writes a string YAML would otherwise read as a date.
func quoted(s string) *yaml.Node {
	if s == "" {
		return nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func strs(ss []string) *yaml.Node {
	if len(ss) == 0 {
		return nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range ss {
		n.Content = append(n.Content, str(s))
	}
	return n
}
