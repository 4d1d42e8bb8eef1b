package drift

import (
	"fmt"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// BenchmarkDiffSynthetic: a large instance against a copy with 200 planted
// assignments (the watch daemon's case: diff after each change).
func BenchmarkDiffSynthetic(b *testing.B) {
	base, cur := syntheticPair(b, 200)
	b.ResetTimer()
	for b.Loop() {
		Diff(base, cur, nil)
	}
}

// BenchmarkReconcileSynthetic: 200 rogue assignments explained against
// 20,000 Identity Center writes.
func BenchmarkReconcileSynthetic(b *testing.B) {
	base, cur := syntheticPair(b, 200)
	var evs []*cloudtrail.Event
	for i := range 20000 {
		a := cur.Assignments[i%len(cur.Assignments)]
		raw := fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","eventID":"ev-%d","eventTime":"2025-03-01T00:00:00Z",`+
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/u%d"},"requestParameters":{"targetId":%q,"targetType":"AWS_ACCOUNT","permissionSetArn":%q,"principalType":%q,"principalId":%q}}`,
			i, i%7, a.AccountID, a.PermissionSetARN, a.PrincipalType, a.PrincipalID)
		e, err := cloudtrail.Decode([]byte(raw), cloudtrail.Origin{Index: i})
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, e)
	}
	b.ResetTimer()
	for b.Loop() {
		r := Reconcile(base, cur, evs, nil)
		if r.Rogue() != 200 {
			b.Fatalf("rogue %d", r.Rogue())
		}
	}
}

func syntheticPair(b *testing.B, planted int) (*idc.Model, *idc.Model) {
	b.Helper()
	full := idc.Synthetic(1, 2000, 400, 100, 60, 20000)
	base := idc.Synthetic(1, 2000, 400, 100, 60, 20000)
	base.Assignments = base.Assignments[planted:]
	base.Index()
	return base, full
}
