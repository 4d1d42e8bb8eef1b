package simulate

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

const (
	slotSeconds    = 300 // CloudTrail delivers about every five minutes per account and region
	recordsPerFile = 150 // below this volume a stream gets fewer, fuller objects
	minFilesPerDay = 4   // so no object spans more than six hours
	calibrateN     = 400 // records rendered to learn a stream's mean record size
)

type stream struct {
	acct   *account
	region string
	home   bool
	weight float64
	mix    *mix
}

type fileSpec struct {
	stream   *stream
	from, to int64 // event times [from, to)
	stamp    int64 // time in the object name
	noise    int
	planted  []planted
	key      string // path below Out
}

func buildStreams(o *org, mx mixes) []*stream {
	var out []*stream
	rank := 0
	regionWeight := map[string]float64{}
	for _, r := range o.regions {
		if r == o.home {
			regionWeight[r] = 1
			continue
		}
		rank++
		regionWeight[r] = 0.5 / float64(rank)
	}
	for _, a := range o.accounts {
		for _, r := range o.regions {
			s := &stream{acct: a, region: r, home: r == o.home, weight: a.weight * regionWeight[r]}
			if s.home && a.kind == kindMgmt {
				s.weight *= 1.5 // the Identity Center traffic lives here
			}
			s.mix = mx.forStream(a, s.home)
			out = append(out, s)
		}
	}
	return out
}

// diurnal is the relative activity of each UTC hour: machines never sleep,
// people work European then American hours.
func diurnal(hour int) float64 {
	switch {
	case hour < 6:
		return 0.35
	case hour < 8:
		return 0.6
	case hour < 13:
		return 1.0
	case hour < 22:
		return 1.6
	default:
		return 0.8
	}
}

// meanSize renders sample records to learn a stream's mean record size, so a
// byte budget can be turned into a record count before writing.
func meanSize(s *stream, o *org, seed int64) float64 {
	g := newGen(rand.New(rand.NewPCG(uint64(seed), 0xca1b)), o)
	g.at(s.acct, s.region)
	var buf []byte
	total := 0
	for i := range calibrateN {
		r := s.mix.pick(g.rng)(g, 1_800_000_000+int64(i))
		buf = g.emit(buf[:0], &r)
		total += len(buf) + 1
	}
	return float64(total) / calibrateN
}

// plan turns the volume target into files: how many objects per stream,
// their time windows, their record counts and which planted records they hold.
func plan(opt Options, o *org, mx mixes, pl []planted, start, end int64) []*fileSpec {
	streams := buildStreams(o, mx)
	var wsum float64
	for _, s := range streams {
		wsum += s.weight
	}
	want := make([]float64, len(streams))
	if opt.Events > 0 {
		n := max(0, opt.Events-int64(len(pl)))
		for i, s := range streams {
			want[i] = float64(n) * s.weight / wsum
		}
		roundTotal(want, n)
	} else {
		budget := float64(opt.Size)
		for _, p := range pl {
			budget -= float64(len(p.data) + 1)
		}
		budget = max(0, budget)
		for i, s := range streams {
			want[i] = math.Round(budget * s.weight / wsum / meanSize(s, o, opt.Seed))
		}
	}
	days := int((end - start) / 86400)
	var files []*fileSpec
	for i, s := range streams {
		files = append(files, streamFiles(s, int64(want[i]), days, start)...)
	}
	assignPlanted(files, pl)
	files = splitAtPlanted(files)
	kept := files[:0]
	for _, f := range files {
		if f.noise > 0 || len(f.planted) > 0 {
			kept = append(kept, f)
		}
	}
	return kept
}

// roundTotal rounds want so it sums to exactly n (largest remainder).
func roundTotal(want []float64, n int64) {
	var sum int64
	type rem struct {
		i int
		f float64
	}
	rs := make([]rem, len(want))
	for i, w := range want {
		fl := math.Floor(w)
		rs[i] = rem{i, w - fl}
		want[i] = fl
		sum += int64(fl)
	}
	slices.SortStableFunc(rs, func(a, b rem) int {
		switch {
		case a.f > b.f:
			return -1
		case a.f < b.f:
			return 1
		}
		return 0
	})
	for k := 0; sum < n; k++ {
		want[rs[k%len(rs)].i]++
		sum++
	}
}

