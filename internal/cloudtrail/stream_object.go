package cloudtrail

import "fmt"

// object splits an object too large for the window key by key, as
// splitter.object does: the elements of its Records arrays, and of its
// Events and events arrays, are split where they stand, one at a time; every
// other value must fit in the window. The object itself is not kept, so when
// splitter.object would hand out a record at the object's end (the object,
// a record over the cap, or an EventBridge detail), the split is cut there.
func (st *streamer) object(start int) (int, bool) {
	s := &st.s
	origin := st.base + int64(start)
	// The object's start in the window; negative once it has slid past.
	at := func() int { return int(origin - st.base) }
	fail := func(code scanErr, i int, what string) (int, bool) {
		return s.fail(code, at(), i, what)
	}
	var envelope, detailType, detail, detailNotObject, hasSource, carried bool
	var keys keyList // for the message of an object in no known form
	i := st.ws(start + 1)
	if i < st.n && st.buf[i] == '}' {
		s.bad(at(), fmt.Errorf("%w: an empty object", ErrNotCloudTrail))
		return i + 1, true
	}
	for {
		if i >= st.n {
			return fail(scanTruncated, i, "")
		}
		if st.buf[i] != '"' {
			return fail(scanBadValue, i, "want a key")
		}
		var fits bool
		if i, fits = st.complete(i); !fits {
			return st.tooLarge(i)
		}
		ke := stringEnd(st.buf[:st.n], i)
		if ke < 0 {
			return fail(scanTruncated, ke, "")
		}
		key := st.buf[i+1 : ke-1]
		keys.add(key)
		mode := 0
		switch {
		case keyIs(key, "Records"):
			mode = modeRecords
		case !(hasSource || detailType && (detail || detailNotObject)):
			mode = cliArray(key)
		}
		isDetail, isDetailType := keyIs(key, "detail"), keyIs(key, "detail-type")
		isSource := keyIs(key, "eventSource")
		if i = st.ws(ke); i >= st.n {
			return fail(scanTruncated, i, "")
		}
		if st.buf[i] != ':' {
			return fail(scanBadValue, i, "want ':' after key")
		}
		if i = st.ws(i + 1); i >= st.n {
			return fail(scanTruncated, i, "")
		}
		if mode != 0 && st.buf[i] == '[' {
			envelope = envelope || mode == modeRecords
			carried = carried || mode != modeRecords
			next, ok := st.elements(i+1, mode)
			if !ok || s.stop != nil || st.stop {
				return next, ok
			}
			i = next
		} else {
			if i, fits = st.complete(i); !fits {
				return st.tooLarge(i)
			}
			e, err := valueEnd(st.buf[:st.n], i)
			if err != scanOK {
				return fail(err, e, "")
			}
			switch {
			case mode == modeRecords:
				envelope = true
				s.bad(i, fmt.Errorf("%w: Records is %s, not an array", ErrNotObject, kindOf(st.buf[i])))
			case isDetail && st.buf[i] == '{':
				detail = true
			case isDetail:
				detailNotObject = true
			case isDetailType:
				detailType = true
			case isSource:
				hasSource = true
			}
			i = e
		}
		if i = st.ws(i); i >= st.n {
			return fail(scanTruncated, i, "")
		}
		if st.buf[i] == ',' {
			i = st.ws(i + 1)
			continue
		}
		if st.buf[i] != '}' {
			return fail(scanBadValue, i, "want ',' or '}'")
		}
		i++
		break
	}
	switch {
	case envelope:
	case detailType && detail:
		// The window no longer holds the detail.
		st.stop = true
		st.cut = fmt.Errorf("%w: record %d: the EventBridge event at byte %d that carries it is over %s",
			ErrRecordTooLarge, s.index, origin, FormatSize(int64(st.limit)))
		return st.n, true
	case hasSource:
		st.stop = true
		st.cut = fmt.Errorf("%w: record %d at byte %d is over %s", ErrRecordTooLarge, s.index, origin, FormatSize(int64(st.limit)))
		return st.n, true
	case detailType && detailNotObject:
		s.bad(at(), fmt.Errorf("%w: EventBridge event whose detail is not an object", ErrNotObject))
	case carried:
	default:
		s.bad(at(), keys.unknown())
	}
	return i, true
}
