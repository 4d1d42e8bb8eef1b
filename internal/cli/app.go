// Package cli holds portcullis' commands. Commands are functions of an App
// (their I/O and clock), so tests run them in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/portcullis-sec/portcullis/internal/version"
)

// Exit codes (documented in the README).
const (
	ExitOK       = 0
	ExitError    = 1 // bad flags, bad config, fatal error
	ExitBadInput = 2 // finished, but some input could not be read
	ExitFindings = 3 // finished, and findings/drift at or above the gate were found
)

// ExitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// withCode makes a command end with a specific exit status.
func withCode(code int, format string, a ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, a...)}
}

// App is what commands read and write.
type App struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// StdoutTTY / StderrTTY say whether the streams are terminals (tables
	// and progress lines only go to terminals).
	StdoutTTY, StderrTTY bool
	StdinTTY             bool
	// StdoutWidth is the terminal's width in columns (nil or 0: unknown).
	StdoutWidth func() int
}

// OSApp is the App for the real process.
func OSApp() *App {
	return &App{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now,
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutWidth: func() int {
			w, _, err := term.GetSize(int(os.Stdout.Fd()))
			if err != nil {
				return 0
			}
			return w
		},
	}
}

// Run executes the command line and returns the exit status.
func (a *App) Run(ctx context.Context, args []string) int {
	root := a.Root()
	root.SetArgs(args)
	root.SetIn(a.Stdin)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(a.Stderr, "portcullis:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(a.Stderr, "portcullis:", err)
	return ExitError
}

// Root builds the command tree.
func (a *App) Root() *cobra.Command {
	root := &cobra.Command{
		Use:           "portcullis",
		Short:         "Detection and response for AWS IAM Identity Center",
		Long:          "portcullis hunts CloudTrail for Identity Center persistence, maps who can reach which account, reconciles against a baseline and contains what it finds.",
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	color := "auto"
	root.PersistentFlags().StringVar(&color, "color", color, "colour severities in tables: auto (on a terminal, unless NO_COLOR is set), always or never")
	// Every command writes its tables through stdout as the terminal
	// allows (width, colour); see terminal.
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		out, err := a.terminal(color)
		if err != nil {
			return err
		}
		a.Stdout = out
		return nil
	}
	root.AddCommand(
		a.huntCmd(),
		a.rulesCmd(),
		a.simulateCmd(),
		a.demoCmd(),
		a.versionCmd(),
	)
	for _, extra := range a.extraCommands() {
		root.AddCommand(extra)
	}
	return root
}
