//go:build linux

package faults

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/store"
)

// The truth: event i is a permissions boundary removed by its own IAM user,
// which the rule pack answers with exactly one finding of rule truthRule
// (distinct actors: no correlation across events).
const truthRule = "idc.permission-set.boundary-removed"

func eventID(i int) string { return fmt.Sprintf("fault-evt-%06d", i) }

func record(i int) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/intruder-%d","userName":"intruder-%d","accountId":"111111111111"},`+
		`"eventTime":"2026-11-02T%02d:%02d:%02dZ","eventSource":"sso.amazonaws.com","eventName":"DeletePermissionsBoundaryFromPermissionSet","awsRegion":"us-east-1",`+
		`"sourceIPAddress":"198.51.100.7","requestParameters":{"instanceArn":"arn:aws:sso:::instance/ssoins-1111111111111111","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-%016x"},`+
		`"eventID":%q,"readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111111111111"}`,
		i, i, (i/3600)%24, (i/60)%60, i%60, i, eventID(i))
}

// eventBridge wraps record i as EventBridge delivers it.
func eventBridge(i int) string {
	return `{"version":"0","id":"eb-` + fmt.Sprint(i) + `","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","account":"111111111111",` +
		`"time":"2026-11-02T10:00:00Z","region":"us-east-1","resources":[],"detail":` + record(i) + `}`
}

// tally compares a store's findings with the truth for events 0..n-1.
type tally struct {
	events, findings, lost, doubled, other int
}

func (c tally) String() string {
	return fmt.Sprintf("%d events, %d findings: %d lost, %d doubled, %d unexpected", c.events, c.findings, c.lost, c.doubled, c.other)
}

func count(t *testing.T, storePath string, n int) tally {
	t.Helper()
	st, err := store.Open(context.Background(), storePath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.ListFindings(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	c := tally{events: n, findings: len(rs)}
	per := map[string]int{}
	for _, r := range rs {
		if r.Rule != truthRule || len(r.Events) != 1 {
			c.other++
			continue
		}
		per[r.Events[0].EventID]++
	}
	for i := range n {
		switch k := per[eventID(i)]; {
		case k == 0:
			c.lost++
		case k > 1:
			c.doubled += k - 1
		}
		delete(per, eventID(i))
	}
	c.other += len(per)
	if c.other > 0 {
		var extra []string
		for id := range per {
			extra = append(extra, id)
		}
		sort.Strings(extra)
		t.Logf("unexpected findings for %v", extra)
	}
	return c
}
