package enrich

import (
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// learn picks up names that read calls reveal (DescribePermissionSet,
// DescribeGroup, ListGroups …): a trail often starts long after the
// permission sets and groups it talks about were created, and rules need
// their names to join a session's role name to a grant or to know a group
// is privileged. Only objects the state does not know yet are added, so the
// work is bounded by the number of distinct objects.
func (e *Enricher) learn(ev *cloudtrail.Event) {
	// Writes move the state through idc.Apply; only reads teach names here.
	if ev.ErrorCode != "" || enrichIsWrite(ev) {
		return
	}
	if _, ok := idcSources[ev.Source]; !ok {
		return
	}
	re, ok := ev.Get("responseElements")
	if !ok || re == nil {
		return
	}
	src := idc.Source("event:" + ev.ID)
	walk(re, 0, func(m map[string]any) {
		var ps *idc.PermissionSet
		var g *idc.Group
		if arn, name := str(m, "permissionSetArn"), str(m, "name"); arn != "" && known(name) {
			ps = &idc.PermissionSet{ARN: arn, Name: name, Source: src}
		}
		if id, name := str(m, "groupId"), str(m, "displayName"); id != "" && known(name) {
			g = &idc.Group{ID: id, DisplayName: name, Source: src}
		}
		if (ps != nil || g != nil) && e.state.Learn(ps, g) {
			e.learned++
		}
	})
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// known reports whether a value is usable: a field that is missing or
// redacted (HIDDEN_DUE_TO_SECURITY_REASONS) is unknown, never a match
// either way. Enrichment makes that check here and nowhere else.
func known(s string) bool { return s != "" && s != idc.Hidden }

// Learned counts the times reads taught the state something new.
func (e *Enricher) Learned() int { return e.learned }

func enrichIsWrite(ev *cloudtrail.Event) bool { return IsWrite(ev.Name) && !ev.ReadOnly }
