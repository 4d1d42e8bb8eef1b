package respond

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// opInfo describes one API operation a plan may use: the IAM action it
// needs (for the least-privilege policy), the order CLI flags print in, and
// where each output is in the CLI's answer (for --query).
type opInfo struct {
	action  string
	order   []string
	outputs map[string]string
}

// ops is every operation a plan can contain. Executors implement exactly
// these; anything else is refused.
var ops = map[string]opInfo{
	SvcSSOAdmin + "/DeleteAccountAssignment": {
		action:  "sso:DeleteAccountAssignment",
		order:   []string{"InstanceArn", "TargetId", "TargetType", "PermissionSetArn", "PrincipalType", "PrincipalId"},
		outputs: map[string]string{"RequestId": "AccountAssignmentDeletionStatus.RequestId"},
	},
	SvcSSOAdmin + "/DescribeAccountAssignmentDeletionStatus": {
		action:  "sso:DescribeAccountAssignmentDeletionStatus",
		order:   []string{"InstanceArn", "AccountAssignmentDeletionRequestId"},
		outputs: map[string]string{"Status": "AccountAssignmentDeletionStatus.Status"},
	},
	SvcSSOAdmin + "/GetInlinePolicyForPermissionSet": {
		action:  "sso:GetInlinePolicyForPermissionSet",
		order:   []string{"InstanceArn", "PermissionSetArn"},
		outputs: map[string]string{"InlinePolicy": "InlinePolicy"},
	},
	SvcSSOAdmin + "/PutInlinePolicyToPermissionSet": {
		action: "sso:PutInlinePolicyToPermissionSet",
		order:  []string{"InstanceArn", "PermissionSetArn", "InlinePolicy"},
	},
	SvcSSOAdmin + "/DeleteInlinePolicyFromPermissionSet": {
		action: "sso:DeleteInlinePolicyFromPermissionSet",
		order:  []string{"InstanceArn", "PermissionSetArn"},
	},
	SvcSSOAdmin + "/ProvisionPermissionSet": {
		action:  "sso:ProvisionPermissionSet",
		order:   []string{"InstanceArn", "PermissionSetArn", "TargetType", "TargetId"},
		outputs: map[string]string{"RequestId": "PermissionSetProvisioningStatus.RequestId"},
	},
	SvcSSOAdmin + "/DescribePermissionSetProvisioningStatus": {
		action:  "sso:DescribePermissionSetProvisioningStatus",
		order:   []string{"InstanceArn", "ProvisionPermissionSetRequestId"},
		outputs: map[string]string{"Status": "PermissionSetProvisioningStatus.Status"},
	},
	SvcSSOAdmin + "/DetachManagedPolicyFromPermissionSet": {
		action: "sso:DetachManagedPolicyFromPermissionSet",
		order:  []string{"InstanceArn", "PermissionSetArn", "ManagedPolicyArn"},
	},
	SvcSSOAdmin + "/UpdatePermissionSet": {
		action: "sso:UpdatePermissionSet",
		order:  []string{"InstanceArn", "PermissionSetArn", "SessionDuration"},
	},
	SvcSSOAdmin + "/DeletePermissionSet": {
		action: "sso:DeletePermissionSet",
		order:  []string{"InstanceArn", "PermissionSetArn"},
	},
	SvcIdentityStore + "/GetGroupMembershipId": {
		action:  "identitystore:GetGroupMembershipId",
		order:   []string{"IdentityStoreId", "GroupId", "MemberId"},
		outputs: map[string]string{"MembershipId": "MembershipId"},
	},
	SvcIdentityStore + "/DeleteGroupMembership": {
		action: "identitystore:DeleteGroupMembership",
		order:  []string{"IdentityStoreId", "MembershipId"},
	},
	SvcOrganizations + "/CreatePolicy": {
		action:  "organizations:CreatePolicy",
		order:   []string{"Type", "Name", "Description", "Content"},
		outputs: map[string]string{"PolicyId": "Policy.PolicySummary.Id"},
	},
	SvcOrganizations + "/AttachPolicy": {
		action: "organizations:AttachPolicy",
		order:  []string{"PolicyId", "TargetId"},
	},
	SvcOrganizations + "/DetachPolicy": {
		action: "organizations:DetachPolicy",
		order:  []string{"PolicyId", "TargetId"},
	},
	SvcOrganizations + "/DeletePolicy": {
		action: "organizations:DeletePolicy",
		order:  []string{"PolicyId"},
	},
}

func opKey(service, op string) string { return service + "/" + op }

// Operation is one API call a plan may contain.
type Operation struct {
	Service, Name string
	Action        string // the IAM action it needs
}

