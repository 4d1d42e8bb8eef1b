package apply

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/respond"
)

// StateSchema versions the resumable state file.
const StateSchema = "portcullis.contain-state/v1"

// Step statuses in the state file.
const (
	statusStarted = "started" // the call was about to be sent; its fate is unknown
	statusCalled  = "called"  // the call succeeded; a wait may be pending
	statusDone    = "done"
	statusFailed  = "failed"
)

// State is the progress of one plan: which steps are done and the outputs
// later steps need. It carries the plan itself, so a run can be resumed
// without building the plan again (the state it was built from has moved).
type State struct {
	Schema    string                   `json:"schema"`
	PlanHash  string                   `json:"plan_hash"`
	Plan      *respond.ContainmentPlan `json:"plan"`
	Steps     map[string]*StepState    `json:"steps"`
	UpdatedAt time.Time                `json:"updated_at"`
}

// StepState is one step's progress.
type StepState struct {
	Status  string            `json:"status"`
	Outputs map[string]string `json:"outputs,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// DefaultStatePath is where the CLI keeps a plan's state unless told.
func DefaultStatePath(p *respond.ContainmentPlan) string {
	h := strings.TrimPrefix(p.Hash, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	return "portcullis-contain-" + h + ".state.json"
}

// LoadState reads a state file; a missing file is an error wrapping
// fs.ErrNotExist. Use state.Plan to resume.
func LoadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if s.Schema != StateSchema {
		return nil, fmt.Errorf("state %s: schema %q is not supported (want %q)", path, s.Schema, StateSchema)
	}
	if s.Plan == nil {
		return nil, fmt.Errorf("state %s: no plan", path)
	}
	if err := s.Plan.VerifyHash(); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if s.PlanHash != s.Plan.Hash {
		return nil, fmt.Errorf("state %s: plan_hash %s does not match its plan %s", path, s.PlanHash, s.Plan.Hash)
	}
	if s.Steps == nil {
		s.Steps = map[string]*StepState{}
	}
	return &s, nil
}

// Completed lists the ids of done steps, in plan order.
func (s *State) Completed() []string {
	var out []string
	for _, st := range s.Plan.Steps {
		if ss, ok := s.Steps[st.ID]; ok && ss.Status == statusDone {
			out = append(out, st.ID)
		}
	}
	return out
}

// openState loads the state for p at path, or starts a new one. A state
// that belongs to another plan is an error, never silently replaced.
func openState(path string, p *respond.ContainmentPlan) (*State, error) {
	fresh := &State{Schema: StateSchema, PlanHash: p.Hash, Plan: p, Steps: map[string]*StepState{}}
	if path == "" {
		return fresh, nil
	}
	s, err := LoadState(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fresh, nil
	}
	if err != nil {
		return nil, err
	}
	if s.PlanHash != p.Hash {
		return nil, fmt.Errorf("state %s belongs to plan %s, not %s: resume that plan from its state file, or give another --state", path, s.PlanHash, p.Hash)
	}
	return s, nil
}

// save writes the state atomically (temp file + rename), owner-only.
func (s *State) save(path string, now time.Time) error {
	if path == "" {
		return nil
	}
	s.UpdatedAt = now.UTC()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	tmp, err := os.CreateTemp(filepath.Dir(path), ".portcullis-state-*")
	if err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("state %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("state %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	return nil
}

func (s *State) step(id string) *StepState {
	ss, ok := s.Steps[id]
	if !ok {
		ss = &StepState{}
		s.Steps[id] = ss
	}
	return ss
}

// CreatedSCPs lists the service control policies the plan created (a
// CreatePolicy step that returned a PolicyId) and the targets its done
// AttachPolicy steps attached them to: what contain --lift undoes.
func (s *State) CreatedSCPs() []respond.CreatedSCP {
	var out []respond.CreatedSCP
	for _, st := range s.Plan.Steps {
		if st.Call == nil || st.Call.Operation != "CreatePolicy" {
			continue
		}
		ss, ok := s.Steps[st.ID]
		if !ok || ss.Outputs["PolicyId"] == "" {
			continue
		}
		scp := respond.CreatedSCP{PolicyID: ss.Outputs["PolicyId"]}
		for _, at := range s.Plan.Steps {
			if at.Call == nil || at.Call.Operation != "AttachPolicy" || at.Call.Refs["PolicyId"].Step != st.ID {
				continue
			}
			if as, ok := s.Steps[at.ID]; ok && (as.Status == statusDone || as.Status == statusCalled) {
				if t, _ := at.Call.Params["TargetId"].(string); t != "" {
					scp.Targets = append(scp.Targets, t)
				}
			}
		}
		out = append(out, scp)
	}
	return out
}
