package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// anonymous is a record whose actor nothing identifies.
const anonymous = `{"eventVersion":"1.08","eventTime":"2026-11-02T10:00:00Z","eventSource":"sso.amazonaws.com","eventName":"DeletePermissionsBoundaryFromPermissionSet",` +
	`"awsRegion":"us-east-1","recipientAccountId":"111111111111","eventID":"evt-anon","requestParameters":{"permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1"}}`

// TestTablesOnATerminal: on a terminal tables fit COLUMNS and severities
// are coloured; NO_COLOR, --color never and pipes get plain text; an
// actor nobody can name reads "unknown" in the table and the summary.
func TestTablesOnATerminal(t *testing.T) {
	stdin := strings.Repeat(record(1, "DeletePermissionsBoundaryFromPermissionSet")+"\n", 1) + anonymous + "\n"
	const red = "\x1b[31mHIGH\x1b[0m"
	for _, tc := range []struct {
		name      string
		tty       bool
		env       map[string]string
		args      []string
		color     bool
		maxWidth  int // 0: not fitted
		wantError bool
	}{
		{"terminal", true, map[string]string{"COLUMNS": "100"}, nil, true, 100, false},
		{"narrow terminal", true, map[string]string{"COLUMNS": "60"}, nil, true, 60, false},
		{"NO_COLOR", true, map[string]string{"COLUMNS": "100", "NO_COLOR": "1"}, nil, false, 100, false},
		{"--color never", true, map[string]string{"COLUMNS": "100"}, []string{"--color", "never"}, false, 100, false},
		{"a pipe", false, map[string]string{"COLUMNS": "60"}, nil, false, 0, false},
		{"--color always into a pipe", false, nil, []string{"--color", "always"}, true, 0, false},
		{"--color bogus", true, nil, []string{"--color", "bogus"}, false, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"hunt", "-q", "--format", "table", "-"}, tc.args...)
			r := session{stdin: stdin, stdoutTTY: tc.tty, env: tc.env}.run(t, args...)
			if tc.wantError {
				if r.code != ExitError || !strings.Contains(r.stderr, "--color: want auto, always, never") {
					t.Errorf("exit %d: %s", r.code, r.stderr)
				}
				return
			}
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if got := strings.Contains(r.stdout, red); got != tc.color {
				t.Errorf("coloured %t, want %t:\n%q", got, tc.color, r.stdout)
			}
			plain := strings.NewReplacer("\x1b[31m", "", "\x1b[0m", "").Replace(r.stdout)
			widest := 0
			for _, l := range strings.Split(plain, "\n") {
				widest = max(widest, utf8.RuneCountInString(l))
			}
			if tc.maxWidth > 0 && widest > tc.maxWidth {
				t.Errorf("a line of %d columns on a %d-column terminal:\n%s", widest, tc.maxWidth, plain)
			}
			if tc.maxWidth == 0 && widest <= 60 {
				t.Errorf("not a terminal, yet the table was cut to %d columns:\n%s", widest, plain)
			}
			if tc.maxWidth == 0 && !strings.Contains(plain, "  unknown  ") {
				t.Errorf("the anonymous actor does not read unknown:\n%s", plain)
			}
		})
	}
	r := session{stdin: anonymous + "\n"}.run(t, "hunt", "--format", "jsonl", "-")
	if !strings.Contains(r.stdout, `"summary":"unknown removed the permissions boundary`) {
		t.Errorf("the summary does not name the actor unknown: %s", r.stdout)
	}
}
