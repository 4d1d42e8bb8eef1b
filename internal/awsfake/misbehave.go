package awsfake

import (
	"encoding/json"
	"fmt"
)

// Misbehaviour is a way a listing operation can page wrongly, for tests of
// clients that must not loop or fill memory.
type Misbehaviour int

const (
	// RepeatToken answers every page with the same NextToken.
	RepeatToken Misbehaviour = iota + 1
	// EndlessTokens answers every page with a NextToken never seen before.
	EndlessTokens
	// HugePage repeats the page's items until the answer is at least the
	// given number of bytes.
	HugePage
)

type misbehaviour struct {
	kind  Misbehaviour
	bytes int // HugePage
	seq   int // EndlessTokens
}

// Misbehave makes op page wrongly from now on. bytes is the least size of
// a HugePage answer (ignored otherwise). The page served is always the
// first one of the real listing, whatever NextToken the client sends.
func (s *Server) Misbehave(op string, kind Misbehaviour, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.misbehave == nil {
		s.misbehave = map[string]*misbehaviour{}
	}
	s.misbehave[op] = &misbehaviour{kind: kind, bytes: bytes}
}

// misbehaving strips the client's NextToken when op misbehaves (so the
// real handler serves its first page). Called with mu held.
func (s *Server) misbehaving(op string, body []byte) ([]byte, *misbehaviour) {
	mb := s.misbehave[op]
	if mb == nil {
		return body, nil
	}
	var in map[string]any
	if json.Unmarshal(body, &in) != nil {
		return body, mb
	}
	delete(in, "NextToken")
	b, err := json.Marshal(in)
	if err != nil {
		return body, mb
	}
	return b, mb
}

// apply rewrites a page as the misbehaviour says. Called with mu held.
func (mb *misbehaviour) apply(out any) any {
	b, err := json.Marshal(out)
	if err != nil {
		return out
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return out
	}
	switch mb.kind {
	case RepeatToken:
		m["NextToken"] = "awsfake-repeated-token"
	case EndlessTokens:
		mb.seq++
		m["NextToken"] = fmt.Sprintf("awsfake-endless-%d", mb.seq)
	case HugePage:
		for k, v := range m {
			items, ok := v.([]any)
			if !ok || len(items) == 0 {
				continue
			}
			one, _ := json.Marshal(items)
			per := max(len(one)/len(items), 1)
			big := make([]any, 0, mb.bytes/per+1)
			for len(big)*per < mb.bytes {
				big = append(big, items[len(big)%len(items)])
			}
			m[k] = big
			break
		}
	}
	return m
}
