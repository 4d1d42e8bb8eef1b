package sink

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Writer writes one JSON object per line (the jsonl format) to w.
type Writer struct {
	name string
	mu   sync.Mutex
	w    io.Writer
}

// NewWriter builds the stdout sink (or any io.Writer).
func NewWriter(name string, w io.Writer) *Writer { return &Writer{name: name, w: w} }

func (s *Writer) Name() string { return s.name }

func (s *Writer) Send(_ context.Context, f finding.Finding) error {
	b, err := finding.JSON(f)
	if err != nil {
		return Permanent(fmt.Errorf("encode finding %s: %w", f.ID, err))
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(b); err != nil {
		return Permanent(fmt.Errorf("write: %w", err))
	}
	return nil
}
