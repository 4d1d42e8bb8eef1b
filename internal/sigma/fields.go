package sigma

import (
	"fmt"
	"maps"
	"slices"
)

// FieldRef is one use of a field path in a rule.
type FieldRef struct {
	Where string // the part of the rule, e.g. "detection.selection" or "correlation.group-by"
	Field string
}

// FieldRefs lists the field paths the rule's selections, escalations and
// correlation read, in file order (aliases by name).
func (r *Rule) FieldRefs() []FieldRef {
	var out []FieldRef
	addSel := func(where string, s *Selection) {
		for _, c := range s.Alternatives {
			for _, fm := range c {
				out = append(out, FieldRef{Where: where, Field: fm.Field})
			}
		}
	}
	if d := r.Detection; d != nil {
		for _, s := range d.Selections {
			addSel("detection."+s.Name, s)
		}
	}
	for i, e := range r.Portcullis.Escalate {
		addSel(fmt.Sprintf("portcullis.escalate[%d].when", i), e.When)
	}
	if c := r.Correlation; c != nil {
		for _, g := range c.GroupBy {
			if _, alias := c.Aliases[g]; !alias {
				out = append(out, FieldRef{Where: "correlation.group-by", Field: g})
			}
		}
		for _, a := range slices.Sorted(maps.Keys(c.Aliases)) {
			for _, rule := range slices.Sorted(maps.Keys(c.Aliases[a])) {
				out = append(out, FieldRef{Where: "correlation.aliases." + a + "." + rule, Field: c.Aliases[a][rule]})
			}
		}
	}
	return out
}
