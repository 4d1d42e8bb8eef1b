package enrich

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Member-account IAM policies that permission sets reference by name: a
// customer managed policy or a permissions boundary. Rewriting one changes
// what the permission set's role can do in that account, with no Identity
// Center event at all.

// sourceIAM is IAM's event source. It is not one of Identity Center's
// sources (idc.EventSources): an IAM record concerns Identity Center only
// when its object does, which the model decides, not the source.
const sourceIAM = "iam.amazonaws.com"

// policyDoc is the analysis of a policy version seen in this run, so a
// later SetDefaultPolicyVersion can be judged by its content.
type policyDoc struct {
	Level   policy.Level `json:"level"`
	Reasons string       `json:"reasons,omitempty"`
}

// memberPolicy enriches iam CreatePolicy, CreatePolicyVersion,
// SetDefaultPolicyVersion and DeletePolicy: which permission sets the
// policy feeds in this account, and what the new default version grants.
func (e *Enricher) memberPolicy(ev *cloudtrail.Event) {
	switch ev.Name {
	case "CreatePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicy":
	default:
		return
	}
	arn := ev.String("requestParameters.policyArn")
	if ev.Name == "CreatePolicy" {
		arn = ev.String("responseElements.policy.arn")
	}
	acct, path, name, ok := idc.ParsePolicyARN(arn)
	if !ok && ev.Name == "CreatePolicy" {
		// A failed CreatePolicy has no response: the request names it.
		acct, path, name = ev.Account, ev.String("requestParameters.path"), ev.String("requestParameters.policyName")
		ok = acct != "" && known(name)
	}
	if !ok {
		return
	}
	if path == "" {
		path = "/"
	}
	version := ""
	switch ev.Name {
	case "CreatePolicy", "CreatePolicyVersion":
		doc := ev.String("requestParameters.policyDocument")
		an, err := policy.Analyze([]byte(doc))
		msg := ""
		if err != nil {
			msg = err.Error()
		} else if ev.ErrorCode == "" {
			version = ev.String("responseElements.policyVersion.versionId")
			if ev.Name == "CreatePolicy" {
				version = firstNonEmpty(ev.String("responseElements.policy.defaultVersionId"), "v1")
			}
			if version != "" {
				e.mem.PolicyDocs.put(arn+"|"+version, policyDoc{an.Level, strings.Join(an.Reasons, "; ")})
			}
		}
		setPolicy(ev, an, err == nil, msg)
		ev.SetDerived("portcullis.policy_ref.effective", ev.Name == "CreatePolicy" || ev.String("requestParameters.setAsDefault") == "true")
	case "SetDefaultPolicyVersion":
		version = ev.String("requestParameters.versionId")
		if d, seen := e.mem.PolicyDocs.get(arn + "|" + version); seen {
			setPolicy(ev, policy.Analysis{Level: d.Level, Reasons: splitReasons(d.Reasons)}, true, "")
		} else {
			ev.SetDerived("portcullis.policy.known", false)
		}
		ev.SetDerived("portcullis.policy_ref.effective", true)
	}
	if version != "" {
		ev.SetDerived("portcullis.policy_ref.version", version)
	}
	ev.SetDerived("portcullis.policy_ref.name", path+name)
	ev.SetDerived("portcullis.target.account", acct)
	ev.SetDerived("portcullis.target.sensitive", e.cfg.IsSensitive(acct))

	uses := e.state.PolicyUsers(acct, path, name)
	ev.SetDerived("portcullis.policy_ref.referenced", len(uses) > 0)
	if len(uses) == 0 {
		return
	}
	var names []string
	boundary, provisioned := false, false
	for _, u := range uses {
		n := u.PermissionSet.Name
		if n == "" {
			n = u.PermissionSet.ARN
		}
		if u.Boundary {
			n += " (boundary)"
		}
		if !u.ProvisioningKnown {
			n += " (provisioning unknown)"
		}
		names = append(names, n)
		boundary = boundary || u.Boundary
		provisioned = provisioned || u.Provisioned
	}
	ev.SetDerived("portcullis.policy_ref.permission_sets", strings.Join(names, ", "))
	ev.SetDerived("portcullis.policy_ref.boundary", boundary)
	ev.SetDerived("portcullis.policy_ref.provisioned", provisioned)
	if ps := uses[0].PermissionSet; ps.Name != "" {
		ev.SetDerived("portcullis.permission_set.name", ps.Name)
		ev.SetDerived("portcullis.permission_set.arn", ps.ARN)
	}
}

func splitReasons(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "; ")
}
