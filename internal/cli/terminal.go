package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/table"
)

// colorModes are the --color values.
var colorModes = []string{"auto", "always", "never"}

// terminalOut is stdout as the table package sees it: its width (0: do
// not fit) and whether to colour severities.
type terminalOut struct {
	io.Writer
	width int
	color bool
}

func (t terminalOut) Width() int  { return t.width }
func (t terminalOut) Color() bool { return t.color }

var _ table.Terminal = terminalOut{}

// terminal decides what tables on stdout may do. Only a terminal gets
// fitted tables (a pipe or a file keeps every character): COLUMNS, else
// the terminal's size. Colour: --color always or never, else (auto) on a
// terminal unless NO_COLOR is set or TERM is dumb.
func (a *App) terminal(mode string) (terminalOut, error) {
	t := terminalOut{Writer: a.Stdout}
	switch mode {
	case "always":
		t.color = true
	case "never":
	case "auto":
		t.color = a.StdoutTTY && a.Getenv("NO_COLOR") == "" && a.Getenv("TERM") != "dumb"
	default:
		return t, fmt.Errorf("--color: want %s, got %q", strings.Join(colorModes, ", "), mode)
	}
	if a.StdoutTTY {
		if n, err := strconv.Atoi(strings.TrimSpace(a.Getenv("COLUMNS"))); err == nil && n > 0 {
			t.width = n
		} else if a.StdoutWidth != nil {
			t.width = a.StdoutWidth()
		}
	}
	return t, nil
}
