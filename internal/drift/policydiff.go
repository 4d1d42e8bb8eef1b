package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PolicyDiff is a statement-level difference between two IAM policy
// documents. Statements are compared by meaning, not by text: key order,
// whitespace, string-vs-list and the order inside Action/Resource lists do
// not count as changes.
type PolicyDiff struct {
	Added     []string `json:"added,omitempty"`   // pretty-printed statements only in the new document
	Removed   []string `json:"removed,omitempty"` // pretty-printed statements only in the old document
	Unchanged int      `json:"unchanged"`
	// Error is set when a document is not a policy; the diff then falls
	// back to the whole documents as one "statement" each.
	Error string `json:"error,omitempty"`
}

// Empty reports whether the two documents mean the same thing.
func (d *PolicyDiff) Empty() bool { return len(d.Added) == 0 && len(d.Removed) == 0 }

// Text renders the diff as unified-diff-like lines ("+ " / "- ").
func (d *PolicyDiff) Text() string {
	var b strings.Builder
	if d.Error != "" {
		fmt.Fprintf(&b, "# %s\n", d.Error)
	}
	for _, s := range d.Removed {
		prefixLines(&b, "- ", s)
	}
	for _, s := range d.Added {
		prefixLines(&b, "+ ", s)
	}
	if d.Unchanged > 0 {
		fmt.Fprintf(&b, "  (%d statement(s) unchanged)\n", d.Unchanged)
	}
	return b.String()
}

func prefixLines(b *strings.Builder, prefix, s string) {
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(prefix)
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

// DiffPolicies compares two policy documents ("" = no policy).
func DiffPolicies(before, after string) *PolicyDiff {
	d := &PolicyDiff{}
	old, errOld := statements(before)
	cur, errCur := statements(after)
	if errOld != nil || errCur != nil {
		// Not parseable: compare the documents as opaque text so the
		// reader still sees what changed.
		switch {
		case errOld != nil:
			d.Error = "old policy: " + errOld.Error()
		default:
			d.Error = "new policy: " + errCur.Error()
		}
		if strings.TrimSpace(before) != strings.TrimSpace(after) {
			if strings.TrimSpace(before) != "" {
				d.Removed = []string{strings.TrimSpace(before)}
			}
			if strings.TrimSpace(after) != "" {
				d.Added = []string{strings.TrimSpace(after)}
			}
		}
		return d
	}
	// Multiset difference keyed by canonical form.
	count := map[string]int{}
	for _, s := range old {
		count[s.key]++
	}
	for _, s := range cur {
		if count[s.key] > 0 {
			count[s.key]--
			d.Unchanged++
			continue
		}
		d.Added = append(d.Added, s.pretty)
	}
	for _, s := range old {
		if count[s.key] > 0 {
			count[s.key]--
			d.Removed = append(d.Removed, s.pretty)
		}
	}
	return d
}

type statement struct {
	key    string // canonical JSON, used for equality
	pretty string // indented JSON for people
}

// listKeys hold values where a string equals a one-element list and the
// order of the list does not matter.
var listKeys = map[string]bool{"action": true, "notaction": true, "resource": true, "notresource": true}

func statements(doc string) ([]statement, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy is not a JSON object")
	}
	var raw any
	n := 0
	for k, val := range m {
		if strings.EqualFold(k, "Statement") {
			raw = val
			n++
		}
	}
	if n > 1 {
		// IAM would read one copy and we another: refuse rather than guess.
		return nil, fmt.Errorf("element Statement is repeated")
	}
	var list []any
	switch s := raw.(type) {
	case nil:
		return nil, nil
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, fmt.Errorf("field Statement: want an object or a list")
	}
	out := make([]statement, 0, len(list))
	for i, s := range list {
		sm, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("field Statement[%d]: want an object", i)
		}
		canon := canonical(sm)
		key, err := json.Marshal(canon)
		if err != nil {
			return nil, fmt.Errorf("field Statement[%d]: %w", i, err)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, key, "", "  "); err != nil {
			return nil, fmt.Errorf("field Statement[%d]: %w", i, err)
		}
		out = append(out, statement{key: string(key), pretty: pretty.String()})
	}
	return out, nil
}

// canonical normalizes one statement: list-valued keys become sorted lists.
// Keys keep their spelling (encoding/json sorts map keys on output).
func canonical(sm map[string]any) map[string]any {
	out := make(map[string]any, len(sm))
	for k, v := range sm {
		if !listKeys[strings.ToLower(k)] {
			out[k] = v
			continue
		}
		switch x := v.(type) {
		case string:
			out[k] = []any{x}
		case []any:
			strs := make([]string, 0, len(x))
			other := false
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					other = true
					break
				}
				strs = append(strs, s)
			}
			if other {
				out[k] = x
				continue
			}
			sort.Strings(strs)
			l := make([]any, len(strs))
			for i, s := range strs {
				l[i] = s
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out
}
