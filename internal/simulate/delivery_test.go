package simulate

import "testing"

// TestPlantedRecordsAreDeliveredPromptly: in a whole simulated plan, every
// planted record sits in an object named (delivered) within one slot of it,
// and cutting objects keeps the noise count exact.
func TestPlantedRecordsAreDeliveredPromptly(t *testing.T) {
	f := &fileSpec{from: 0, to: 6 * 3600, stamp: 6 * 3600, noise: 101,
		planted: []planted{{ts: 100}, {ts: 120}, {ts: 3 * 3600}, {ts: 6*3600 - 1}}}
	pieces := splitAtPlanted([]*fileSpec{f})
	noise, planted := 0, 0
	for i, p := range pieces {
		noise += p.noise
		if p.from >= p.to || (i > 0 && p.from != pieces[i-1].to) {
			t.Errorf("piece %d [%d,%d) does not tile the window", i, p.from, p.to)
		}
		for _, pl := range p.planted {
			planted++
			if pl.ts < p.from || pl.ts >= p.to || p.stamp-pl.ts > slotSeconds {
				t.Errorf("planted at %d in piece [%d,%d) named %d", pl.ts, p.from, p.to, p.stamp)
			}
		}
	}
	if noise != 101 || planted != 4 || len(pieces) != 3 {
		t.Errorf("%d pieces, %d noise, %d planted; want 3, 101, 4", len(pieces), noise, planted)
	}
}
