package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

func BenchmarkCommitOne(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprint(i)
		if _, err := s.Commit(ctx, Batch{Findings: []finding.Finding{mkFinding("r", finding.High, time.Now(), id)}, Processed: []string{"ev:" + id}, StateName: "d", State: []byte("{}")}); err != nil {
			b.Fatal(err)
		}
	}
}
