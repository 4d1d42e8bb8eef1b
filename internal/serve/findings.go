package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/store"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// session tells the pages what the server has and the CSRF token their
// writes must carry.
func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	type src struct {
		Name     string `json:"name"`
		Label    string `json:"label"`
		Writable bool   `json:"writable"`
	}
	out := struct {
		CSRF      string `json:"csrf_token,omitempty"`
		Version   string `json:"version"`
		Sources   []src  `json:"sources"`
		Snapshot  string `json:"snapshot,omitempty"`
		Partial   bool   `json:"snapshot_partial,omitempty"`
		Reconcile bool   `json:"reconcile"`
		Posture   bool   `json:"posture"`
	}{Version: version.String(), Sources: []src{}, Snapshot: s.o.ModelName, Reconcile: s.o.Reconcile != nil, Posture: s.o.Posture != nil}
	if wh := whoFrom(r.Context()); wh.sess != nil {
		out.CSRF = wh.sess.csrf
	}
	if s.o.Model != nil {
		out.Partial = s.o.Model.Partial
	}
	for _, x := range s.o.Sources {
		out.Sources = append(out.Sources, src{x.Name, x.Label, x.Writable})
	}
	writeJSON(w, http.StatusOK, out)
}

// parseQuery reads the list filters: status, severity and rule (comma
// lists), actor, account, subject, since and until (RFC 3339, a date or a
// duration back from now such as 14d), offset and limit.
func (s *Server) parseQuery(v url.Values) (store.Query, error) {
	var q store.Query
	for _, st := range list(v.Get("status")) {
		x, err := store.ParseStatus(st)
		if err != nil {
			return q, fmt.Errorf("status: %w", err)
		}
		q.Statuses = append(q.Statuses, x)
	}
	for _, sv := range list(v.Get("severity")) {
		x, err := finding.ParseSeverity(sv)
		if err != nil {
			return q, fmt.Errorf("severity: %w", err)
		}
		q.Severities = append(q.Severities, x)
	}
	q.Rules = list(v.Get("rule"))
	q.Actor = strings.TrimSpace(v.Get("actor"))
	q.Account = strings.TrimSpace(v.Get("account"))
	q.Subject = strings.TrimSpace(v.Get("subject"))
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if raw := strings.TrimSpace(v.Get(t.name)); raw != "" {
			at, err := source.ParseTimeArg(raw, s.o.Now())
			if err != nil {
				return q, fmt.Errorf("%s: %w", t.name, err)
			}
			*t.dst = at
		}
	}
	var err error
	if q.Offset, err = intParam(v, "offset", 0, 1<<30); err != nil {
		return q, err
	}
	if q.Limit, err = intParam(v, "limit", store.DefaultPageSize, store.MaxPageSize); err != nil {
		return q, err
	}
	q.Oldest = v.Get("order") == "oldest"
	return q, nil
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func intParam(v url.Values, name string, def, max int) (int, error) {
	raw := v.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > max {
		return 0, fmt.Errorf("%s: want a whole number from 0 to %d, got %q", name, max, raw)
	}
	return n, nil
}

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	q, err := s.parseQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	p, err := src.Store.QueryFindings(r.Context(), q)
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) histogram(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	q, err := s.parseQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	n, err := intParam(r.URL.Query(), "buckets", 60, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	h, err := src.Store.FindingsHistogram(r.Context(), q, n)
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		store.Histogram
		BucketSeconds int64    `json:"bucket_seconds"`
		Severities    []string `json:"severities"`
	}{h, int64(h.Bucket.Seconds()), []string{"info", "low", "medium", "high", "critical"}})
}

func (s *Server) rules(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	rc, err := src.Store.RuleCounts(r.Context())
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rc})
}

// rawNote says where a finding's CloudTrail records are: neither the
// store nor a hunt's output keeps them.
const rawNote = "The raw CloudTrail records are not kept: the store holds findings, not events. Look the event id up in the trail (the file is named when the finding came from hunt)."

func (s *Server) getFinding(w http.ResponseWriter, r *http.Request) {
	src, err := s.source(r)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	rec, err := src.Store.GetFinding(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no finding %q in %s", r.PathValue("id"), src.Label)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Finding  store.Record `json:"finding"`
		RawKept  bool         `json:"raw_records_kept"`
		RawNote  string       `json:"raw_records_note"`
		Source   string       `json:"source"`
		Writable bool         `json:"writable"`
	}{rec, false, rawNote, src.Name, src.Writable})
}

// maxNote bounds a triage note (characters).
const maxNote = 2000

// setStatus acknowledges, resolves or reopens a finding with a note, as
// `portcullis findings ack|resolve|reopen --note` does.
func (s *Server) setStatus(to store.Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		src, err := s.source(r)
		if err != nil {
			writeError(w, http.StatusNotFound, "%v", err)
			return
		}
		if !src.Writable {
			writeError(w, http.StatusConflict, "%s is a hunt output file, read-only here: acknowledge and resolve findings in a watch store (portcullis serve --store)", src.Label)
			return
		}
		var body struct {
			Note string `json:"note"`
		}
		if r.ContentLength != 0 {
			dec := json.NewDecoder(r.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&body); err != nil {
				writeError(w, http.StatusBadRequest, "body: want {\"note\": \"...\"}: %v", err)
				return
			}
		}
		if utf8.RuneCountInString(body.Note) > maxNote {
			writeError(w, http.StatusBadRequest, "note: longer than %d characters", maxNote)
			return
		}
		id := r.PathValue("id")
		err = src.Store.SetStatus(r.Context(), id, to, body.Note)
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "no finding %q in %s", id, src.Label)
			return
		}
		if err != nil {
			s.internal(w, err)
			return
		}
		rec, err := src.Store.GetFinding(r.Context(), id)
		if err != nil {
			s.internal(w, err)
			return
		}
		s.o.Logf("finding %s %s (note %q)", id, to, body.Note)
		writeJSON(w, http.StatusOK, map[string]any{"finding": rec})
	}
}

// internal logs the cause and tells the client only that it failed.
func (s *Server) internal(w http.ResponseWriter, err error) {
	s.o.Logf("error: %v", err)
	writeError(w, http.StatusInternalServerError, "internal error (logged by portcullis serve)")
}
