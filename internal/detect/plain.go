package detect

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// PlainNamespace is the first segment of the ids given to plain Sigma
// rules (written without a portcullis: block). portcullis.id must start
// with "idc.", so a derived id never collides with a written one.
const PlainNamespace = "sigma"

var sigmaUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// PlainID is the rule id of a plain Sigma rule: sigma.<Sigma id> when the
// rule has a UUID id (stable across renames, as Sigma intends), else
// sigma.<file name without extension>, lower-cased, with every run of
// other characters turned into one '-'.
func PlainID(r *sigma.Rule) string {
	if sigmaUUID.MatchString(r.SigmaID) {
		return PlainNamespace + "." + strings.ToLower(r.SigmaID)
	}
	stem := strings.TrimSuffix(path.Base(strings.ReplaceAll(r.Source, "\\", "/")), path.Ext(r.Source))
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(stem) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return PlainNamespace + "." + strings.TrimSuffix(b.String(), "-")
}

// assignPlainIDs gives every plain detection rule that feeds no
// correlation its derived id, once, before engines share the trees. A plain
// rule raises findings like any other: level from Sigma's level, summary
// from its title, no escalation.
func assignPlainIDs(rules []*sigma.Rule) error {
	fed := map[string]bool{}
	for _, r := range rules {
		if r.Correlation != nil {
			for _, n := range r.Correlation.Rules {
				fed[n] = true
			}
		}
	}
	for _, r := range rules {
		if !r.Plain || r.Portcullis.ID != "" || r.Detection == nil || (r.Name != "" && fed[r.Name]) {
			continue
		}
		id := PlainID(r)
		if id == PlainNamespace+"." {
			return fmt.Errorf("%s: rule %q: no Sigma id and no usable file name to derive a rule id from: add an id (UUID) or a portcullis: block with id", r.Source, r.Title)
		}
		r.Portcullis.ID = id
	}
	return nil
}
