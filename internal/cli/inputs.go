package cli

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

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
