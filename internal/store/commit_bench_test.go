package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// BenchmarkCommit is one watcher commit: a batch of findings of the kind a
// new assignment raises, their event ids and a few state rows, on a store
// already holding thousands.
func BenchmarkCommit(b *testing.B) {
	for _, size := range []int{1, 4, 16} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			s, _ := openTemp(b)
			ctx := context.Background()
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			n := 0
			batch := func() Batch {
				var bt Batch
				for range size {
					n++
					id := fmt.Sprintf("ev-%08d", n)
					f := mkFinding("idc.assignment.created", finding.High, at.Add(time.Duration(n)*time.Millisecond), id)
					f.Actor = finding.Actor{ARN: fmt.Sprintf("arn:aws:iam::111111111111:user/intruder-%d", n%50), Name: fmt.Sprintf("intruder-%d", n%50), Type: "IAMUser"}
					f.Account = "111111111111"
					f.Targets = finding.Targets{AccountID: "222222222222", PermissionSetARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", PrincipalType: "USER", PrincipalID: fmt.Sprintf("u-%08d", n)}
					f.Summary = "intruder granted a permission set to a user in an account, a longer summary as real findings carry"
					f.Remediation = "Review the assignment; remove it if it was not expected, and find out how the actor got the right to make it."
					bt.Findings = append(bt.Findings, f)
					bt.Processed = append(bt.Processed, "ev:"+id)
				}
				bt.StateName = "detector"
				bt.State = func(put func(kind, key string, value []byte) error) error {
					for i := range size {
						if err := put("model.assignment", fmt.Sprintf("ps|USER|u-%08d|2222", n-i), []byte(`{"account_id":"222222222222","permission_set_arn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1","principal_type":"USER","principal_id":"u","source":"event:x"}`)); err != nil {
							return err
						}
					}
					return put("corr:x", "k", make([]byte, 800))
				}
				return bt
			}
			for range 2000 / size {
				if _, err := s.Commit(ctx, batch()); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Commit(ctx, batch()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*size), "µs/finding")
		})
	}
}
