package athena

import (
	"context"
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/hunt"
)

// HuntOptions say what to hunt and how.
type HuntOptions struct {
	Table  Table // Catalog/Database/Name; Describe fills the rest
	Window Window
	// Describe reads the table's columns and partitions first
	// (GetTableMetadata), so a table built from an older guide still works
	// and a missing table is reported before a query is billed.
	Describe bool
	Hunt     hunt.Options // rules, config, snapshot, OnError
	// OnQuery hears the query before it starts.
	OnQuery func(Query)
	// Warn hears what the table lacks (a person should know).
	Warn func(string)
}

// Plan writes the query a hunt sends, without calling AWS.
func Plan(o HuntOptions) (Query, error) {
	interest, err := hunt.Interest(o.Hunt)
	if err != nil {
		return Query{}, err
	}
	return BuildQuery(o.Table, o.Window, interest)
}

// Hunt runs the rule pack over the table in Athena: one query with the
// prefilter and the window pushed down, its rows rebuilt as records and fed
// in eventtime order to the same engine as a local hunt.
func (r *Runner) Hunt(ctx context.Context, o HuntOptions) (*hunt.Result, Status, error) {
	if o.Describe {
		t, params, err := r.Describe(ctx, o.Table.Name)
		if err != nil {
			return nil, Status{}, err
		}
		t.Catalog = o.Table.Catalog
		o.Table = t
		if err := checkTable(t, params, o.Window, o.Warn); err != nil {
			return nil, Status{}, err
		}
	}
	q, err := Plan(o)
	if err != nil {
		return nil, Status{}, err
	}
	if o.OnQuery != nil {
		o.OnQuery(q)
	}
	// The hunt applies the exact time window; the query's is a superset.
	o.Hunt.Filter.Since, o.Hunt.Filter.Until = o.Window.Since, o.Window.Until
	var st Status
	res, err := hunt.RunEvents(ctx, o.Hunt, r.Events(ctx, q, &st))
	return res, st, err
}

// checkTable refuses queries Athena would refuse after billing, and warns
// about standard columns the table lacks.
func checkTable(t Table, params map[string]string, w Window, warn func(string)) error {
	if params["projection.enabled"] == "true" {
		for _, p := range []struct {
			key   string
			set   []string
			flags string
		}{{PartAccount, w.Accounts, "--account"}, {PartRegion, w.Regions, "--region"}} {
			if params["projection."+p.key+".type"] == "injected" && len(p.set) == 0 {
				return fmt.Errorf("athena: table %s.%s projects %q as injected: every query must name it; pass %s (or recreate the table with portcullis athena ddl --accounts …)",
					t.Database, t.Name, p.key, p.flags)
			}
		}
	}
	if warn == nil {
		return nil
	}
	var missing []string
	for _, c := range Columns {
		found := false
		for _, tc := range t.Columns {
			found = found || tc.Name == c.Name
		}
		if !found {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		warn(fmt.Sprintf("table %s.%s lacks standard columns %s: records come back without them (portcullis athena ddl prints the full table)",
			t.Database, t.Name, strings.Join(missing, ", ")))
	}
	if len(t.PartitionKeys) > 0 && !containsStr(t.PartitionKeys, PartTimestamp) {
		warn(fmt.Sprintf("table %s.%s has no %q partition: Athena reads every day of the trail", t.Database, t.Name, PartTimestamp))
	}
	return nil
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
