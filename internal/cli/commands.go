package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/source/s3source"
)

// extraCommands are the commands built on the Identity Center model and the
// streaming inputs.
func (a *App) extraCommands() []*cobra.Command {
	return []*cobra.Command{a.snapshotCmd(), a.accessCmd(),
		a.diffCmd(), a.reconcileCmd(), a.postureCmd(), a.containCmd(),
		a.watchCmd(), a.findingsCmd(), a.athenaCmd(), a.serveCmd()}
}

// listS3 lists CloudTrail objects under an s3:// URL (org, single-account
// and Control Tower layouts; days outside the window skipped by StartAfter).
func (a *App) listS3(ctx context.Context, url string, f source.Filter, af cloudFlags) ([]source.Object, error) {
	cfg, err := af.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	objs, st, err := s3source.List(ctx, af.s3Client(cfg), url, s3source.Options{Filter: f})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.Stderr, "%s: %d objects to read (%+v)\n", url, len(objs), st)
	return objs, nil
}
