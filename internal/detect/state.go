package detect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// stateSchema versions the serialised engine state. v2 adds what
// enrichment remembers beyond the model — the configuration plane's objects
// (applications, token issuers, policy versions) and who signed in from
// where (sign-ins, credentials, allow-listed baselines); a v1 state still
// loads, with those parts empty.
const (
	stateSchema   = "portcullis.engine-state/v2"
	stateSchemaV1 = "portcullis.engine-state/v1"
)

type savedState struct {
	Schema       string                 `json:"schema"`
	Correlations map[string]*corrState  `json:"correlations"`
	Failures     map[string][]time.Time `json:"failures"`
	Model        json.RawMessage        `json:"model"`
	Enrich       json.RawMessage        `json:"enrich,omitempty"`     // applications, issuers, policy versions, ABAC
	Enrichment   json.RawMessage        `json:"enrichment,omitempty"` // sign-ins, credentials, baselines
}

// SaveState serialises the correlation windows, failure counters and the
// Identity Center model as one blob: the form watch kept before it saved
// state as rows (state_rows.go), which RestoreState still reads.
func (e *Engine) SaveState() ([]byte, error) {
	var mb bytes.Buffer
	if err := e.State().Write(&mb); err != nil {
		return nil, fmt.Errorf("save engine state: %w", err)
	}
	mem, err := e.enricher.SaveMemory()
	if err != nil {
		return nil, err
	}
	enr, err := e.enricher.SaveState()
	if err != nil {
		return nil, err
	}
	return json.Marshal(savedState{Schema: stateSchema, Correlations: e.state, Failures: e.failures, Model: mb.Bytes(), Enrich: mem, Enrichment: enr})
}

// RestoreState loads what SaveState wrote. Windows of correlations that no
// longer exist are dropped.
func (e *Engine) RestoreState(b []byte) error {
	var s savedState
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("restore engine state: %w", err)
	}
	if s.Schema != stateSchema && s.Schema != stateSchemaV1 {
		return fmt.Errorf("restore engine state: schema %q, want %q", s.Schema, stateSchema)
	}
	for id, st := range s.Correlations {
		if _, ok := e.state[id]; ok && st != nil && st.Groups != nil {
			if st.Last == nil {
				st.Last = map[string]time.Time{}
			}
			e.state[id] = st
		}
	}
	if s.Failures != nil {
		e.failures = s.Failures
	}
	if len(s.Model) > 0 {
		m, err := idc.Read(bytes.NewReader(s.Model), "engine state")
		if err != nil {
			return fmt.Errorf("restore engine state: %w", err)
		}
		e.enricher = newEnricherFor(e, m)
		e.modelVersion++
	}
	if len(s.Enrich) > 0 {
		if err := e.enricher.LoadMemory(s.Enrich); err != nil {
			return fmt.Errorf("restore engine state: %w", err)
		}
	}
	if len(s.Enrichment) > 0 {
		if err := e.enricher.RestoreState(s.Enrichment); err != nil {
			return fmt.Errorf("restore engine state: %w", err)
		}
	}
	return nil
}
