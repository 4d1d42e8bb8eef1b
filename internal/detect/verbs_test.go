package detect

import (
	"slices"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/enrich"
)

// TestUnlistedActorVerbsAreTheWriteVerbs: the fallback rule's eventName
// prefixes (what the prefilter lets through) and enrichment's notion of a
// write are one list, so a verb added to one cannot be missing from the
// other.
func TestUnlistedActorVerbsAreTheWriteVerbs(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Find("idc.change.unlisted-actor")
	var got []string
	for _, fm := range r.Detection.Selection("selection").Alternatives[0] {
		if fm.Field == "eventName" {
			for _, v := range fm.Values {
				got = append(got, v.Text)
			}
		}
	}
	if want := enrich.WriteVerbs(); !slices.Equal(got, want) {
		t.Errorf("rule verbs %v\nwrite verbs %v", got, want)
	}
	for name, want := range map[string]bool{
		"VerifyEmail": true, "BatchDeleteSession": true, "BatchGetUsers": false, "Verifying": false, "ListSessions": false,
	} {
		if enrich.IsWrite(name) != want {
			t.Errorf("IsWrite(%s) = %v, want %v", name, !want, want)
		}
	}
}
