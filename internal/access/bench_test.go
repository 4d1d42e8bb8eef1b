package access

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// The scale: 10,000 users, 2,000 groups, 500 accounts, 300
// permission sets, 100,000 assignments. Run with
//
//	go test ./internal/access -run '^$' -bench . -benchtime 5x -cpu 1
var bigModel = sync.OnceValue(func() *idc.Model { return idc.Synthetic(1, 10000, 2000, 500, 300, 100000) })

func BenchmarkComputeAndWriteJSON(b *testing.B) {
	m := bigModel()
	var g *Graph
	cpu := cpuTime()
	for b.Loop() {
		g = Compute(m)
		if err := WriteJSON(io.Discard, g.All()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(g.Len()), "grants")
}

// BenchmarkWrite writes every grant in each grant format.
func BenchmarkWrite(b *testing.B) {
	g := Compute(bigModel())
	for _, f := range []struct {
		name  string
		write func(io.Writer, *Result) error
	}{{"json", WriteJSON}, {"csv", WriteCSV}, {"table", WriteTable}} {
		b.Run(f.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				if err := f.write(io.Discard, g.All()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkCompute(b *testing.B) {
	m := bigModel()
	cpu := cpuTime()
	for b.Loop() {
		Compute(m)
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

func BenchmarkBlastRadius(b *testing.B) {
	g := Compute(bigModel())
	cfg := config.Default()
	cfg.SensitiveAccounts = []string{"100000000000", "100000015838"}
	big := g.groups[0].ID // the skew makes low-numbered groups the largest
	for _, x := range g.groups {
		if len(g.by().group[g.groupIdx[x.ID]]) > len(g.by().group[g.groupIdx[big]]) {
			big = x.ID
		}
	}
	for _, q := range []struct{ name, kind, id string }{
		{"largest-group", KindGroup, big},
		{"user", KindUser, "user00042@example.com"},
		{"admin-permission-set", KindPermissionSet, "AdministratorAccess"},
		{"delegated-admin-account", KindAccount, g.model.DelegatedAdminID},
		{"management-account", KindAccount, g.model.ManagementAccountID},
	} {
		b.Run(q.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				if _, err := g.BlastRadius(q.kind, q.id, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestScaleBudget holds the budgets at its scale, in CPU time so a
// busy machine does not fail it: effective access computed and written as
// JSON under 2 s, a blast-radius question under 50 ms.
func TestScaleBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("scale budget: not in -short or -race runs")
	}
	m := bigModel()
	cpu := cpuTime()
	g := Compute(m)
	if err := WriteJSON(io.Discard, g.All()); err != nil {
		t.Fatal(err)
	}
	g.by() // the per-key indexes the questions below walk, built on first use
	if d := cpuTime() - cpu; d > 2*time.Second {
		t.Errorf("compute + JSON took %v of CPU for %d grants, budget 2s", d, g.Len())
	}
	for _, q := range [][2]string{{KindAccount, m.DelegatedAdminID}, {KindAccount, m.ManagementAccountID}, {KindPermissionSet, "AdministratorAccess"}} {
		cpu := cpuTime()
		if _, err := g.BlastRadius(q[0], q[1], config.Default()); err != nil {
			t.Fatal(err)
		}
		if d := cpuTime() - cpu; d > 50*time.Millisecond {
			t.Errorf("blast radius of %s %s took %v of CPU, budget 50ms", q[0], q[1], d)
		}
	}
}
