package scan

import (
	"cmp"
	"slices"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// slots files the events of finished objects under their delivery slot
// until every object of the slot is read (stage 2's side of the merge).
type slots struct {
	buckets [][]*cloudtrail.Event
	left    []int // objects not yet read, per group
	next    int   // next group to hand on
}

func newSlots(groups []group) slots {
	s := slots{buckets: make([][]*cloudtrail.Event, len(groups)), left: make([]int, len(groups))}
	for g := range groups {
		s.left[g] = len(groups[g].objs)
	}
	return s
}

// batch is one complete group's events (possibly none).
type batch struct {
	group  int
	events []*cloudtrail.Event
}

// add files one object's events under group g and returns the groups now
// complete, in order, their events not yet sorted.
func (s *slots) add(g int, evs []*cloudtrail.Event) []batch {
	s.buckets[g] = append(s.buckets[g], evs...)
	s.left[g]--
	var out []batch
	for s.next < len(s.left) && s.left[s.next] == 0 {
		out = append(out, batch{group: s.next, events: s.buckets[s.next]})
		s.buckets[s.next] = nil
		s.next++
	}
	return out
}

// timeline puts complete groups in time order (stage 3's side of the
// merge). Events from the last source.DeliveryLag before the next group's
// start may have company in that group (records delivered late), so they
// are held back and sorted into its batch.
type timeline struct {
	groups []group
	held   []*cloudtrail.Event
}

// order returns b's events, with those held back from earlier groups,
// sorted, minus those it now holds back for the next group.
func (t *timeline) order(b batch) []*cloudtrail.Event {
	all := append(t.held, b.events...)
	slices.SortFunc(all, compareEvents)
	cut := len(all)
	if n := b.group + 1; n < len(t.groups) {
		cutoff := t.groups[n].start.Add(-source.DeliveryLag)
		cut, _ = slices.BinarySearchFunc(all, cutoff, func(e *cloudtrail.Event, at time.Time) int {
			return e.Time.Compare(at)
		})
	}
	t.held = slices.Clone(all[cut:])
	// fn may keep or append to its batch without touching what is held.
	return all[:cut:cut]
}

// compareEvents orders by eventTime, then eventID, then where the record
// was read, so equal inputs always give the same order.
func compareEvents(a, b *cloudtrail.Event) int {
	return cmp.Or(
		a.Time.Compare(b.Time),
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Origin.File, b.Origin.File),
		cmp.Compare(a.Origin.Index, b.Origin.Index),
	)
}
