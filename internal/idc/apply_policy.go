package idc

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Writes that change what a permission set grants.

func (a *applier) managedPolicy(attach bool) (bool, error) {
	pol, err := a.req("requestParameters.managedPolicyArn")
	if err != nil {
		return false, err
	}
	return a.withPS(func(ps *PermissionSet) bool {
		i := slices.Index(ps.ManagedPolicies, pol)
		switch {
		case attach && i < 0:
			ps.ManagedPolicies = append(ps.ManagedPolicies, pol)
			return true
		case !attach && i >= 0:
			ps.ManagedPolicies = slices.Delete(ps.ManagedPolicies, i, i+1)
			return true
		}
		return false
	})
}

func (a *applier) policyRef(base string) (PolicyRef, error) {
	name, err := a.req(base + ".name")
	if err != nil {
		return PolicyRef{}, err
	}
	path, err := a.opt(base + ".path")
	if path == "" {
		path = "/" // the API's default
	}
	return PolicyRef{Name: name, Path: path}, err
}

func (a *applier) customerPolicy(attach bool) (bool, error) {
	ref, err := a.policyRef("requestParameters.customerManagedPolicyReference")
	if err != nil {
		return false, err
	}
	return a.withPS(func(ps *PermissionSet) bool {
		i := slices.IndexFunc(ps.CustomerManagedPolicies, func(r PolicyRef) bool {
			return r.Name == ref.Name && normPath(r.Path) == ref.Path
		})
		switch {
		case attach && i < 0:
			ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, ref)
			a.m.index().addPolicyRefs(ps)
			return true
		case !attach && i >= 0:
			ps.CustomerManagedPolicies = slices.Delete(ps.CustomerManagedPolicies, i, i+1)
			return true
		}
		return false
	})
}

func normPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func (a *applier) putInline() (bool, error) {
	v, ok := a.ev.Get("requestParameters.inlinePolicy")
	if !ok || v == nil {
		return false, a.fail("requestParameters.inlinePolicy", "missing")
	}
	var doc string
	switch x := v.(type) {
	case string:
		doc = x
	case map[string]any: // some producers decode the JSON string
		b, err := json.Marshal(x)
		if err != nil {
			return false, a.fail("requestParameters.inlinePolicy", "%v", err)
		}
		doc = string(b)
	default:
		return false, a.fail("requestParameters.inlinePolicy", "want a JSON string, got %T", v)
	}
	return a.withPS(func(ps *PermissionSet) bool {
		changed := ps.InlinePolicy != doc
		ps.InlinePolicy = doc
		return changed
	})
}

func (a *applier) putBoundary() (bool, error) {
	const base = "requestParameters.permissionsBoundary"
	var ref PolicyRef
	arn, err := a.opt(base + ".managedPolicyArn")
	if err != nil {
		return false, err
	}
	switch {
	case arn != "":
		ref.ManagedPolicyARN = arn
	case a.present(base + ".customerManagedPolicyReference"):
		if ref, err = a.policyRef(base + ".customerManagedPolicyReference"); err != nil {
			return false, err
		}
	default:
		return false, a.fail(base, "neither managedPolicyArn nor customerManagedPolicyReference")
	}
	return a.withPS(func(ps *PermissionSet) bool {
		changed := ps.PermissionsBoundary == nil || *ps.PermissionsBoundary != ref
		ps.PermissionsBoundary = &ref
		a.m.index().addPolicyRefs(ps)
		return changed
	})
}

func (a *applier) tagList(path string) (map[string]string, error) {
	v, ok := a.ev.Get(path)
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, a.fail(path, "want a list of {key, value}, got %T", v)
	}
	tags := make(map[string]string, len(list))
	for i, t := range list {
		obj, ok := t.(map[string]any)
		if !ok {
			return nil, a.fail(fmt.Sprintf("%s.%d", path, i), "want {key, value}, got %T", t)
		}
		k, _ := obj["key"].(string)
		val, _ := obj["value"].(string)
		if k == "" {
			return nil, a.fail(fmt.Sprintf("%s.%d.key", path, i), "missing")
		}
		tags[k] = val
	}
	return tags, nil
}

func (a *applier) tags(add bool) (bool, error) {
	arn, err := a.req("requestParameters.resourceArn")
	if err != nil {
		return false, err
	}
	ps, ok := a.m.PermissionSets[arn]
	if !ok {
		return false, nil // an instance or application: not modelled
	}
	changed := false
	if add {
		tags, err := a.tagList("requestParameters.tags")
		if err != nil {
			return false, err
		}
		for k, v := range tags {
			if ps.Tags == nil {
				ps.Tags = map[string]string{}
			}
			if old, ok := ps.Tags[k]; !ok || old != v {
				ps.Tags[k] = v
				changed = true
			}
		}
	} else {
		v, _ := a.ev.Get("requestParameters.tagKeys")
		keys, ok := v.([]any)
		if !ok {
			return false, a.fail("requestParameters.tagKeys", "want a list of strings, got %T", v)
		}
		for _, k := range keys {
			s, _ := k.(string)
			if _, ok := ps.Tags[s]; ok {
				delete(ps.Tags, s)
				changed = true
			}
		}
	}
	if changed {
		ps.Source = a.src
		a.m.touch(FactPermissionSet, ps.ARN)
	}
	return changed, nil
}
