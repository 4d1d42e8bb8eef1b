package respond

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Phase groups steps by what they undo.
type Phase string

const (
	PhaseRevoke      Phase = "revoke-sessions"
	PhaseAssignments Phase = "remove-assignments"
	PhaseMemberships Phase = "remove-memberships"
	PhasePersistence Phase = "remove-persistence"
)

// Services as plans and the Executor name them (the AWS CLI's names).
const (
	SvcSSOAdmin      = "sso-admin"
	SvcIdentityStore = "identitystore"
	SvcOrganizations = "organizations"
)

// ContainmentPlan is an ordered list of steps. It is data: render it, hash
// it, apply it.
type ContainmentPlan struct {
	Schema          string    `json:"schema"`
	Hash            string    `json:"hash"`
	GeneratedAt     time.Time `json:"generated_at"`
	InstanceARN     string    `json:"instance_arn"`
	IdentityStoreID string    `json:"identity_store_id,omitempty"`
	Region          string    `json:"region,omitempty"`
	Subject         Subject   `json:"subject"`
	Options         Options   `json:"options"`
	Steps           []Step    `json:"steps"`
	// Verification lists, per step, what proves it took effect.
	Verification []Verification `json:"verification"`
	Notes        []string       `json:"notes,omitempty"`
	// Refusals are guard rails that block steps; apply.Run refuses a plan that
	// has any.
	Refusals []Refusal `json:"refusals,omitempty"`
	// Permissions are the IAM actions the caller needs to apply the plan.
	Permissions []string `json:"permissions"`
	// State is the digest of the state the steps depend on: applying the
	// plan from a file (contain --plan) refuses when the live state moved.
	State *StateDigest `json:"state,omitempty"`
}

// Subject is what the plan contains, resolved against the state.
type Subject struct {
	FindingID         string `json:"finding_id,omitempty"`
	Rule              string `json:"rule,omitempty"`
	PrincipalType     string `json:"principal_type,omitempty"`
	PrincipalID       string `json:"principal_id,omitempty"`
	PrincipalName     string `json:"principal_name,omitempty"`
	GroupID           string `json:"group_id,omitempty"`
	PermissionSetARN  string `json:"permission_set_arn,omitempty"`
	PermissionSetName string `json:"permission_set_name,omitempty"`
	AccountID         string `json:"account_id,omitempty"`
	External          bool   `json:"external_identity,omitempty"`
}

// Options records the choices the plan was built with.
type Options struct {
	Revoke              RevokeMode `json:"revoke"`
	Via                 RevokeVia  `json:"via"`
	DeletePermissionSet bool       `json:"delete_permission_set,omitempty"`
	DelegatedAdmin      bool       `json:"delegated_admin,omitempty"`
	ProvisionPerAccount bool       `json:"provision_per_account,omitempty"`
	Forced              []string   `json:"forced,omitempty"`
	// Lift marks a plan that undoes a containment (contain --lift).
	Lift bool `json:"lift,omitempty"`
}

// Step is one action. A step with Manual set is for a person (another
// account's credentials, a console, the IdP); apply.Run lists it and moves on.
type Step struct {
	ID    string `json:"id"`
	Phase Phase  `json:"phase"`
	Title string `json:"title"`
	Why   string `json:"why"`
	Call  *Call  `json:"call,omitempty"`
	CLI   string `json:"cli,omitempty"`
	// Wait polls an asynchronous request until SUCCEEDED or FAILED.
	Wait *Wait `json:"wait,omitempty"`
	// Merge, on PutInlinePolicyToPermissionSet, is re-applied by apply.Run to
	// the live inline policy (read just before), so statements added since
	// the snapshot are kept too.
	Merge  *Merge  `json:"merge,omitempty"`
	Manual bool    `json:"manual,omitempty"`
	Proof  []Check `json:"proof"`
	// BlockedBy names the guards that refuse this step; Overridden the
	// guards that would have and were forced.
	BlockedBy  []string `json:"blocked_by,omitempty"`
	Overridden []string `json:"overridden,omitempty"`

	// touches (permission set ARNs), detaches and impacts feed the guards;
	// they are derived, not data.
	touches  []string
	detaches []string
	impacts  []impact
}

