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
	if ev.ErrorCode != "" {
		return
	}
	if _, ok := idcSources[ev.Source]; !ok {
		return
	}
	re, ok := ev.Get("responseElements")
	if !ok || re == nil {
		return
	}
	changed := false
	walk(re, 0, func(m map[string]any) {
		if arn, name := str(m, "permissionSetArn"), str(m, "name"); arn != "" && known(name) {
			if _, have := e.state.PermissionSetByARN(arn); !have {
				e.state.PermissionSets[arn] = &idc.PermissionSet{ARN: arn, Name: name, Source: idc.Source("event:" + ev.ID)}
				changed = true
			}
		}
		if id, name := str(m, "groupId"), str(m, "displayName"); id != "" && known(name) {
			g, have := e.state.GroupByID(id)
			switch {
			case !have:
				e.state.Groups[id] = &idc.Group{ID: id, DisplayName: name, Source: idc.Source("event:" + ev.ID)}
				changed = true
			case g.DisplayName == "":
				g.DisplayName = name
				changed = true
			}
		}
	})
	if changed {
		e.state.Index()
	}
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func known(s string) bool { return s != "" && s != idc.Hidden }
