package simulate

// CloudTrail delivers a record within minutes; a sparse stream's object may
// cover hours, but then its name (the delivery time) is hours after the
// planted records in it. A reader that orders by delivery slot (hunt does)
// would see an account's attack step before a step planted earlier in a
// busier account. So an object holding planted records is cut right after
// each of them: every planted record is delivered within one slot.

// splitAtPlanted cuts each file holding planted records at the slot after
// each planted record, sharing its noise across the pieces by length (the
// total stays exact).
func splitAtPlanted(files []*fileSpec) []*fileSpec {
	out := make([]*fileSpec, 0, len(files))
	for _, f := range files {
		if len(f.planted) == 0 {
			out = append(out, f)
			continue
		}
		cuts := []int64{f.from}
		for _, p := range f.planted {
			end := (p.ts/slotSeconds + 1) * slotSeconds
			if end > cuts[len(cuts)-1] && end < f.to {
				cuts = append(cuts, end)
			}
		}
		cuts = append(cuts, f.to)
		span := f.to - f.from
		given, k := 0, 0
		for i := 0; i+1 < len(cuts); i++ {
			piece := &fileSpec{stream: f.stream, from: cuts[i], to: cuts[i+1], stamp: cuts[i+1]}
			if i+2 == len(cuts) {
				piece.stamp = f.stamp // the last piece keeps the object's own name time
			}
			share := int(int64(f.noise) * (cuts[i+1] - f.from) / span)
			piece.noise, given = share-given, share
			for k < len(f.planted) && f.planted[k].ts < piece.to {
				piece.planted = append(piece.planted, f.planted[k])
				k++
			}
			out = append(out, piece)
		}
	}
	return out
}
