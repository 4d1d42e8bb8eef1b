package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	long := func(n int, change map[int]string) string {
		var sb strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := change[i]; ok {
				sb.WriteString(s + "\n")
				continue
			}
			fmt.Fprintf(&sb, "line %d\n", i)
		}
		return sb.String()
	}
	tests := []struct {
		name, want, got, diff string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n",
			"--- want\n+++ got\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"line added at the end", "a\n", "a\nb\n",
			"--- want\n+++ got\n@@ -1,1 +1,2 @@\n a\n+b\n"},
		{"missing final newline", "a\nb\n", "a\nb",
			"--- want\n+++ got\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n"},
		{"from nothing", "", "x\n", "--- want\n+++ got\n@@ -1,0 +1,1 @@\n+x\n"},
		{"context is cut to three lines", long(20, nil), long(20, map[int]string{10: "ten"}),
			"--- want\n+++ got\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+ten\n line 11\n line 12\n line 13\n"},
		{"far changes are two hunks", long(30, nil), long(30, map[int]string{3: "three", 25: "twenty-five"}),
			"--- want\n+++ got\n@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+three\n line 4\n line 5\n line 6\n" +
				"@@ -22,7 +22,7 @@\n line 22\n line 23\n line 24\n-line 25\n+twenty-five\n line 26\n line 27\n line 28\n"},
		{"near changes are one hunk", long(12, nil), long(12, map[int]string{2: "two", 9: "nine"}),
			"--- want\n+++ got\n@@ -1,12 +1,12 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n line 6\n line 7\n line 8\n-line 9\n+nine\n line 10\n line 11\n line 12\n"},
		{"moved line", "a\nb\nc\n", "b\nc\na\n",
			"--- want\n+++ got\n@@ -1,3 +1,3 @@\n-a\n b\n c\n+a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.want, tt.got); got != tt.diff {
				t.Errorf("Diff =\n%s\nwant\n%s", got, tt.diff)
			}
		})
	}
}

// recorder stands in for *testing.T so a failing comparison can be seen.
type recorder struct {
	testing.TB
	errors []string
}

type fatal struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) { r.Errorf(format, a...); panic(fatal{}) }

// do runs one check, stopping at a Fatalf as the test would.
func (r *recorder) do(check func(testing.TB)) {
	defer func() {
		if p := recover(); p != nil && p != (fatal{}) {
			panic(p)
		}
	}()
	check(r)
}

func TestCheckReportsTheDiff(t *testing.T) {
	if Updating() {
		t.Skip("compares on purpose")
	}
	path := filepath.Join(t.TempDir(), "out.golden")
	if err := os.WriteFile(path, []byte("a\nb\nc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	r.do(func(tb testing.TB) { Check(tb, path, []byte("a\nb\nc\n")) })
	if len(r.errors) != 0 {
		t.Fatalf("equal output reported: %v", r.errors)
	}
	r.do(func(tb testing.TB) { Check(tb, path, []byte("a\nX\nc\n")) })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], path) || !strings.Contains(r.errors[0], "-b\n+X\n") {
		t.Errorf("mismatch report %q should name the file and show the changed line", r.errors)
	}
	r.do(func(tb testing.TB) { Check(tb, filepath.Join(t.TempDir(), "missing.golden"), nil) })
	if len(r.errors) != 2 || !strings.Contains(r.errors[1], "-update") {
		t.Errorf("missing file report %q should say how to create it", r.errors)
	}
}

func TestSection(t *testing.T) {
	if Updating() {
		t.Skip("compares on purpose")
	}
	path := filepath.Join(t.TempDir(), "README.md")
	const doc = "intro\n<!-- t:begin -->\n| a |\n<!-- t:end -->\noutro\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	r.do(func(tb testing.TB) { Section(tb, path, "<!-- t:begin -->\n", "<!-- t:end -->", "| a |\n") })
	if len(r.errors) != 0 {
		t.Fatalf("current section reported: %v", r.errors)
	}
	r.do(func(tb testing.TB) { Section(tb, path, "<!-- t:begin -->\n", "<!-- t:end -->", "| b |\n") })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "stale") || !strings.Contains(r.errors[0], "-| a |\n+| b |\n") {
		t.Errorf("stale section report %q should show the change", r.errors)
	}
	r.do(func(tb testing.TB) { Section(tb, path, "<!-- x:begin -->\n", "<!-- x:end -->", "") })
	if len(r.errors) != 2 || !strings.Contains(r.errors[1], "lacks the markers") {
		t.Errorf("missing markers report %q", r.errors)
	}
}

func TestSectionUpdateKeepsTheRest(t *testing.T) {
	*update = true
	defer func() { *update = false }()
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte("intro\n<!-- t:begin -->\nold\n<!-- t:end -->\noutro\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Section(t, path, "<!-- t:begin -->\n", "<!-- t:end -->", "new\nrows\n")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n<!-- t:begin -->\nnew\nrows\n<!-- t:end -->\noutro\n"; string(b) != want {
		t.Errorf("rewritten file %q, want %q", b, want)
	}
}

// FuzzDiff: the edit script keeps every line of both sides in order, so
// its " " and "-" lines rebuild want and its " " and "+" lines rebuild got;
// the rendered diff is empty exactly when the two are equal.
func FuzzDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd")
	f.Add("", "x")
	f.Add("x\ny\nx\ny\n", "y\nx\ny\nx")
	f.Fuzz(func(t *testing.T, want, got string) {
		var a, b strings.Builder
		for _, o := range diffLines(splitLines(want), splitLines(got)) {
			if o.kind != '+' {
				a.WriteString(o.line)
			}
			if o.kind != '-' {
				b.WriteString(o.line)
			}
		}
		if a.String() != want || b.String() != got {
			t.Fatalf("edit script rebuilds %q / %q from %q / %q", a.String(), b.String(), want, got)
		}
		if d := Diff(want, got); (d == "") != (want == got) {
			t.Fatalf("Diff(%q, %q) = %q", want, got, d)
		}
	})
}
