package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// resolveInputs splits hunt arguments into local paths, stdin ("-", read
// from the App so tests and embedders can feed it) and objects listed from
// remote stores (s3://).
func (a *App) resolveInputs(cmd *cobra.Command, args []string, f source.Filter, af cloudFlags) ([]string, []source.Object, error) {
	var paths []string
	var objs []source.Object
	for _, arg := range args {
		if arg == "-" {
			in := a.Stdin
			objs = append(objs, source.Object{Name: source.StdinName, Size: -1,
				Open: func(ctx context.Context) (io.ReadCloser, error) {
					// A read blocked on a pipe or terminal gives way to SIGINT/SIGTERM.
					return io.NopCloser(source.ContextReader(ctx, in)), nil
				}})
			continue
		}
		if strings.HasPrefix(arg, "s3://") {
			o, err := a.listS3(cmd.Context(), arg, f, af)
			if err != nil {
				return nil, nil, err
			}
			objs = append(objs, o...)
			continue
		}
		paths = append(paths, arg)
	}
	return paths, objs, nil
}

// timeWindow reads --since and --until (source.ParseTimeArg). A window
// that cannot hold anything (--since at or after --until) is an error, not
// an empty result.
func timeWindow(since, until string, now time.Time) (from, to time.Time, err error) {
	if since != "" {
		if from, err = source.ParseTimeArg(since, now); err != nil {
			return from, to, fmt.Errorf("--since: %w", err)
		}
	}
	if until != "" {
		if to, err = source.ParseTimeArg(until, now); err != nil {
			return from, to, fmt.Errorf("--until: %w", err)
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, fmt.Errorf("--since %s is not before --until %s: the window holds nothing", stamp(from), stamp(to))
	}
	return from, to, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// noteEmptyWindow says on stderr when a time window left nothing to read:
// no file in it, or no record, with how much fell outside.
func (a *App) noteEmptyWindow(f source.Filter, ws source.WalkStats, st scan.Stats) {
	if f.Since.IsZero() && f.Until.IsZero() {
		return
	}
	win := "[" + orOpen(f.Since) + ", " + orOpen(f.Until) + ")"
	files, dirs := ws.Skipped[reasonOutside], ws.PrunedDirs[reasonOutside]
	switch {
	case st.Files == 0 && files+dirs > 0:
		fmt.Fprintf(a.Stderr, "portcullis: no file in the window %s: %d file(s) and %d day folder(s) outside it\n", win, files, dirs)
	case st.Records > 0 && st.Matched == 0 && st.Skipped[reasonOutside] > 0:
		fmt.Fprintf(a.Stderr, "portcullis: no record in the window %s: %d record(s) read fall outside it\n", win, st.Skipped[reasonOutside])
	}
}

// reasonOutside is the skip reason walk and scan share for the window.
const reasonOutside = scan.SkipOutsideWindow

func orOpen(t time.Time) string {
	if t.IsZero() {
		return "…"
	}
	return stamp(t)
}

// noteUnlaid says that --account/--region reach the records of objects
// whose path has no org-trail layout by their fields only.
func (a *App) noteUnlaid(f source.Filter, n int, first string) {
	if n == 0 || len(f.Accounts)+len(f.Regions) == 0 {
		return
	}
	fmt.Fprintf(a.Stderr, "portcullis: %d input(s) have no AWSLogs/ACCOUNT/CloudTrail/REGION/ path (e.g. %s): --account and --region filter their records by recipientAccountId and awsRegion\n", n, first)
}
