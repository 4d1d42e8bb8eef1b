package serve

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/access"
)

// NodeRef names one node of the access graph.
type NodeRef struct {
	Kind   string `json:"kind"` // user | group | permission-set | account
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Detail string `json:"detail,omitempty"`
}

const searchLimit = 25

// accessSearch finds users, groups, permission sets and accounts whose id
// or name contains ?q= (case-insensitive), exact matches first.
func (s *Server) accessSearch(w http.ResponseWriter, r *http.Request) {
	if s.graph == nil {
		writeError(w, http.StatusConflict, "no snapshot given: start portcullis serve with --snapshot SPEC")
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if q == "" {
		writeError(w, http.StatusBadRequest, "q: type part of a name or id")
		return
	}
	m := s.graph.Model()
	type hit struct {
		NodeRef
		rank int
	}
	var hits []hit
	try := func(ref NodeRef, fields ...string) {
		best := -1
		for _, f := range fields {
			lf := strings.ToLower(f)
			switch {
			case lf == q:
				best = 2
			case strings.HasPrefix(lf, q) && best < 1:
				best = 1
			case strings.Contains(lf, q) && best < 0:
				best = 0
			}
		}
		if best >= 0 {
			hits = append(hits, hit{ref, best})
		}
	}
	for _, u := range m.Users {
		try(NodeRef{access.KindUser, u.ID, u.UserName, u.DisplayName}, u.ID, u.UserName, u.DisplayName, u.Email)
	}
	for _, g := range m.Groups {
		try(NodeRef{access.KindGroup, g.ID, g.DisplayName, g.Description}, g.ID, g.DisplayName)
	}
	for _, ps := range s.graph.PermissionSets() {
		try(NodeRef{access.KindPermissionSet, ps.ARN, ps.Name, ps.Analysis.Level.String()}, ps.ARN, ps.Name)
	}
	for _, a := range m.Accounts {
		try(NodeRef{access.KindAccount, a.ID, a.Name, a.OUPath}, a.ID, a.Name)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.rank, a.rank), strings.Compare(kindOrder(a.Kind), kindOrder(b.Kind)),
			strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	out := []NodeRef{}
	for i, h := range hits {
		if i == searchLimit {
			break
		}
		out = append(out, h.NodeRef)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out, "total": len(hits)})
}

func kindOrder(k string) string {
	switch k {
	case access.KindUser:
		return "1"
	case access.KindGroup:
		return "2"
	case access.KindPermissionSet:
		return "3"
	}
	return "4"
}

// accessGraph draws the user → group → permission set → account graph
// around one node (bounded, see buildGraph).
func (s *Server) accessGraph(w http.ResponseWriter, r *http.Request) {
	if s.graph == nil {
		writeError(w, http.StatusConflict, "no snapshot given: start portcullis serve with --snapshot SPEC")
		return
	}
	v := r.URL.Query()
	max, err := intParam(v, "max_nodes", defaultMaxNodes, maxMaxNodes)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	g, err := buildGraph(s.graph, s.o.Config, s.o.Now(), v.Get("kind"), v.Get("id"), max)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// accessBlast is `portcullis access --blast-radius KIND:ID --format json`.
func (s *Server) accessBlast(w http.ResponseWriter, r *http.Request) {
	if s.graph == nil {
		writeError(w, http.StatusConflict, "no snapshot given: start portcullis serve with --snapshot SPEC")
		return
	}
	v := r.URL.Query()
	b, err := s.graph.BlastRadius(v.Get("kind"), v.Get("id"), s.o.Config)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schema": access.Schema, "blast_radius": b})
}
