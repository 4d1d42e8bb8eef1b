package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/source"
)

// extraCommands are the commands built on the Identity Center model and the
// streaming inputs.
func (a *App) extraCommands() []*cobra.Command {
	return []*cobra.Command{a.snapshotCmd(), a.accessCmd(),
		a.diffCmd(), a.reconcileCmd(), a.postureCmd(), a.containCmd()}
}

// listS3 lists CloudTrail objects under an s3:// URL.
func (a *App) listS3(ctx context.Context, url string, f source.Filter) ([]source.Object, error) {
	return nil, fmt.Errorf("%s: S3 input is not available in this build yet", url)
}
