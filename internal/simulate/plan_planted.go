package simulate

import "math"

// maxPlantedWindow is the longest time an object holding planted records
// covers. CloudTrail delivers about every five minutes; a hunt orders
// objects by delivery time and tolerates records up to an hour older than
// their object (source.DeliveryLag). A story that spans accounts (a grant
// in the management account, its use in a member account) is only seen in
// order when the objects holding it are no longer than that, so those are
// cut to the hour; the rest keep the fewer, fuller objects of low volumes.
const maxPlantedWindow = 3600

// splitPlanted cuts every object that holds planted records and covers more
// than maxPlantedWindow into hourly objects, sharing its noise among them
// by the time of day, and files each planted record in its hour.
func splitPlanted(files []*fileSpec) []*fileSpec {
	var out []*fileSpec
	for _, f := range files {
		if len(f.planted) == 0 || f.to-f.from <= maxPlantedWindow {
			out = append(out, f)
			continue
		}
		var pieces []*fileSpec
		var weights []float64
		var wsum float64
		for from := f.from; from < f.to; from += maxPlantedWindow {
			to := min(from+maxPlantedWindow, f.to)
			stamp := to
			if stamp%86400 == 0 {
				stamp -= 60 // named 23:59, as streamFiles names the day's last object
			}
			var w float64
			for t := from; t < to; t += slotSeconds {
				w += diurnal(int(t % 86400 / 3600))
			}
			pieces = append(pieces, &fileSpec{stream: f.stream, from: from, to: to, stamp: stamp})
			weights = append(weights, w)
			wsum += w
		}
		var cum float64
		prev := 0
		for i, p := range pieces {
			cum += weights[i]
			upto := int(math.Round(float64(f.noise) * cum / wsum))
			p.noise, prev = upto-prev, upto
		}
		for _, pl := range f.planted {
			i := min(int((pl.ts-f.from)/maxPlantedWindow), len(pieces)-1)
			pieces[i].planted = append(pieces[i].planted, pl)
		}
		out = append(out, pieces...)
	}
	return out
}
