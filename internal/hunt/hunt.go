// Package hunt runs the rule pack over CloudTrail: sources → scan (split,
// prefilter, decode) → detect → findings. The CLI and the demo call it.
package hunt

import (
	"context"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// Options configure one hunt.
type Options struct {
	Paths    []string        // files, directories, "-" for stdin
	Objects  []source.Object // extra objects (e.g. listed from S3)
	Filter   source.Filter
	Workers  int
	Config   *config.Config
	Rules    *detect.RuleSet
	Snapshot *idc.Model // starting state for enrichment; nil = empty
	// OnError receives every unreadable file or record (one goroutine).
	OnError  func(error)
	Progress func(scan.Stats)
	// NoPrefilter decodes every record (for debugging the prefilter).
	NoPrefilter bool
	// Caps on one object's decompressed size and one record (0: the
	// defaults of package cloudtrail).
	MaxObjectBytes, MaxRecordBytes int64
}

// Result is what a hunt found and how much it read.
type Result struct {
	Findings    []finding.Finding
	Scan        scan.Stats
	Walk        source.WalkStats
	InputErrors int
	ApplyErrors []error
	Elapsed     time.Duration
	State       *idc.Model
	// Coverage lists the kinds of record the input lacked and the rules
	// that therefore could not work on it.
	Coverage []detect.Gap
	// Events counts the events RunEvents received (Scan stays zero there).
	Events int64
	// Unlaid counts the objects whose path says no account or region
	// (stdin, flat folders): Filter.Accounts/Regions reach their records
	// only by field. FirstUnlaid names one.
	Unlaid      int
	FirstUnlaid string
}

// Run hunts the inputs.
func Run(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	eng, err := o.engine()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	onErr := func(err error) {
		res.InputErrors++
		if o.OnError != nil {
			o.OnError(err)
		}
	}
	objs := append([]source.Object(nil), o.Objects...)
	if len(o.Paths) > 0 {
		ws, err := source.Walk(ctx, o.Paths, o.Filter, func(obj source.Object) error {
			objs = append(objs, obj)
			return nil
		})
		res.Walk = ws
		if err != nil {
			// Unreadable paths are input errors: the rest is still hunted,
			// and the exit status says something could not be read.
			if ctx.Err() != nil {
				return nil, err
			}
			onErr(err)
		}
	}
	for _, obj := range objs {
		if obj.Key.Account == "" || obj.Key.Region == "" {
			if res.Unlaid++; res.FirstUnlaid == "" {
				res.FirstUnlaid = obj.Name
			}
		}
	}
	keep, dropped := recordFilter(o.Filter)
	var pf *cloudtrail.Prefilter
	if !o.NoPrefilter {
		pf = cloudtrail.NewPrefilter(eng.Interest())
	}
	stats, err := scan.Run(ctx, objs, scan.Options{
		Workers:        o.Workers,
		Prefilter:      pf,
		Census:         detect.NewCensus(),
		Since:          o.Filter.Since,
		Until:          o.Filter.Until,
		MaxObjectBytes: o.MaxObjectBytes,
		MaxRecordBytes: o.MaxRecordBytes,
		OnError:        onErr,
		Progress:       o.Progress,
	}, func(batch []*cloudtrail.Event) error {
		for _, ev := range batch {
			if keep(ev) {
				res.Findings = append(res.Findings, eng.Process(ev)...)
			}
		}
		return ctx.Err()
	})
	for reason, n := range dropped {
		if n > 0 {
			if stats.Skipped == nil {
				stats.Skipped = map[string]int64{}
			}
			stats.Skipped[reason] += n
		}
	}
	res.Scan = stats
	if err != nil {
		return res, fmt.Errorf("scan: %w", err)
	}
	res.finish(eng, start, stats.Kinds)
	return res, nil
}

// engine binds the rules to the config and starting state.
func (o *Options) engine() (*detect.Engine, error) {
	if o.Config == nil {
		o.Config = config.Default()
	}
	if o.Rules == nil {
		rs, err := detect.Builtin()
		if err != nil {
			return nil, err
		}
		o.Rules = rs
	}
	return detect.NewEngine(o.Rules, o.Config, o.Snapshot)
}

// finish sorts and dedupes the findings and records the engine's state
// and what the input lacked (kinds: the detect.NewCensus kinds it held).
func (res *Result) finish(eng *detect.Engine, start time.Time, kinds uint64) {
	finding.Sort(res.Findings)
	res.Findings = dedupe(res.Findings)
	res.ApplyErrors = eng.ApplyErrors
	res.Coverage = eng.Coverage(kinds)
	res.State = eng.State()
	res.Elapsed = time.Since(start)
}

// dedupe drops repeated ids: the same record delivered twice (overlapping
// inputs, redelivered events) raises one finding.
func dedupe(fs []finding.Finding) []finding.Finding {
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if !seen[f.ID] {
			seen[f.ID] = true
			out = append(out, f)
		}
	}
	return out
}

// recordFilter applies Filter.Accounts and Filter.Regions to each record's
// recipientAccountId and awsRegion: paths prune org-trail folders, but
// stdin, flat folders and renamed files say nothing, and the flags must
// not silently do nothing there. A record without the field is kept, as a
// record without eventTime is kept by the time window. dropped counts
// records by reason ("account", "region") once the scan is done.
func recordFilter(f source.Filter) (keep func(*cloudtrail.Event) bool, dropped map[string]int64) {
	dropped = map[string]int64{"account": 0, "region": 0}
	return func(ev *cloudtrail.Event) bool {
		switch {
		case !f.KeepAccount(ev.Account):
			dropped["account"]++
			return false
		case !f.KeepRegion(ev.Region):
			dropped["region"]++
			return false
		}
		return true
	}, dropped
}
