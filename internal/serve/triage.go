package serve

import (
	"bytes"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/respond"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// timelineLimit bounds the findings one timeline shows (the chart above
// it counts them all).
const timelineLimit = 1000

// TimelineItem is a finding or one of the CloudTrail events behind it.
type TimelineItem struct {
	Time        time.Time        `json:"time"`
	Kind        string           `json:"kind"` // finding | event
	FindingID   string           `json:"finding_id"`
	Rule        string           `json:"rule,omitempty"`
	Severity    finding.Severity `json:"severity"`
	Status      store.Status     `json:"status,omitempty"`
	Summary     string           `json:"summary,omitempty"`
	EventID     string           `json:"event_id,omitempty"`
	EventName   string           `json:"event_name,omitempty"`
	EventSource string           `json:"event_source,omitempty"`
}

// timeline lists, oldest first, the findings whose actor or targeted
// principal is ?subject= (an ARN, a name or an Identity Center id), and
// the events behind them.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
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
	if q.Subject == "" {
		writeError(w, http.StatusBadRequest, "subject: name an actor or principal (ARN, user name or Identity Center id)")
		return
	}
	q.Oldest, q.Offset, q.Limit = true, 0, timelineLimit
	p, err := src.Store.QueryFindings(r.Context(), q)
	if err != nil {
		s.internal(w, err)
		return
	}
	items := []TimelineItem{}
	seen := map[string]bool{}
	for _, rec := range p.Records {
		items = append(items, TimelineItem{Time: rec.Time, Kind: "finding", FindingID: rec.ID, Rule: rec.Rule,
			Severity: rec.Severity, Status: rec.Status, Summary: rec.Summary})
		for _, e := range rec.Events {
			if e.EventID != "" && seen[e.EventID] {
				continue
			}
			seen[e.EventID] = true
			items = append(items, TimelineItem{Time: e.Time, Kind: "event", FindingID: rec.ID, Severity: rec.Severity,
				EventID: e.EventID, EventName: e.EventName, EventSource: e.EventSource})
		}
	}
	// Events before their finding at the same instant: cause, then effect.
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].Time.Equal(items[j].Time) {
			return items[i].Time.Before(items[j].Time)
		}
		return items[i].Kind == "event" && items[j].Kind == "finding"
	})
	writeJSON(w, http.StatusOK, map[string]any{
		"subject": q.Subject, "total": p.Total, "shown": len(p.Records), "items": items,
	})
}

// plan builds the containment plan `portcullis contain` would build for
// the finding against the snapshot. A dry run: nothing here can apply it.
func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	if s.o.Model == nil {
		writeError(w, http.StatusConflict, "no snapshot given: start portcullis serve with --snapshot SPEC to see containment plans")
		return
	}
	src, err := s.source(r)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	id := r.PathValue("id")
	rec, err := src.Store.GetFinding(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no finding %q in %s", id, src.Label)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	f := rec.Finding
	p, err := respond.Plan(respond.Input{Finding: &f}, s.o.Model, s.o.Config, s.o.Now())
	var gerr *respond.GuardError
	refused := ""
	switch {
	case errors.As(err, &gerr) && p != nil:
		refused = gerr.Error()
	case err != nil:
		writeError(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	var text bytes.Buffer
	if err := respond.RenderText(&text, p); err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"dry_run": true,
		"note": "Dry run: nothing was called and nothing can be applied from here. To run it: portcullis contain --findings FILE --finding " +
			shortID(id) + " --snapshot " + s.o.ModelName + " --apply",
		"plan": p, "text": strings.TrimRight(text.String(), "\n"), "refused": refused,
	})
}

func shortID(id string) string {
	if len(id) > 11 {
		return id[:11]
	}
	return id
}