// streamFiles cuts a stream's days into windows that never cross midnight,
// so an object's date folder is the date of its records.
func streamFiles(s *stream, records int64, days int, start int64) []*fileSpec {
	slots := days * 86400 / slotSeconds
	perDay := (records + recordsPerFile - 1) / recordsPerFile / int64(days)
	n := days * int(min(max(minFilesPerDay, perDay+1), 86400/slotSeconds))
	bounds := make([]int64, n+1)
	for i := range bounds {
		bounds[i] = start + int64(i*slots/n)*slotSeconds
	}
	weights := make([]float64, n)
	var wsum float64
	for i := range n {
		for t := bounds[i]; t < bounds[i+1]; t += slotSeconds {
			weights[i] += diurnal(int(t % 86400 / 3600))
		}
		wsum += weights[i]
	}
	files := make([]*fileSpec, n)
	var cum float64
	prev := int64(0)
	for i := range n {
		cum += weights[i]
		upto := int64(math.Round(float64(records) * cum / wsum))
		stamp := bounds[i+1]
		if stamp%86400 == 0 {
			stamp -= 60 // the day's last object is named 23:59, not 00:00 of the next day
		}
		files[i] = &fileSpec{stream: s, from: bounds[i], to: bounds[i+1], stamp: stamp, noise: int(upto - prev)}
		prev = upto
	}
	return files
}

func assignPlanted(files []*fileSpec, pl []planted) {
	byStream := map[string][]*fileSpec{}
	for _, f := range files {
		k := f.stream.acct.id + "|" + f.stream.region
		byStream[k] = append(byStream[k], f)
	}
	for _, p := range pl {
		fs := byStream[p.acct.id+"|"+p.region]
		i, _ := slices.BinarySearchFunc(fs, p.ts, func(f *fileSpec, t int64) int {
			switch {
			case f.to <= t:
				return -1
			case f.from > t:
				return 1
			}
			return 0
		})
		if i < len(fs) {
			fs[i].planted = append(fs[i].planted, p)
		}
	}
	for _, f := range files {
		slices.SortStableFunc(f.planted, func(a, b planted) int { return cmp.Compare(a.ts, b.ts) })
	}
}

// nameFiles gives every object its org-trail key; the random suffix comes
// from the plan RNG so names are reproducible.
func nameFiles(files []*fileSpec, orgID string, r *rand.Rand) {
	for _, f := range files {
		a, reg := f.stream.acct.id, f.stream.region
		b := make([]byte, 0, 160)
		b = append(b, "AWSLogs/"...)
		b = append(b, orgID...)
		b = append(b, '/')
		b = append(b, a...)
		b = append(b, "/CloudTrail/"...)
		b = append(b, reg...)
		b = append(b, '/')
		b = appendDatePath(b, f.stamp, '/')
		b = append(b, '/')
		b = append(b, a...)
		b = append(b, "_CloudTrail_"...)
		b = append(b, reg...)
		b = append(b, '_')
		b = appendStamp(b, f.stamp, false)
		b = append(b, '_')
		b = appendFrom(b, r, alnumChars, 16)
		f.key = string(append(b, ".json.gz"...))
	}
}

// appendStamp appends YYYYMMDDTHHMMZ (or with seconds, as digests use).
func appendStamp(b []byte, ts int64, seconds bool) []byte {
	t := appendTime(nil, ts) // 2026-11-01T10:11:12Z
	b = append(b, t[0:4]...)
	b = append(b, t[5:7]...)
	b = append(b, t[8:10]...)
	b = append(b, 'T')
	b = append(b, t[11:13]...)
	b = append(b, t[14:16]...)
	if seconds {
		b = append(b, t[17:19]...)
	}
	return append(b, 'Z')
}
