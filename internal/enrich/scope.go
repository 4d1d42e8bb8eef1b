package enrich

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Instance-wide knobs: instances themselves, ABAC attribute mappings,
// extended sessions, and the tags that put a permission set in a delegated
// administrator's reach.

// abacMap is an instance's attribute mapping: key -> sources, joined.
type abacMap map[string]string

// instance enriches CreateInstance, StartSSO, UpdateInstance and
// DeleteInstance with what the model knows of the organization's instance.
func (e *Enricher) instance(ev *cloudtrail.Event) {
	org := e.state.InstanceARN
	switch ev.Name {
	case "CreateInstance", "StartSSO":
		arn := cmp.Or(ev.String("responseElements.instanceArn"), ev.String("requestParameters.instanceArn"))
		ev.SetDerived("portcullis.instance.org_instance_known", org != "" && !strings.EqualFold(arn, org))
	case "DeleteInstance":
		arn := ev.String("requestParameters.instanceArn")
		ev.SetDerived("portcullis.instance.org_instance", org != "" && strings.EqualFold(arn, org))
	case "UpdateInstance":
		var changes []string
		if ev.String("requestParameters.permissionSetsEnabled") == "true" {
			changes = append(changes, "permission sets enabled")
		}
		if kt := ev.String("requestParameters.encryptionConfiguration.keyType"); known(kt) {
			key := ev.String("requestParameters.encryptionConfiguration.kmsKeyArn")
			c := "encryption key type " + kt
			if known(key) {
				c += " (" + key + ")"
				if acct := principalAccount(key); acct != "" {
					ev.SetDerived("portcullis.instance.foreign_key", acct != ev.Account)
				}
			}
			changes = append(changes, c)
		}
		if n := ev.String("requestParameters.name"); known(n) {
			changes = append(changes, "name "+n)
		}
		if len(changes) > 0 {
			ev.SetDerived("portcullis.instance.changes", strings.Join(changes, "; "))
		}
	}
}

// abac reads an attribute-based access control mapping change and says
// which keys and sources changed against the last mapping seen.
func (e *Enricher) abac(ev *cloudtrail.Event) {
	inst := ev.String("requestParameters.instanceArn")
	before, seen := e.mem.ABAC.get(inst)
	after := abacMap{}
	if ev.Name != "DeleteInstanceAccessControlAttributeConfiguration" {
		v, _ := ev.Get("requestParameters.instanceAccessControlAttributeConfiguration.accessControlAttributes")
		list, _ := v.([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			key := cloudtrail.Scalar(m["key"])
			if !known(key) {
				continue
			}
			val, _ := m["value"].(map[string]any)
			var src []string
			if l, ok := val["source"].([]any); ok {
				for _, s := range l {
					src = append(src, cloudtrail.Scalar(s))
				}
			}
			after[key] = strings.Join(src, ",")
		}
	}
	var set []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		set = append(set, k+"="+after[k])
	}
	ev.SetDerived("portcullis.abac.attributes", strings.Join(set, ", "))
	var changes []string
	remapped := false
	switch {
	case ev.Name == "DeleteInstanceAccessControlAttributeConfiguration":
		changes = append(changes, "every attribute mapping removed")
	case !seen && ev.Name == "UpdateInstanceAccessControlAttributeConfiguration":
		changes = append(changes, "previous mapping unknown; now "+strings.Join(set, ", "))
	default:
		for _, k := range slices.Sorted(maps.Keys(after)) {
			old, had := before[k]
			switch {
			case !had:
				changes = append(changes, fmt.Sprintf("+%s (%s)", k, after[k]))
			case old != after[k]:
				changes = append(changes, fmt.Sprintf("%s: %s → %s", k, old, after[k]))
				remapped = true
			}
		}
		for _, k := range slices.Sorted(maps.Keys(before)) {
			if _, ok := after[k]; !ok {
				changes = append(changes, "-"+k)
			}
		}
	}
	if len(changes) == 0 {
		changes = append(changes, "no change")
	}
	ev.SetDerived("portcullis.abac.changes", strings.Join(changes, "; "))
	ev.SetDerived("portcullis.abac.remapped", remapped)
	if ev.ErrorCode == "" && known(inst) {
		e.mem.ABAC.put(inst, after)
	}
}

// extendedSessions reads the application providers an UpdateSsoConfiguration
// lets keep 90-day sessions (extendedSessionEnabledAppProviders), wherever
// the record nests them.
func (e *Enricher) extendedSessions(ev *cloudtrail.Event) {
	rp, _ := ev.Get("requestParameters")
	var providers []string
	walk(rp, 0, func(m map[string]any) {
		if l, ok := getFold(m, "extendedSessionEnabledAppProviders").([]any); ok {
			for _, p := range l {
				if s := cloudtrail.Scalar(p); known(s) && !slices.Contains(providers, s) {
					providers = append(providers, s)
				}
			}
		}
	})
	if len(providers) > 0 {
		ev.SetDerived("portcullis.portal.extended_session_providers", strings.Join(providers, ", "))
	}
}

// permissionSetTags says what TagResource / UntagResource does to a
// permission set's tags ("+team=platform, -owner"): tags decide which
// delegated administrators may edit it.
func (e *Enricher) permissionSetTags(ev *cloudtrail.Event) {
	if !strings.Contains(ev.String("requestParameters.resourceArn"), ":permissionSet/") {
		return
	}
	var parts []string
	if v, ok := ev.Get("requestParameters.tags"); ok {
		list, _ := v.([]any)
		for _, t := range list {
			m, _ := t.(map[string]any)
			parts = append(parts, "+"+cloudtrail.Scalar(m["key"])+"="+cloudtrail.Scalar(m["value"]))
		}
	}
	if v, ok := ev.Get("requestParameters.tagKeys"); ok {
		list, _ := v.([]any)
		for _, k := range list {
			parts = append(parts, "-"+cloudtrail.Scalar(k))
		}
	}
	ev.SetDerived("portcullis.permission_set.tag_change", strings.Join(parts, ", "))
}
