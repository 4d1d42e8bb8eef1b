package finding

import "strings"

// attackNames names the ATT&CK techniques the rule pack tags (v16 of the
// Enterprise matrix) and the tactic each is reported under, so OCSF and
// ASFF output carry names, not only ids. A technique missing here is still
// emitted, by id alone.
var attackNames = map[string]struct{ name, tactic string }{
	"T1070":     {"Indicator Removal", "defense-evasion"},
	"T1078":     {"Valid Accounts", "persistence"},
	"T1078.004": {"Cloud Accounts", "persistence"},
	"T1098":     {"Account Manipulation", "persistence"},
	"T1098.001": {"Additional Cloud Credentials", "persistence"},
	"T1098.003": {"Additional Cloud Roles", "persistence"},
	"T1136":     {"Create Account", "persistence"},
	"T1136.003": {"Cloud Account", "persistence"},
	"T1484":     {"Domain or Tenant Policy Modification", "privilege-escalation"},
	"T1484.002": {"Trust Modification", "privilege-escalation"},
	"T1528":     {"Steal Application Access Token", "credential-access"},
	"T1531":     {"Account Access Removal", "impact"},
	"T1550":     {"Use Alternate Authentication Material", "defense-evasion"},
	"T1550.001": {"Application Access Token", "defense-evasion"},
	"T1556":     {"Modify Authentication Process", "credential-access"},
	"T1556.006": {"Multi-Factor Authentication", "credential-access"},
	"T1562":     {"Impair Defenses", "defense-evasion"},
	"T1562.008": {"Disable or Modify Cloud Logs", "defense-evasion"},
}

// tactics are the ATT&CK tactic ids and names by short name.
var tactics = map[string]struct{ uid, name string }{
	"persistence":          {"TA0003", "Persistence"},
	"privilege-escalation": {"TA0004", "Privilege Escalation"},
	"defense-evasion":      {"TA0005", "Defense Evasion"},
	"credential-access":    {"TA0006", "Credential Access"},
	"impact":               {"TA0040", "Impact"},
}

// technique splits an ATT&CK id into technique and sub-technique and looks
// their names up.
type technique struct {
	id, name       string // T1098
	subID, subName string // T1098.003 ("" when not a sub-technique)
	tacticID       string
	tacticName     string
}

func lookupTechnique(id string) technique {
	id = strings.ToUpper(strings.TrimSpace(id))
	t := technique{id: id}
	if base, _, ok := strings.Cut(id, "."); ok {
		t.id, t.subID = base, id
		t.subName = attackNames[id].name
	}
	t.name = attackNames[t.id].name
	tac := attackNames[id].tactic
	if tac == "" {
		tac = attackNames[t.id].tactic
	}
	if x, ok := tactics[tac]; ok {
		t.tacticID, t.tacticName = x.uid, x.name
	}
	return t
}
