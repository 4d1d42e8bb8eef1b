package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// FuzzAnalyze: Analyze never panics, fails only with a *ParseError, returns a self-consistent
// and deterministic analysis, and MergeStatements of nothing does not change what a valid
// document grants. Seeds: testdata/fuzz/FuzzAnalyze and testdata/analyze.
func FuzzAnalyze(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "analyze", "*.json"))
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := Analyze(doc)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		checkInvariants(t, a)
		if again, _ := Analyze(doc); !reflect.DeepEqual(a, again) {
			t.Fatalf("not deterministic:\n%+v\n%+v", a, again)
		}
		merged, err := MergeStatements(doc, nil, 4*MaxDocumentBytes)
		if errors.Is(err, ErrVersionChange) {
			return
		}
		if err != nil {
			t.Fatalf("merging nothing into a valid document: %v", err)
		}
		if len(merged) > MaxDocumentBytes {
			return
		}
		b, err := Analyze(merged)
		if err != nil {
			t.Fatalf("merged document does not parse: %v\n%s", err, merged)
		}
		if a.Level != b.Level || !slices.Equal(a.Services, b.Services) || !slices.Equal(a.PrivEsc, b.PrivEsc) {
			t.Fatalf("merge changed the analysis:\nbefore %+v\nafter  %+v", a, b)
		}
	})
}

func checkInvariants(t *testing.T, a Analysis) {
	t.Helper()
	if a.Level < LevelNone || a.Level > LevelAdmin {
		t.Fatalf("level %d", a.Level)
	}
	if !slices.IsSorted(a.Services) || !slices.IsSorted(a.PrivEsc) ||
		len(slices.Compact(slices.Clone(a.Services))) != len(a.Services) {
		t.Fatalf("unsorted or repeated: %q %q", a.Services, a.PrivEsc)
	}
	for _, s := range a.Services {
		if !slices.Contains(sensitiveServices[:], s) {
			t.Fatalf("service %q", s)
		}
	}
	labels := map[string]bool{}
	for _, e := range Escalations() {
		labels[e.Label] = true
	}
	for _, l := range a.PrivEsc {
		if !labels[l] {
			t.Fatalf("escalation %q", l)
		}
	}
	switch a.Level {
	case LevelAdmin:
		if len(a.Services) != len(sensitiveServices) {
			t.Fatalf("admin with services %q", a.Services)
		}
	case LevelPrivileged:
		if len(a.Services) == 0 {
			t.Fatal("privileged without services")
		}
	case LevelPrivEsc:
		if len(a.Services) != 0 || len(a.PrivEsc) == 0 {
			t.Fatalf("privesc with %q %q", a.Services, a.PrivEsc)
		}
	case LevelNone:
		if len(a.Services) != 0 || len(a.PrivEsc) != 0 {
			t.Fatalf("none with %q %q", a.Services, a.PrivEsc)
		}
	}
	if a.Level > LevelNone && len(a.Reasons) == 0 {
		t.Fatalf("level %s without reasons", a.Level)
	}
}

// FuzzMonotone checks the analysis on statements built from fuzzed patterns: adding an Allow
// never lowers what a policy grants, adding a Deny never raises it.
func FuzzMonotone(f *testing.F) {
	f.Add("*", "*", "iam:*", "*", uint8(0))
	f.Add("iam:*", "arn:aws:iam::*:role/*", "iam:Put*", "*", uint8(0b0110))
	f.Add("s3:*", "*", "*", "arn:aws:s3:::b", uint8(0b1011))
	f.Add("sts:AssumeRole", "arn:aws:iam::*:role/*", "*:*", "arn:*", uint8(0b0001))
	f.Fuzz(func(t *testing.T, act1, res1, act2, res2 string, flags uint8) {
		build := func(effect, act, res string, not, notRes, cond bool) Statement {
			s := Statement{Effect: effect}
			if not {
				s.NotAction = []string{act}
			} else {
				s.Action = []string{act}
			}
			if notRes {
				s.NotResource = []string{res}
			} else {
				s.Resource = []string{res}
			}
			if cond {
				s.Condition = map[string]map[string]any{"Bool": {"aws:SecureTransport": "true"}}
			}
			return s
		}
		base := []Statement{build("Allow", act1, res1, flags&1 != 0, flags&2 != 0, flags&4 != 0)}
		before := AnalyzeStatements(base)
		checkInvariants(t, before)
		not2, notRes2 := flags&8 != 0, flags&16 != 0
		more := AnalyzeStatements(append(base[:1:1], build("Allow", act2, res2, not2, notRes2, false)))
		less := AnalyzeStatements(append(base[:1:1], build("Deny", act2, res2, not2, notRes2, false)))
		checkInvariants(t, more)
		checkInvariants(t, less)
		if more.Level < before.Level || !subset(before.PrivEsc, more.PrivEsc) || !subset(before.Services, more.Services) {
			t.Fatalf("an Allow lowered the grant:\nbefore %+v\nafter  %+v", before, more)
		}
		if less.Level > before.Level || !subset(less.PrivEsc, before.PrivEsc) || !subset(less.Services, before.Services) {
			t.Fatalf("a Deny raised the grant:\nbefore %+v\nafter  %+v", before, less)
		}
	})
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
