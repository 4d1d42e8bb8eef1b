package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// outputHelp is the --output flag's help, the same on every command.
const outputHelp = "write the report to this file instead of stdout (atomically: a complete file or none)"

// addOutput registers --output on a command that writes a report.
func addOutput(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "output", "", outputHelp)
}

// writeOutput runs write on stdout ("" or "-"), or on a temporary file
// beside path that is renamed over it once write and the close succeed: a
// failed run never leaves a half-written report where a good one was. The
// file is created with mode 0600 (reports name people and grants).
func (a *App) writeOutput(path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(a.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	return nil
}
