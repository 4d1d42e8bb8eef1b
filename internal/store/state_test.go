package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// oneRow is a state of one row, kind "w".
func oneRow(v string) StateRows {
	return func(put func(kind, key string, value []byte) error) error { return put("w", "", []byte(v)) }
}

// stateRow reads the value oneRow wrote.
func stateRow(t *testing.T, s *Store, name string) string {
	t.Helper()
	var got string
	if _, err := s.ForEachStateRow(context.Background(), name, func(kind, key string, v []byte) error {
		if kind == "w" {
			got = string(v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

type row struct{ kind, key, value string }

func rowsOf(rs ...row) StateRows {
	return func(put func(kind, key string, value []byte) error) error {
		for _, r := range rs {
			var v []byte
			if r.value != "-" {
				v = []byte(r.value)
			}
			if err := put(r.kind, r.key, v); err != nil {
				return err
			}
		}
		return nil
	}
}

func dump(t *testing.T, s *Store, name string) string {
	t.Helper()
	out := ""
	if _, err := s.ForEachStateRow(context.Background(), name, func(kind, key string, v []byte) error {
		out += fmt.Sprintf("%s/%s=%s ", kind, key, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStateRowsDeltaAndFull: a delta upserts and deletes single rows and
// leaves the others; a full save replaces every row of that state (and
// its single-blob form), and never another state's.
func TestStateRowsDeltaAndFull(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if err := s.SaveState(ctx, "det", []byte(`{"old":1}`)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		full bool
		rows []row
		want string
	}{
		{"full save", true, []row{{"a", "1", "x"}, {"a", "2", "y"}, {"b", "", "z"}}, "a/1=x a/2=y b/=z "},
		{"delta", false, []row{{"a", "1", "-"}, {"a", "2", "y2"}, {"c", "k", ""}}, "a/2=y2 b/=z c/k= "},
		{"delta deleting a missing row", false, []row{{"a", "9", "-"}}, "a/2=y2 b/=z c/k= "},
		{"full again", true, []row{{"d", "", "w"}, {"e", "", "-"}}, "d/=w "},
	}
	if err := s.SaveStateRows(ctx, "other", true, rowsOf(row{"o", "", "keep"})); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if err := s.SaveStateRows(ctx, "det", st.full, rowsOf(st.rows...)); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := dump(t, s, "det"); got != st.want {
			t.Errorf("%s: rows %q, want %q", st.name, got, st.want)
		}
		if b, _ := s.LoadState(ctx, "det"); b != nil {
			t.Errorf("%s: the single-blob state survived a full save: %s", st.name, b)
		}
	}
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dump(t, s, "other"); got != "o/=keep " {
		t.Errorf("another state's rows: %q", got)
	}
	if n, err := s.StateRowCount(ctx, "det"); n != 1 || err != nil {
		t.Errorf("StateRowCount = %d, %v; want 1", n, err)
	}
}

// A failing row stream rolls the whole batch back, and a failing reader
// is named in the error.
func TestStateRowsErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SaveStateRows(ctx, "det", true, rowsOf(row{"a", "1", "x"})); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	bad := func(put func(kind, key string, value []byte) error) error {
		if err := put("a", "2", []byte("y")); err != nil {
			return err
		}
		return boom
	}
	if err := s.SaveStateRows(ctx, "det", false, bad); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if got := dump(t, s, "det"); got != "a/1=x " {
		t.Errorf("a failed save left %q", got)
	}
	_, err := s.ForEachStateRow(ctx, "det", func(kind, key string, v []byte) error { return boom })
	if !errors.Is(err, boom) || err.Error() != `state det: a "1": boom` {
		t.Errorf("reader error = %v", err)
	}
	if err := s.SaveStateRows(ctx, "", true, nil); err == nil {
		t.Error("rows without a state name were accepted")
	}
}
