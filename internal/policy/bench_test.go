package policy

import (
	"os"
	"testing"
)

// BenchmarkAnalyze measures a typical 2 KB inline policy (testdata/bench/typical.json).
func BenchmarkAnalyze(b *testing.B) {
	doc, err := os.ReadFile("testdata/bench/typical.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkManagedPolicy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ManagedPolicy("arn:aws:iam::aws:policy/PowerUserAccess"); !ok {
			b.Fatal("unknown")
		}
	}
}