// Operations lists every operation a plan may contain, sorted by service
// and name: what an executor must implement.
func Operations() []Operation {
	var out []Operation
	for _, k := range slices.Sorted(maps.Keys(ops)) {
		svc, name, _ := strings.Cut(k, "/")
		out = append(out, Operation{Service: svc, Name: name, Action: ops[k].action})
	}
	return out
}

// SupportsOperation reports whether a plan may contain the call; an
// executor refuses anything else.
func SupportsOperation(service, name string) bool {
	_, ok := ops[opKey(service, name)]
	return ok
}

// IAMActions lists the IAM actions an executor may need for any plan.
func IAMActions() []string {
	var out []string
	for _, o := range Operations() {
		out = append(out, o.Action)
	}
	return out
}

// kebab turns an API name into the CLI's form: InstanceArn -> instance-arn.
func kebab(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (!unicode.IsUpper(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shq quotes a value for bash: single quotes, with ' written as '\”.
// Nothing inside single quotes is special to the shell.
//
// A rune that is invisible or a control character (a bidi override in an
// attacker's policy text, say) is written as bash's $'\xHH' bytes, so the
// argument is the same bytes while the script shows no such rune.
func shq(s string) string {
	if s == "" {
		return "''"
	}
	var b strings.Builder
	quoted := false // inside '…'
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError || invisible(r) {
			if quoted {
				b.WriteByte('\'')
				quoted = false
			}
			b.WriteString("$'")
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
			b.WriteByte('\'')
			i += n
			continue
		}
		if !quoted {
			b.WriteByte('\'')
			quoted = true
		}
		if r == '\'' {
			b.WriteString(`'\''`)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	if quoted {
		b.WriteByte('\'')
	}
	return b.String()
}

// refVar is the shell variable that carries a step output.
func refVar(r Ref) string { return r.Step + "_" + r.Output }

// cliCommand renders a call as an AWS CLI command. Every value is quoted;
// outputs from earlier steps are double-quoted shell variables.
func cliCommand(c *Call, region string) (string, error) {
	info, ok := ops[opKey(c.Service, c.Operation)]
	if !ok {
		return "", fmt.Errorf("operation %s %s is not supported", c.Service, c.Operation)
	}
	parts := []string{"aws", c.Service, kebab(c.Operation)}
	keys := slices.Clone(info.order)
	for _, k := range slices.Sorted(maps.Keys(c.Params)) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		flag := "--" + kebab(k)
		if r, ok := c.Refs[k]; ok {
			parts = append(parts, flag, `"$`+refVar(r)+`"`)
			continue
		}
		v, ok := c.Params[k]
		if !ok {
			continue
		}
		s, err := cliValue(k, v)
		if err != nil {
			return "", fmt.Errorf("%s %s: %w", c.Service, c.Operation, err)
		}
		// A value starting with '-' would be read as a flag: attach it.
		if strings.HasPrefix(s, "-") {
			parts = append(parts, flag+"="+shq(s))
		} else {
			parts = append(parts, flag, shq(s))
		}
	}
	if region != "" {
		parts = append(parts, "--region", shq(region))
	}
	return strings.Join(parts, " "), nil
}

func cliValue(k string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		if strings.ContainsRune(x, 0) {
			return "", fmt.Errorf("param %s contains a NUL byte", k)
		}
		return x, nil
	case map[string]string:
		// Shorthand syntax (MemberId UserId=...); values are validated ids.
		var kv []string
		for _, mk := range slices.Sorted(maps.Keys(x)) {
			kv = append(kv, mk+"="+x[mk])
		}
		return strings.Join(kv, ","), nil
	}
	return "", fmt.Errorf("param %s has unsupported type %T", k, v)
}

// cliQuery appends --query/--output text for one output of the call.
func cliQuery(c *Call, output string) string {
	q := ops[opKey(c.Service, c.Operation)].outputs[output]
	return " --query " + shq(q) + " --output text"
}

// permissions lists the IAM actions a plan's calls need, sorted.
func permissions(steps []Step) []string {
	var out []string
	add := func(svc, op string) {
		if info, ok := ops[opKey(svc, op)]; ok {
			out = append(out, info.action)
		}
	}
	for _, s := range steps {
		if s.Manual || s.Call == nil {
			continue
		}
		add(s.Call.Service, s.Call.Operation)
		if s.Wait != nil {
			add(s.Wait.Service, s.Wait.Operation)
		}
		if s.Merge != nil {
			add(SvcSSOAdmin, "GetInlinePolicyForPermissionSet")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
