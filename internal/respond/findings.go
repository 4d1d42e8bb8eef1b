package respond

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// maxFindingsBytes bounds what ParseFindings reads: a hunt's output is
// findings, not a trail.
const maxFindingsBytes = 256 << 20

// LoadFindings reads a hunt's output file: JSON lines (one finding per
// line), a JSON array of findings, an object {"findings": [...]}, or one
// finding object.
func LoadFindings(path string) ([]finding.Finding, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	defer f.Close()
	return ParseFindings(f, path)
}

// ParseFindings decodes findings from r; name is used in errors.
func ParseFindings(r io.Reader, name string) ([]finding.Finding, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFindingsBytes+1))
	if err != nil {
		return nil, fmt.Errorf("findings %s: %w", name, err)
	}
	if len(b) > maxFindingsBytes {
		return nil, fmt.Errorf("findings %s: larger than %d bytes", name, maxFindingsBytes)
	}
	trimmed := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("findings %s: empty file", name)
	}
	switch trimmed[0] {
	case '[':
		var fs []finding.Finding
		if err := strictDecode(trimmed, &fs); err != nil {
			return nil, fmt.Errorf("findings %s: JSON array: %w", name, err)
		}
		return checkFindings(fs, name, "item")
	case '{':
		// One object, a wrapper, or JSON lines: try the whole document first.
		var probe map[string]json.RawMessage
		if strictDecode(trimmed, &probe) == nil {
			if raw, ok := probe["findings"]; ok {
				var fs []finding.Finding
				if err := json.Unmarshal(raw, &fs); err != nil {
					return nil, fmt.Errorf("findings %s: field findings: %w", name, err)
				}
				return checkFindings(fs, name, "item")
			}
			var f finding.Finding
			if err := json.Unmarshal(trimmed, &f); err != nil {
				return nil, fmt.Errorf("findings %s: %w", name, err)
			}
			return checkFindings([]finding.Finding{f}, name, "object")
		}
		return parseLines(trimmed, name)
	}
	return nil, fmt.Errorf("findings %s: want JSON lines, a JSON array or an object, got %q", name, firstRune(trimmed))
}

func parseLines(b []byte, name string) ([]finding.Finding, error) {
	var fs []finding.Finding
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		var f finding.Finding
		if err := strictDecode(t, &f); err != nil {
			return nil, fmt.Errorf("findings %s:%d: %w", name, line, err)
		}
		if err := checkFinding(f); err != nil {
			return nil, fmt.Errorf("findings %s:%d: %w", name, line, err)
		}
		fs = append(fs, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("findings %s:%d: %w", name, line+1, err)
	}
	return fs, nil
}

// strictDecode decodes exactly one JSON value.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func checkFindings(fs []finding.Finding, name, what string) ([]finding.Finding, error) {
	for i, f := range fs {
		if err := checkFinding(f); err != nil {
			return nil, fmt.Errorf("findings %s: %s %d: %w", name, what, i, err)
		}
	}
	return fs, nil
}

func checkFinding(f finding.Finding) error {
	if f.Schema != "" && f.Schema != finding.Schema {
		return fmt.Errorf("schema %q is not supported (want %q)", f.Schema, finding.Schema)
	}
	if f.ID == "" {
		return errors.New("finding without id")
	}
	return nil
}

func firstRune(b []byte) string {
	s := string(b)
	for _, r := range s {
		return string(r)
	}
	return ""
}

// FindFinding returns the finding with that id. A unique prefix of at least
// 8 characters also matches, so a person can paste a shortened id.
func FindFinding(fs []finding.Finding, id string) (*finding.Finding, error) {
	got, err := finding.ResolveID(id, finding.StartingWith(fs, id), 0)
	if err != nil {
		if errors.Is(err, finding.ErrNoSuchID) {
			return nil, fmt.Errorf("finding %q not found (%d findings read)", strings.TrimSpace(id), len(fs))
		}
		return nil, err
	}
	for i := range fs {
		if fs[i].ID == got {
			return &fs[i], nil
		}
	}
	return nil, fmt.Errorf("finding %q not found (%d findings read)", got, len(fs))
}