// Call is one AWS API request. Params use the API's member names.
type Call struct {
	Service   string         `json:"service"`
	Operation string         `json:"operation"`
	Params    map[string]any `json:"params"`
	// Refs fill params from an earlier step's output at run time; Params
	// then hold a placeholder for display.
	Refs map[string]Ref `json:"refs,omitempty"`
	// Outputs are the output names later steps or the wait use.
	Outputs []string `json:"outputs,omitempty"`
}

// Ref points at an output of an earlier step.
type Ref struct {
	Step   string `json:"step"`
	Output string `json:"output"`
}

// Wait is a status poll: Operation is called with Params plus
// RequestParam = the call's RequestId output.
type Wait struct {
	Service      string         `json:"service"`
	Operation    string         `json:"operation"`
	Params       map[string]any `json:"params"`
	RequestParam string         `json:"request_param"`
	CLI          string         `json:"cli"`
}

// Merge is a set of statements merged into an inline policy.
type Merge struct {
	Add []policy.Statement `json:"add,omitempty"`
	// Remove are the Sids a lift removes from the live inline policy.
	Remove []string `json:"remove,omitempty"`
	// BaseSHA256 is the digest of the inline policy the plan merged with
	// ("" for none); apply.Run notes when the live policy differs.
	BaseSHA256 string `json:"base_sha256,omitempty"`
}

// Drifted reports whether live, the inline policy read just before the
// merge, differs from the one the plan was built from.
func (m *Merge) Drifted(live string) bool { return sha256Hex(live) != m.BaseSHA256 }

// Check is one thing that proves a step took effect.
type Check struct {
	Kind string `json:"kind"` // cloudtrail | api | console
	What string `json:"what"`
	CLI  string `json:"cli,omitempty"`
}

// Verification is the proof list of one step.
type Verification struct {
	Step   string  `json:"step"`
	Title  string  `json:"title"`
	Checks []Check `json:"checks"`
}

// Refusal is one guard blocking one step.
type Refusal struct {
	Guard  string `json:"guard"`
	Step   string `json:"step"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// Blocked reports whether any guard refuses a step.
func (p *ContainmentPlan) Blocked() bool { return len(p.Refusals) > 0 }

// Step returns the step with that id.
func (p *ContainmentPlan) Step(id string) (*Step, bool) {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i], true
		}
	}
	return nil, false
}

// ComputeHash returns the digest of everything in the plan but Hash.
func (p *ContainmentPlan) ComputeHash() (string, error) {
	c := *p
	c.Hash = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("hash plan: %w", err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// VerifyHash checks that the plan was not edited after it was built.
func (p *ContainmentPlan) VerifyHash() error {
	h, err := p.ComputeHash()
	if err != nil {
		return err
	}
	if h != p.Hash {
		return fmt.Errorf("plan hash mismatch: recorded %s, content gives %s (the plan was edited; build it again)", p.Hash, h)
	}
	return nil
}

func sha256Hex(s string) string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// finish renders the CLI commands, the verification list and the
// permissions once every step exists.
func (p *ContainmentPlan) finish(region string) error {
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Call == nil {
			continue
		}
		cmd, err := cliCommand(st.Call, region)
		if err != nil {
			return fmt.Errorf("step %s: %w", st.ID, err)
		}
		st.CLI = cmd
		if st.Wait != nil {
			w := &Call{Service: st.Wait.Service, Operation: st.Wait.Operation, Params: st.Wait.Params,
				Refs: map[string]Ref{st.Wait.RequestParam: {Step: st.ID, Output: "RequestId"}}}
			if st.Wait.CLI, err = cliCommand(w, region); err != nil {
				return fmt.Errorf("step %s wait: %w", st.ID, err)
			}
		}
	}
	p.Verification = []Verification{}
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Proof == nil {
			st.Proof = []Check{}
		}
		if len(st.Proof) > 0 {
			p.Verification = append(p.Verification, Verification{Step: st.ID, Title: st.Title, Checks: st.Proof})
		}
	}
	p.Permissions = permissions(p.Steps)
	if p.Permissions == nil {
		p.Permissions = []string{}
	}
	if p.Steps == nil {
		p.Steps = []Step{}
	}
	return nil
}
