package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// EventKind is a kind of record some rules need and some inputs lack: a
// trail written only for one region, a write-only trail, a trail of member
// accounts without the Identity Center account.
type EventKind struct {
	Name string
	// Absent is what a hunt says when the input holds none.
	Absent string
	In     []cloudtrail.Interest
}

// eventKinds, in classification order: a record belongs to the first kind
// that matches it (portal reads before the rest of sso.amazonaws.com).
var eventKinds = []EventKind{
	{"role-use", "no read events such as GetRoleCredentials or AssumeRoleWithSAML (a write-only trail?)", []cloudtrail.Interest{
		{Source: idc.SourceSSO, Names: []string{"GetRoleCredentials", "ListAccounts", "ListAccountRoles", "ListApplications",
			"ListProfilesForApplication", "Federate", "Authenticate", "Logout"}},
		{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}}}},
	{"token", "no token events (sso CreateToken, sso-oauth CreateTokenWithIAM)", []cloudtrail.Interest{
		{Source: idc.SourceSSO, Names: []string{"CreateToken"}},
		{Source: idc.SourceOAuth}}},
	{"signin", "no Identity Center sign-in events (signin CredentialVerification, UserAuthentication: logged in the Identity Center home region)", []cloudtrail.Interest{
		{Source: idc.SourceSignin, Names: []string{"CredentialChallenge", "CredentialVerification", "UserAuthentication"}}}},
	{"management", "no Identity Center management events (sso, sso-directory, identitystore: is the Identity Center home region in the input?)", []cloudtrail.Interest{
		{Source: idc.SourceSSO}, {Source: idc.SourceDirectory}, {Source: idc.SourceIdentityStore}, {Source: idc.SourceSCIM}}},
	{"organizations", "no Organizations events (organizations.amazonaws.com: logged in the management account)", []cloudtrail.Interest{
		{Source: idc.SourceOrganizations}}},
	{"iam", "no IAM events (iam.amazonaws.com: logged in us-east-1)", []cloudtrail.Interest{
		{Source: "iam.amazonaws.com"}}},
}

// EventKinds lists the kinds a hunt's coverage line reports, in order.
func EventKinds() []EventKind { return slices.Clone(eventKinds) }

// NewCensus counts the event kinds of an input (scan.Options.Census); bit
// k of what it reports is EventKinds()[k].
func NewCensus() *cloudtrail.Census {
	ks := make([][]cloudtrail.Interest, len(eventKinds))
	for i, k := range eventKinds {
		ks[i] = k.In
	}
	return cloudtrail.NewCensus(ks)
}

// Gap is a kind of record an input lacks and the rules that needed it.
type Gap struct {
	Kind  EventKind
	Rules []string // rule ids, sorted
}

// Coverage says which finding-raising rules could not work on an input
// whose census saw the kinds in seen. A rule needs the kinds its scope
// reaches: a plain rule works when any of them is present, a correlation
// when every rule it joins works. Rules that can match any record, and
// kinds that no rule of the set reaches, are never gaps.
func (e *Engine) Coverage(seen uint64) []Gap {
	census := NewCensus()
	needs := map[string]uint64{} // rule name or id -> kinds its scope reaches
	for _, r := range e.plainRules() {
		needs[ruleKey(r)] = kindsOf(census, r.scope)
	}
	missing := map[int][]string{}
	note := func(id string, kinds uint64) {
		for k := range eventKinds {
			if kinds&(1<<k) != 0 && seen&(1<<k) == 0 {
				missing[k] = append(missing[k], id)
			}
		}
	}
	for _, r := range e.plainRules() {
		if n := needs[ruleKey(r)]; r.Generates() && n != 0 && n&seen == 0 {
			note(r.Portcullis.ID, n)
		}
	}
	for _, c := range e.corrs {
		var lacking uint64
		for _, name := range c.Correlation.Rules {
			if n := needs[name]; n != 0 && n&seen == 0 {
				lacking |= n
			}
		}
		if lacking != 0 {
			note(c.Portcullis.ID, lacking)
		}
	}
	var out []Gap
	for k, ids := range missing {
		slices.Sort(ids)
		out = append(out, Gap{Kind: eventKinds[k], Rules: slices.Compact(ids)})
	}
	slices.SortFunc(out, func(a, b Gap) int { return kindIndex(a.Kind.Name) - kindIndex(b.Kind.Name) })
	return out
}

func ruleKey(r *Rule) string {
	if r.Name != "" {
		return r.Name
	}
	return r.Portcullis.ID
}

func kindIndex(name string) int {
	return slices.IndexFunc(eventKinds, func(k EventKind) bool { return k.Name == name })
}

// kindsOf classifies every (source, name) a scope reaches. A source with
// every name (or name prefixes, which scopes do not keep) reaches the kind
// that takes the rest of that source — management for sso.amazonaws.com,
// not its portal reads — or, when no kind does, every kind of the source.
func kindsOf(c *cloudtrail.Census, s scope) uint64 {
	if s == nil {
		return 0
	}
	var out uint64
	for src, names := range s {
		if len(names) == 0 {
			var rest, any uint64
			for k, kind := range eventKinds {
				for _, in := range kind.In {
					if strings.EqualFold(in.Source, src) {
						any |= 1 << k
						if len(in.Names) == 0 {
							rest |= 1 << k
						}
					}
				}
			}
			if rest == 0 {
				rest = any
			}
			out |= rest
			continue
		}
		for n := range names {
			out |= c.Event(&cloudtrail.Event{Source: src, Name: n})
		}
	}
	return out
}

// CoverageReport renders gaps as a hunt prints them on stderr: one line
// saying how many rules could not work, then one line per missing kind
// ("" when nothing is missing).
func CoverageReport(gaps []Gap) string {
	if len(gaps) == 0 {
		return ""
	}
	ids := map[string]bool{}
	var b strings.Builder
	for _, g := range gaps {
		for _, id := range g.Rules {
			ids[id] = true
		}
		list, more := g.Rules, ""
		if len(list) > 5 {
			list, more = list[:5], fmt.Sprintf(" and %d more", len(g.Rules)-5)
		}
		fmt.Fprintf(&b, "\n  %s: %s%s", g.Kind.Absent, strings.Join(list, ", "), more)
	}
	return fmt.Sprintf("coverage: %d rules could not work on this input:%s", len(ids), b.String())
}
