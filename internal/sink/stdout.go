package sink

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// Writer writes one JSON object per line to w: the finding (jsonl), or its
// OCSF Detection Finding (ocsf).
type Writer struct {
	name string
	ocsf bool
	mu   sync.Mutex
	w    io.Writer
}

// Stdout sink formats (format=).
const (
	FormatJSONL = "jsonl"
	FormatOCSF  = "ocsf"
)

// NewWriter builds the stdout sink (or any io.Writer) writing JSON lines.
func NewWriter(name string, w io.Writer) *Writer { return &Writer{name: name, w: w} }

// NewFormatWriter is NewWriter for a format: jsonl ("" too) or ocsf.
func NewFormatWriter(name, format string, w io.Writer) (*Writer, error) {
	switch format {
	case "", FormatJSONL:
		return NewWriter(name, w), nil
	case FormatOCSF:
		return &Writer{name: name, w: w, ocsf: true}, nil
	}
	return nil, fmt.Errorf("sink %s: format %q: want jsonl or ocsf", name, format)
}

func (s *Writer) Name() string { return s.name }

func (s *Writer) Send(_ context.Context, f finding.Finding) error {
	var v any = f
	if s.ocsf {
		v = finding.OCSF(f, finding.OCSFOptions{ProductVersion: version.String()})
	}
	b, err := finding.JSON(v)
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
