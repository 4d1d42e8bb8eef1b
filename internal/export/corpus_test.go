package export_test

import "testing"

// TestCorpusAgreesWithTheEngine: the test rules' own events say what the
// engine does, so the export tests can trust them.
func TestCorpusAgreesWithTheEngine(t *testing.T) {
	rs, _ := corpus(t)
	n := 0
	for _, r := range rs.Rules {
		n += len(r.Portcullis.Tests)
	}
	if n < 100 {
		t.Errorf("only %d test events: the export tests would prove little", n)
	}
}
