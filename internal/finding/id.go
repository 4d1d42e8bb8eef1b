package finding

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MinIDPrefix is the shortest id prefix that names a finding ("pf-" and
// five hex digits): shorter ones would match too much by chance.
const MinIDPrefix = 8

// ErrNoSuchID is wrapped by ResolveID when nothing starts with the id.
var ErrNoSuchID = errors.New("no such finding")

// maxCandidates bounds the ids an ambiguous or short prefix lists.
const maxCandidates = 5

// ResolveID picks the finding an id names, as contain and the findings
// commands accept it: the id itself, or a unique prefix of MinIDPrefix or
// more characters. starting holds ids that start with id (at least
// maxCandidates+1 of them when there are that many, in any order) and
// total how many there are, so a store need not list them all.
func ResolveID(id string, starting []string, total int) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", errors.New("finding id is empty")
	}
	if slices.Contains(starting, id) {
		return id, nil
	}
	total = max(total, len(starting))
	switch {
	case total == 0:
		return "", fmt.Errorf("finding %q: %w", id, ErrNoSuchID)
	case len(id) < MinIDPrefix:
		return "", fmt.Errorf("finding id %q is too short for a prefix (give %d or more characters); it starts %s", id, MinIDPrefix, candidates(starting, total))
	case total == 1:
		return starting[0], nil
	}
	return "", fmt.Errorf("finding id prefix %q is ambiguous: it starts %s; give more characters", id, candidates(starting, total))
}

// candidates lists up to maxCandidates ids, sorted, and how many more.
func candidates(ids []string, total int) string {
	ids = slices.Sorted(slices.Values(ids))
	if len(ids) > maxCandidates {
		ids = ids[:maxCandidates]
	}
	s := fmt.Sprintf("%d finding(s): %s", total, strings.Join(ids, ", "))
	if total > len(ids) {
		s += fmt.Sprintf(" and %d more", total-len(ids))
	}
	return s
}

// StartingWith lists the ids of fs that start with prefix.
func StartingWith(fs []Finding, prefix string) []string {
	var out []string
	for i := range fs {
		if strings.HasPrefix(fs[i].ID, strings.TrimSpace(prefix)) {
			out = append(out, fs[i].ID)
		}
	}
	return out
}
