package scan

import (
	"cmp"
	"slices"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// merger holds finished objects' events until their group is complete, then
// sorts and hands them on.
type merger struct {
	groups  []group
	buckets [][]*cloudtrail.Event
	left    []int // objects not yet read, per group
	next    int   // next group to hand on
	pending []*cloudtrail.Event
}

// batch is what one group hands to fn (events may be empty).
type batch struct {
	group  int
	events []*cloudtrail.Event
}

// add files one object's events under its group and returns the batches of
// the groups now complete, in order.
func (m *merger) add(g int, evs []*cloudtrail.Event) []batch {
	m.buckets[g] = append(m.buckets[g], evs...)
	m.left[g]--
	var out []batch
	for m.next < len(m.groups) && m.left[m.next] == 0 {
		all := append(m.pending, m.buckets[m.next]...)
		m.buckets[m.next] = nil
		slices.SortFunc(all, compareEvents)
		cut := len(all)
		if n := m.next + 1; n < len(m.groups) {
			cutoff := m.groups[n].start.Add(-source.DeliveryLag)
			cut, _ = slices.BinarySearchFunc(all, cutoff, func(e *cloudtrail.Event, t time.Time) int {
				return e.Time.Compare(t)
			})
		}
		m.pending = slices.Clone(all[cut:])
		// fn may keep or append to its batch without touching pending.
		out = append(out, batch{group: m.next, events: all[:cut:cut]})
		m.next++
	}
	return out
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
