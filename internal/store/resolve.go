package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// ResolveID returns the id of the finding id names: itself, or a unique
// prefix of finding.MinIDPrefix or more characters. Too short or ambiguous
// prefixes are errors listing candidates; an unknown id wraps ErrNotFound.
func (s *Store) ResolveID(ctx context.Context, id string) (string, error) {
	id = strings.TrimSpace(id)
	// substr compares bytes (LIKE would ignore case); id >= ? lets the
	// primary key start the scan at the prefix.
	const where = ` FROM findings WHERE id >= ?1 AND substr(id, 1, length(?1)) = ?1`
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*)`+where, id).Scan(&total); err != nil {
		return "", fmt.Errorf("store: finding %s: %w", id, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id`+where+` ORDER BY id LIMIT 6`, id)
	if err != nil {
		return "", fmt.Errorf("store: finding %s: %w", id, err)
	}
	defer rows.Close()
	var starting []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return "", fmt.Errorf("store: finding %s: %w", id, err)
		}
		starting = append(starting, x)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("store: finding %s: %w", id, err)
	}
	got, err := finding.ResolveID(id, starting, total)
	if errors.Is(err, finding.ErrNoSuchID) {
		return "", fmt.Errorf("finding %q %w", id, ErrNotFound)
	}
	return got, err
}
