// Package simulate writes synthetic organization CloudTrail trails: benign
// background traffic from many services and accounts, the identity admins'
// routine Identity Center work, and planted attack stories whose records are
// listed, with the rule that must fire on each, in a truth file.
//
// Output is a function of the options alone: the same seed and options give
// byte-identical files whatever the number of workers.
//
// Layout under Out:
//
//	AWSLogs/<org>/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<16 alnum>.json.gz
//	AWSLogs/<org>/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_… (readers skip these)
//	portcullis.yaml          the config a hunt over this trail should use
//	.portcullis-truth.json   JSON array of Step: planted records and the rule that must fire on each
//
// Each log object is a gzipped compact {"Records":[…]} with no trailing
// newline, records in time order, covering at most six hours and never
// crossing midnight. The organization (account ids, users, groups,
// permission sets, actors) depends on Seed alone, not on volume.
package simulate

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Options says what to write. Zero values take the documented defaults.
type Options struct {
	Out       string    // output directory (created; files already there are left alone)
	Events    int64     // total records to write; wins over Size when both are set
	Size      int64     // approximate total uncompressed JSON bytes
	Seed      int64     // same seed and options => byte-identical output
	Scenarios []string  // attack scenarios to plant; "all" = every one; nil = benign only
	Accounts  int       // member accounts (default 12), plus management and security accounts
	Regions   []string  // default us-east-1, eu-west-1, us-west-2
	Start     time.Time // first day (default 2026-11-01T00:00Z; never time.Now, for reproducibility)
	Days      int       // default 3
	OrgID     string    // default derived from Seed, like "o-a1b2c3d4e5"
	Workers   int       // files written in parallel (default GOMAXPROCS)
}

// Summary describes what Run wrote. Files, Records and Bytes count CloudTrail
// log objects only (not digests); Bytes is uncompressed JSON.
type Summary struct {
	Files           int
	Records         int64
	Bytes           int64
	CompressedBytes int64
	Attacks         []Step
	ConfigPath      string
	TruthPath       string
}

// Step is one planted attack record and the rule id that must fire on it.
type Step struct {
	Scenario    string    `json:"scenario"`
	Rule        string    `json:"rule"`
	EventID     string    `json:"event_id"`
	EventName   string    `json:"event_name"`
	EventSource string    `json:"event_source"`
	Account     string    `json:"account"`
	Time        time.Time `json:"time"`
}

const (
	defaultEvents   = 20_000
	defaultAccounts = 12
	defaultDays     = 3
)

// defaultStart is fixed, never time.Now, so runs are reproducible.
func defaultStart() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }

func (o Options) normalize() (Options, error) {
	if o.Out == "" {
		return o, errors.New("simulate: output directory is empty")
	}
	if o.Events < 0 || o.Size < 0 || o.Accounts < 0 || o.Days < 0 || o.Workers < 0 {
		return o, errors.New("simulate: events, size, accounts, days and workers must not be negative")
	}
	if o.Events == 0 && o.Size == 0 {
		o.Events = defaultEvents
	}
	if o.Accounts == 0 {
		o.Accounts = defaultAccounts
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1", "eu-west-1", "us-west-2"}
	}
	seen := map[string]bool{}
	for _, r := range o.Regions {
		if !validRegion(r) || seen[r] {
			return o, fmt.Errorf("simulate: bad or repeated region %q", r)
		}
		seen[r] = true
	}
	if o.Start.IsZero() {
		o.Start = defaultStart()
	}
	o.Start = o.Start.UTC().Truncate(24 * time.Hour)
	if o.Days == 0 {
		o.Days = defaultDays
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.OrgID != "" && !validOrgID(o.OrgID) {
		return o, fmt.Errorf("simulate: bad organization id %q (want o- and 10 to 32 lowercase letters or digits)", o.OrgID)
	}
	names, err := selectScenarios(o.Scenarios)
	if err != nil {
		return o, err
	}
	o.Scenarios = names
	return o, nil
}

func validRegion(r string) bool {
	if len(r) < 6 || len(r) > 25 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validOrgID(s string) bool {
	if len(s) < 12 || len(s) > 34 || s[:2] != "o-" {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// selectScenarios resolves "all", drops repeats and rejects unknown names,
// keeping the canonical order so output does not depend on flag order.
func selectScenarios(in []string) ([]string, error) {
	all := ScenarioNames()
	want := map[string]bool{}
	for _, s := range in {
		switch {
		case s == "all":
			for _, n := range all {
				want[n] = true
			}
		case slices.Contains(all, s):
			want[s] = true
		default:
			return nil, fmt.Errorf("simulate: unknown scenario %q (known: all, %v)", s, all)
		}
	}
	var out []string
	for _, n := range all {
		if want[n] {
			out = append(out, n)
		}
	}
	return out, nil
}
