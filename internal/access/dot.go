package access

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteDOT draws user → group → permission set → account as Graphviz.
// A permission set node stands for the set in one account and sits in
// that account's cluster: drawn once for all accounts, a path through it
// would seem to reach accounts it does not. Admin paths are red and bold.
func WriteDOT(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("digraph access {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\", fontsize=11];\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [color=gray40];\n")

	type edge struct{ from, to string }
	var (
		users, groups = map[string]bool{}, map[string]bool{}
		userOrder     []Access
		groupOrder    []Access
		accounts      []string
		acctName      = map[string]string{}
		setsIn        = map[string][]Access{} // account -> permission sets drawn in it
		setSeen       = map[string]bool{}
		edges         []edge
		edgeSeen      = map[edge]bool{}
		edgeAdmin     = map[edge]bool{}
	)
	addEdge := func(e edge, admin bool) {
		if !edgeSeen[e] {
			edgeSeen[e] = true
			edges = append(edges, e)
		}
		edgeAdmin[e] = edgeAdmin[e] || admin
	}
	for i := range r.Len() {
		a := r.At(i)
		if !users[a.UserID] {
			users[a.UserID] = true
			userOrder = append(userOrder, a)
		}
		if _, ok := acctName[a.AccountID]; !ok {
			acctName[a.AccountID] = a.AccountName
			accounts = append(accounts, a.AccountID)
		}
		set := setNode(a)
		if !setSeen[set] {
			setSeen[set] = true
			setsIn[a.AccountID] = append(setsIn[a.AccountID], a)
		}
		from := userNode(a.UserID)
		if a.Via == ViaGroup {
			if !groups[a.GroupID] {
				groups[a.GroupID] = true
				groupOrder = append(groupOrder, a)
			}
			addEdge(edge{from, groupNode(a.GroupID)}, a.Admin())
			from = groupNode(a.GroupID)
		}
		addEdge(edge{from, set}, a.Admin())
	}
	slices.Sort(accounts)
	for _, a := range userOrder {
		p("  %s [shape=ellipse, label=%s];\n", userNode(a.UserID), quote(cmp.Or(a.UserName, a.UserID)))
	}
	for _, a := range groupOrder {
		p("  %s [shape=box, style=rounded, label=%s];\n", groupNode(a.GroupID), quote("group "+cmp.Or(a.GroupName, a.GroupID)))
	}
	for i, id := range accounts {
		label := id
		if n := acctName[id]; n != "" {
			label = id + " (" + n + ")"
		}
		p("  subgraph cluster_%d {\n    label=%s;\n    style=filled; color=gray92;\n", i, quote("account "+label))
		for _, a := range setsIn[id] {
			attrs := ""
			if a.Admin() {
				attrs = ", color=red, fontcolor=red, penwidth=2, style=bold"
			}
			p("    %s [shape=component, label=%s%s];\n", setNode(a), quote(cmp.Or(a.PermissionSetName, a.PermissionSetARN)+"\n"+a.Level.String()), attrs)
		}
		p("  }\n")
	}
	for _, e := range edges {
		attrs := ""
		if edgeAdmin[e] {
			attrs = " [color=red, penwidth=2, style=bold]"
		}
		p("  %s -> %s%s;\n", e.from, e.to, attrs)
	}
	p("}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write access dot: %w", err)
	}
	return nil
}

func userNode(id string) string  { return quote("u:" + id) }
func groupNode(id string) string { return quote("g:" + id) }
func setNode(a Access) string    { return quote("ps:" + a.AccountID + ":" + a.PermissionSetARN) }

// quote makes a DOT double-quoted string. A newline becomes DOT's \n
// line break; quotes and backslashes are escaped.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
