package hunt

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Interest is what the rule pack wants from a trail (event sources, names,
// name prefixes, byte strings): the prefilter a remote source pushes down,
// so it returns only records a rule may match.
func Interest(o Options) ([]cloudtrail.Interest, error) {
	eng, err := o.engine()
	if err != nil {
		return nil, err
	}
	return eng.Interest(), nil
}

// RunEvents hunts events another system selected (Athena rows rebuilt as
// records): the same engine as Run — enrichment, rules, correlations,
// severity — without the file scan. events must come in eventTime order;
// o.Filter's time window is applied as Run applies it (records without
// eventTime are kept), its accounts and regions are the source's business.
//
// A *cloudtrail.DecodeError from events is an input error: it is counted,
// passed to o.OnError, and the hunt goes on. Any other error ends the hunt
// and is returned with what was found so far.
func RunEvents(ctx context.Context, o Options, events iter.Seq2[*cloudtrail.Event, error]) (*Result, error) {
	start := time.Now()
	eng, err := o.engine()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for ev, err := range events {
		if err != nil {
			var de *cloudtrail.DecodeError
			if errors.As(err, &de) {
				res.InputErrors++
				if o.OnError != nil {
					o.OnError(err)
				}
				continue
			}
			res.finish(eng, start)
			return res, err
		}
		if cerr := ctx.Err(); cerr != nil {
			res.finish(eng, start)
			return res, fmt.Errorf("hunt: %w", cerr)
		}
		res.Events++
		if !inWindow(ev.Time, o.Filter.Since, o.Filter.Until) {
			continue
		}
		res.Findings = append(res.Findings, eng.Process(ev)...)
	}
	res.finish(eng, start)
	return res, nil
}

// inWindow is the scan's time test: Since inclusive, Until exclusive, an
// unknown time kept.
func inWindow(t, since, until time.Time) bool {
	if t.IsZero() {
		return true
	}
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
}
