package idc

import (
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// ApplyError names the event and field that could not be applied.
type ApplyError struct {
	EventID   string
	EventName string
	Field     string
	Err       error
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("apply %s (event %s): field %s: %v", e.EventName, e.EventID, e.Field, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply moves the model forward by one CloudTrail event. Only successful
// Identity Center, identity-store and organizations delegated-admin writes
// change anything; every other event gives (false, nil). A write whose
// fields are missing or of the wrong type is an *ApplyError naming the
// field. Apply must not run concurrently with lookups on the same model.
func (m *Model) Apply(ev *cloudtrail.Event) (bool, error) {
	if ev == nil || ev.ErrorCode != "" {
		return false, nil
	}
	a := applier{m: m, ev: ev, src: Source("event:" + ev.ID)}
	switch ev.Source {
	case SourceSSO:
		return a.ssoAdmin()
	case SourceIdentityStore:
		return a.identityStore()
	case SourceDirectory:
		return a.directory()
	case SourceSCIM:
		return a.scim()
	case SourceOrganizations:
		return a.organizations()
	}
	return false, nil
}

type applier struct {
	m   *Model
	ev  *cloudtrail.Event
	src Source
}

func (a *applier) fail(field string, format string, args ...any) error {
	return &ApplyError{EventID: a.ev.ID, EventName: a.ev.Name, Field: field, Err: fmt.Errorf(format, args...)}
}

// opt returns the string at path, "" when absent or null.
func (a *applier) opt(path string) (string, error) {
	v, ok := a.ev.Get(path)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", a.fail(path, "want a string, got %T", v)
	}
	return s, nil
}

// req is opt for a field the write cannot be understood without.
func (a *applier) req(path string) (string, error) {
	s, err := a.opt(path)
	if err == nil && s == "" {
		err = a.fail(path, "missing")
	}
	return s, err
}

// first returns the first non-empty string among paths (real records spell
// the same thing differently across sources and years).
func (a *applier) first(paths ...string) (string, error) {
	for _, p := range paths {
		s, err := a.opt(p)
		if err != nil || s != "" {
			return s, err
		}
	}
	return "", a.fail(paths[0], "missing")
}

func (a *applier) present(path string) bool {
	v, ok := a.ev.Get(path)
	return ok && v != nil
}

func (a *applier) ssoAdmin() (bool, error) {
	switch a.ev.Name {
	case "CreatePermissionSet":
		return a.createPermissionSet()
	case "UpdatePermissionSet":
		return a.updatePermissionSet()
	case "DeletePermissionSet":
		return a.deletePermissionSet()
	case "AttachManagedPolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet":
		return a.managedPolicy(a.ev.Name == "AttachManagedPolicyToPermissionSet")
	case "AttachCustomerManagedPolicyReferenceToPermissionSet", "DetachCustomerManagedPolicyReferenceFromPermissionSet":
		return a.customerPolicy(a.ev.Name == "AttachCustomerManagedPolicyReferenceToPermissionSet")
	case "PutInlinePolicyToPermissionSet":
		return a.putInline()
	case "DeleteInlinePolicyFromPermissionSet":
		return a.withPS(func(ps *PermissionSet) bool {
			changed := ps.InlinePolicy != ""
			ps.InlinePolicy = ""
			return changed
		})
	case "PutPermissionsBoundaryToPermissionSet":
		return a.putBoundary()
	case "DeletePermissionsBoundaryFromPermissionSet":
		return a.withPS(func(ps *PermissionSet) bool {
			changed := ps.PermissionsBoundary != nil
			ps.PermissionsBoundary = nil
			return changed
		})
	case "ProvisionPermissionSet":
		return a.provision()
	case "CreateAccountAssignment", "DeleteAccountAssignment":
		return a.assignment(a.ev.Name == "CreateAccountAssignment")
	case "TagResource", "UntagResource":
		return a.tags(a.ev.Name == "TagResource")
	}
	return false, nil
}

func (a *applier) noteInstance() error {
	inst, err := a.opt("requestParameters.instanceArn")
	if err == nil && inst != "" && a.m.InstanceARN == "" {
		a.m.InstanceARN = inst
		a.m.touch(FactMeta, "")
	}
	return err
}

// permissionSet returns the permission set the request names, creating a
// stub when the model has not seen it (a replay may start mid-history).
func (a *applier) permissionSet(path string) (*PermissionSet, error) {
	arn, err := a.req(path)
	if err != nil {
		return nil, err
	}
	if err := a.noteInstance(); err != nil {
		return nil, err
	}
	ps, ok := a.m.PermissionSets[arn]
	if !ok {
		ps = &PermissionSet{ARN: arn, Source: a.src}
		a.m.PermissionSets[arn] = ps
		a.m.touch(FactPermissionSet, arn)
	}
	return ps, nil
}

func (a *applier) withPS(f func(*PermissionSet) bool) (bool, error) {
	ps, err := a.permissionSet("requestParameters.permissionSetArn")
	if err != nil {
		return false, err
	}
	if !f(ps) {
		return false, nil
	}
	ps.Source = a.src
	a.m.touch(FactPermissionSet, ps.ARN)
	return true, nil
}

func (a *applier) createPermissionSet() (bool, error) {
	arn, err := a.req("responseElements.permissionSet.permissionSetArn")
	if err != nil {
		return false, err
	}
	if err := a.noteInstance(); err != nil {
		return false, err
	}
	name, err := a.first("requestParameters.name", "responseElements.permissionSet.name")
	if err != nil {
		return false, err
	}
	ix := a.m.index()
	if old, ok := a.m.PermissionSets[arn]; ok {
		ix.dropPS(old)
	}
	ps := &PermissionSet{ARN: arn, Name: name, Source: a.src, CreatedAt: a.ev.Time}
	if old, ok := a.m.PermissionSets[arn]; ok { // a stub from an earlier event keeps its attachments
		*ps = *old
		ps.Name, ps.Source = name, a.src
	}
	if err := a.psAttributes(ps); err != nil {
		return false, err
	}
	if s, _ := a.opt("responseElements.permissionSet.createdDate"); s != "" {
		if t, err := cloudtrail.ParseTime(s); err == nil {
			ps.CreatedAt = t
		}
	}
	tags, err := a.tagList("requestParameters.tags")
	if err != nil {
		return false, err
	}
	for k, v := range tags {
		if ps.Tags == nil {
			ps.Tags = map[string]string{}
		}
		ps.Tags[k] = v
	}
	a.m.PermissionSets[arn] = ps
	a.m.touch(FactPermissionSet, arn)
	ix.addPS(ps)
	return true, nil
}

// psAttributes copies the optional attributes Create/UpdatePermissionSet
// carry; absent fields leave the model as it was.
func (a *applier) psAttributes(ps *PermissionSet) error {
	for _, f := range []struct {
		path string
		dst  *string
	}{
		{"requestParameters.description", &ps.Description},
		{"requestParameters.sessionDuration", &ps.SessionDuration},
		{"requestParameters.relayState", &ps.RelayState},
	} {
		s, err := a.opt(f.path)
		if err != nil {
			return err
		}
		if s != "" && s != cloudtrail.Hidden {
			*f.dst = s
		}
	}
	return nil
}

func (a *applier) updatePermissionSet() (bool, error) {
	ps, err := a.permissionSet("requestParameters.permissionSetArn")
	if err != nil {
		return false, err
	}
	before := *ps
	if err := a.psAttributes(ps); err != nil {
		return false, err
	}
	if before.Description == ps.Description && before.SessionDuration == ps.SessionDuration && before.RelayState == ps.RelayState {
		return false, nil
	}
	ps.Source = a.src
	a.m.touch(FactPermissionSet, ps.ARN)
	return true, nil
}

func (a *applier) deletePermissionSet() (bool, error) {
	arn, err := a.req("requestParameters.permissionSetArn")
	if err != nil {
		return false, err
	}
	ps, ok := a.m.PermissionSets[arn]
	if !ok {
		return false, nil
	}
	a.m.index().dropPS(ps)
	delete(a.m.PermissionSets, arn)
	a.m.touch(FactPermissionSet, arn)
	// Assignments cannot outlive their permission set.
	a.m.removeAssignments(func(x Assignment) bool { return x.PermissionSetARN == arn })
	return true, nil
}
