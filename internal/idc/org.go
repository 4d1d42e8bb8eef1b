package idc

import (
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Organization is the part of AWS Organizations the SCP guardrail reads:
// the service control policies, where each is attached, and where each
// account sits in the tree. It comes from the live API
// (collect/aws.CollectOrganization) or an export file (ReadOrganization),
// apart from the snapshot: only the management account or an Organizations
// delegated administrator can read it.
type Organization struct {
	Policies []SCP
	// Accounts places accounts in the tree. Optional: without an account's
	// Parents, a policy attached to an OU applies when the account's OU path
	// in the Model names that OU.
	Accounts []OrgAccount
}

// SCP is one service control policy and where it is attached.
type SCP struct {
	ID       string
	Name     string
	Document *policy.Document // parsed; never nil in an Organization a source returns
	Targets  []PolicyTarget
}

// Policy target types, as Organizations names them.
const (
	TargetRoot    = "ROOT"
	TargetOU      = "ORGANIZATIONAL_UNIT"
	TargetAccount = "ACCOUNT"
)

// PolicyTarget is a root, OU or account a policy is attached to.
type PolicyTarget struct {
	ID   string // r-…, ou-… or an account id
	Type string // TargetRoot | TargetOU | TargetAccount
	Name string
}

// OrgAccount is an account and its place in the organization tree.
type OrgAccount struct {
	ID      string
	Name    string
	Parents []string // OU ids, nearest first, ending at the root id
}

// Applies reports whether policy p applies to account acct: attached to
// the root, to the account, or to an OU above it. ouPath ("Root/Workloads/
// Prod", from Account.OUPath) stands in for the parent chain when the
// organization does not list the account's parents.
func (o *Organization) Applies(p *SCP, acct, ouPath string) bool {
	var parents []string
	for _, a := range o.Accounts {
		if a.ID == acct {
			parents = a.Parents
		}
	}
	segments := strings.Split(ouPath, "/")
	for _, t := range p.Targets {
		switch strings.ToUpper(t.Type) {
		case TargetRoot:
			return true
		case TargetAccount:
			if t.ID == acct {
				return true
			}
		default:
			if slices.Contains(parents, t.ID) {
				return true
			}
			if len(parents) == 0 && t.Name != "" && slices.Contains(segments[1:], t.Name) { // segments[0] is the root
				return true
			}
		}
		if strings.HasPrefix(t.ID, "r-") {
			return true
		}
	}
	return false
}

// Statements lists the statements of every policy that applies to acct,
// in policy order.
func (o *Organization) Statements(acct, ouPath string) []policy.Statement {
	var out []policy.Statement
	for i := range o.Policies {
		p := &o.Policies[i]
		if p.Document != nil && o.Applies(p, acct, ouPath) {
			out = append(out, p.Document.Statement...)
		}
	}
	return out
}
