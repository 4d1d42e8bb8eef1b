package enrich

import (
	"encoding/json"
	"fmt"
)

// savedState is the enrichment state a daemon keeps across restarts: what
// the run has learned of sign-ins, credentials and baselines. The Identity
// Center model is saved apart (it has its own format).
type savedState struct {
	Credentials    []lruEntry[*credential]    `json:"credentials,omitempty"`
	Aliases        []lruEntry[string]         `json:"credential_aliases,omitempty"`
	Signins        []lruEntry[*signinHistory] `json:"signins,omitempty"`
	SigninFailures []lruEntry[[]failure]      `json:"signin_failures,omitempty"`
	Baselines      []lruEntry[*baseline]      `json:"baselines,omitempty"`
}

// SaveState serialises the learned state.
func (e *Enricher) SaveState() ([]byte, error) {
	b, err := json.Marshal(savedState{
		Credentials:    e.creds.byKey.entries(),
		Aliases:        e.creds.aliases.entries(),
		Signins:        e.signins.users.entries(),
		SigninFailures: e.signins.fails.entries(),
		Baselines:      e.baselines.entries(),
	})
	if err != nil {
		return nil, fmt.Errorf("save enrichment state: %w", err)
	}
	return b, nil
}

// RestoreState loads what SaveState wrote; entries beyond today's bounds
// are dropped, the least recently used first.
func (e *Enricher) RestoreState(b []byte) error {
	var s savedState
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("restore enrichment state: %w", err)
	}
	for _, c := range s.Credentials {
		if c.V == nil {
			return fmt.Errorf("restore enrichment state: credential %q: empty", c.K)
		}
	}
	for _, h := range s.Signins {
		if h.V == nil || h.V.Networks == nil {
			return fmt.Errorf("restore enrichment state: sign-in history %q: empty", h.K)
		}
	}
	for _, b := range s.Baselines {
		if b.V == nil || b.V.Networks == nil || b.V.Clients == nil {
			return fmt.Errorf("restore enrichment state: baseline %q: empty", b.K)
		}
	}
	e.baselines.load(s.Baselines)
	e.creds.byKey.load(s.Credentials)
	e.creds.aliases.load(s.Aliases)
	e.signins.users.load(s.Signins)
	e.signins.fails.load(s.SigninFailures)
	return nil
}
