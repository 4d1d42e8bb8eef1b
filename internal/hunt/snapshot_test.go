package hunt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestSnapshotTiesMemberAccountPolicyToPermissionSet: a trail that holds
// only the member-account rewrite of a customer managed policy is judged by
// the permission set a snapshot says references it there (through the real
// ingest path: file, splitter, prefilter, decoder); without the snapshot
// nothing ties the policy to Identity Center.
func TestSnapshotTiesMemberAccountPolicyToPermissionSet(t *testing.T) {
	const trail = `{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-02T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreatePolicyVersion",
"awsRegion":"us-east-1","eventID":"00000000-0000-4000-8000-00000000b0f1","recipientAccountId":"333333333333",
"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::333333333333:assumed-role/ci-runner/job-7","accountId":"333333333333"},
"requestParameters":{"policyArn":"arn:aws:iam::333333333333:policy/teams/data-base","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}","setAsDefault":true},
"responseElements":{"policyVersion":{"versionId":"v2","isDefaultVersion":true}}}]}`
	dir := t.TempDir()
	path := filepath.Join(dir, "trail.json")
	if err := os.WriteFile(path, []byte(trail), 0o644); err != nil {
		t.Fatal(err)
	}
	m := idc.New("aws")
	ps := &idc.PermissionSet{ARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", Name: "DataEngineer", ProvisionedTo: []string{"333333333333"},
		CustomerManagedPolicies: []idc.PolicyRef{{Name: "data-base", Path: "/teams/"}}}
	m.PermissionSets[ps.ARN] = ps
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	snap, err := idc.Read(&buf, "snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		snap *idc.Model
		want string // "" = no finding
	}{
		{"with the snapshot", snap, "critical"},
		{"without", nil, ""},
	} {
		res, err := Run(context.Background(), Options{Paths: []string{path}, Snapshot: c.snap})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, f := range res.Findings {
			if f.Rule == "idc.permission-set.referenced-policy-changed" {
				got = f.Severity.String()
			}
		}
		if got != c.want {
			t.Errorf("%s: severity %v, want %v", c.name, got, c.want)
		}
	}
}
