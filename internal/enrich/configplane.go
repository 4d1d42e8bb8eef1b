package enrich

import (
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// configPlane adds the derived fields of the configuration plane:
// applications and trusted token issuers (and the tokens they mint),
// instances, ABAC mappings, extended sessions, permission set tags, and
// member-account policies that permission sets reference. It dispatches on
// source and name before touching the request, so records no rule of this
// plane reads stay undecoded.
func (e *Enricher) configPlane(ev *cloudtrail.Event) {
	switch ev.Source {
	case idc.SourceSSO:
		switch ev.Name {
		case "CreateInstance", "StartSSO", "UpdateInstance", "DeleteInstance":
			e.instance(ev)
		case "CreateInstanceAccessControlAttributeConfiguration", "UpdateInstanceAccessControlAttributeConfiguration",
			"DeleteInstanceAccessControlAttributeConfiguration":
			e.abac(ev)
		case "UpdateSsoConfiguration":
			e.extendedSessions(ev)
		case "TagResource", "UntagResource":
			e.permissionSetTags(ev)
		default:
			e.applications(ev)
		}
	case idc.SourceOAuth:
		e.appTokenMinted(ev)
	case sourceIAM:
		e.memberPolicy(ev)
	}
}
