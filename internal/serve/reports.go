package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/posture"
)

// maxReportBytes bounds a report file read at start.
const maxReportBytes = 64 << 20

// LoadReconcile reads `portcullis reconcile --format json` output.
func LoadReconcile(path string) (*drift.ReconcileReport, error) {
	var r drift.ReconcileReport
	if err := loadReport(path, drift.ReconcileSchema, "portcullis reconcile --format json", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// LoadPosture reads `portcullis posture --format json` output.
func LoadPosture(path string) (*posture.Report, error) {
	var r posture.Report
	if err := loadReport(path, posture.Schema, "portcullis posture --format json", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// loadReport decodes a report strictly: a file from another command, or
// from another version, is named as such rather than shown half-empty.
func loadReport(path, schema, maker string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxReportBytes {
		return fmt.Errorf("%s: larger than %d bytes", path, maxReportBytes)
	}
	var probe struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return fmt.Errorf("%s: not JSON (want the output of %s): %w", path, maker, err)
	}
	if probe.Schema != schema {
		return fmt.Errorf("%s: field schema is %q, want %q (the output of %s)", path, probe.Schema, schema, maker)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (s *Server) reconcile(w http.ResponseWriter, r *http.Request) {
	if s.o.Reconcile == nil {
		writeError(w, http.StatusNotFound, "no reconcile report given: start portcullis serve with --reconcile FILE (portcullis reconcile --format json > FILE)")
		return
	}
	writeJSON(w, http.StatusOK, s.o.Reconcile)
}

func (s *Server) posture(w http.ResponseWriter, r *http.Request) {
	if s.o.Posture == nil {
		writeError(w, http.StatusNotFound, "no posture report given: start portcullis serve with --posture FILE (portcullis posture --format json > FILE)")
		return
	}
	writeJSON(w, http.StatusOK, s.o.Posture)
}
