package sink

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// actorLine names who did it, most specific first.
func actorLine(a finding.Actor) string {
	s := a.Label()
	if a.Allowlisted {
		s += " (allow-listed)"
	}
	return s
}

// targetLine summarises what was touched in one line.
func targetLine(f finding.Finding) string {
	t := f.Targets
	var parts []string
	add := func(label, name, id string) {
		switch {
		case name != "" && id != "":
			parts = append(parts, label+" "+name+" ("+id+")")
		case name != "":
			parts = append(parts, label+" "+name)
		case id != "":
			parts = append(parts, label+" "+id)
		}
	}
	add("permission set", t.PermissionSetName, t.PermissionSetARN)
	add("group", t.GroupName, t.GroupID)
	if t.PrincipalID != "" && t.PrincipalID != t.GroupID {
		add(strings.ToLower(t.PrincipalType), "", t.PrincipalID)
	}
	add("user", "", t.UserID)
	add("account", "", t.AccountID)
	add("policy", "", t.PolicyARN)
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
