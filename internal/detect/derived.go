package detect

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/enrich"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// summaryField finds the field path of each {field} or {field|fallback}
// placeholder in a summary template, nested ones included.
var summaryField = regexp.MustCompile(`\{([A-Za-z0-9_.\-]+)[|}]`)

// checkDerived fails a rule that names a portcullis.* field enrichment
// never sets: a misspelled derived field would silently never match.
func checkDerived(r *sigma.Rule) error {
	refs := r.FieldRefs()
	for _, m := range summaryField.FindAllStringSubmatch(r.Portcullis.Summary, -1) {
		refs = append(refs, sigma.FieldRef{Where: "portcullis.summary", Field: m[1]})
	}
	for _, ref := range refs {
		if !strings.HasPrefix(strings.ToLower(ref.Field), "portcullis.") {
			continue
		}
		if _, ok := enrich.LookupField(ref.Field); !ok {
			return fmt.Errorf("%s: rule %q: %s: unknown derived field %q (enrichment sets only the portcullis.* fields listed in the README)", r.Source, r.Title, ref.Where, ref.Field)
		}
	}
	return nil
}
