package simulate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// Run writes the trail, the digests, portcullis.yaml and the truth file.
func Run(ctx context.Context, opt Options) (Summary, error) {
	opt, err := opt.normalize()
	if err != nil {
		return Summary{}, err
	}
	o := newOrg(opt.Seed, opt.Accounts, opt.Regions, opt.OrgID)
	start := opt.Start.Unix()
	end := opt.Start.Add(time.Duration(opt.Days) * 24 * time.Hour).Unix()

	p := newPlanter(o, opt.Seed, start, end)
	p.routine(opt.Days)
	p.attacks(opt.Scenarios)
	slices.SortStableFunc(p.steps, func(a, b Step) int { return a.Time.Compare(b.Time) })

	files := plan(opt, o, newMixes(), p.out, start, end)
	nameFiles(files, o.id, rand.New(rand.NewPCG(uint64(opt.Seed), 0x6e616d65))) // "name"

	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("simulate: create %s: %w", opt.Out, err)
	}
	results := make([]fileResult, len(files))
	pool := newWriterPool()
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(opt.Workers)
	for i, f := range files {
		eg.Go(func() error {
			res, err := writeFile(ectx, opt.Out, f, i, opt.Seed, o, pool)
			results[i] = res // each goroutine owns its own slot
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return Summary{}, err
	}

	sum := Summary{Files: len(files), Attacks: p.steps}
	for _, r := range results {
		sum.Records += r.records
		sum.Bytes += r.bytes
		sum.CompressedBytes += r.compressed
	}
	if err := writeDigests(opt.Out, o, files, results, opt.Days, start); err != nil {
		return Summary{}, err
	}
	sum.ConfigPath = filepath.Join(opt.Out, "portcullis.yaml")
	if err := writeConfig(sum.ConfigPath, o, opt.Seed); err != nil {
		return Summary{}, err
	}
	sum.TruthPath = filepath.Join(opt.Out, ".portcullis-truth.json")
	if err := writeTruth(sum.TruthPath, p.steps); err != nil {
		return Summary{}, err
	}
	return sum, nil
}
