package detect

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
	"github.com/portcullis-sec/portcullis/rules"
)

// RuleSet is a validated collection of parsed rules. Engines compile their
// own matchers from the shared syntax trees (placeholders are bound per
// engine).
type RuleSet struct {
	parsed []*sigma.Rule
	Rules  []*Rule // linked once for listing and documentation
}

// Builtin loads the embedded rule pack.
func Builtin() (*RuleSet, error) {
	rs := &RuleSet{}
	if err := rs.addFS(rules.FS, ".", "rules/"); err != nil {
		return nil, err
	}
	return rs, rs.validate()
}

// Load returns the embedded pack plus every *.yml / *.yaml rule under dirs.
func Load(dirs ...string) (*RuleSet, error) {
	rs, err := Builtin()
	if err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			return nil, fmt.Errorf("rules dir: %w", err)
		}
		if err := rs.addFS(os.DirFS(d), ".", filepath.Clean(d)+"/"); err != nil {
			return nil, err
		}
	}
	return rs, rs.validate()
}

func (rs *RuleSet) addFS(fsys fs.FS, root, prefix string) error {
	var names []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".yml") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read rules %s: %w", prefix, err)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return fmt.Errorf("read rule %s%s: %w", prefix, n, err)
		}
		r, err := sigma.Parse(b, prefix+n)
		if err != nil {
			return err
		}
		if err := checkDerived(r); err != nil {
			return err
		}
		rs.parsed = append(rs.parsed, r)
	}
	return nil
}

// validate parses everything once and checks cross-references by building
// a throwaway engine.
func (rs *RuleSet) validate() error {
	e, err := NewEngine(rs, nil, nil)
	if err != nil {
		return err
	}
	rs.Rules = e.rules
	return nil
}

// Find returns the rule with a dotted id or Sigma name.
func (rs *RuleSet) Find(id string) *Rule {
	for _, r := range rs.Rules {
		if r.Portcullis.ID == id || (r.Name != "" && r.Name == id) || r.SigmaID == id {
			return r
		}
	}
	return nil
}
