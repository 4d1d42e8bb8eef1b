//go:build cgo

package athenafake

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/athena"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// records of every shape the table must carry back: Identity Center users
// (onBehalfOf), assumed roles with session context, resources (whose key
// is ARN), JSON text columns holding objects with numbers and arrays,
// readOnly as a boolean, strings that look like booleans, tlsDetails,
// addendum, HTML characters, and keys the table does not have.
var roundTrip = []string{
	`{"eventVersion":"1.11","userIdentity":{"type":"IdentityCenterUser","accountId":"111111111111","onBehalfOf":{"userId":"9067f6a4-1111-2222-3333-444444444444","identityStoreArn":"arn:aws:identitystore::111111111111:identitystore/d-1"},"credentialId":"dropped"},"eventTime":"2026-11-02T10:00:00Z","eventSource":"sso.amazonaws.com","eventName":"GetRoleCredentials","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"Mozilla/5.0 <x> & y","requestParameters":null,"responseElements":null,"additionalEventData":{"UserName":"alice","CredentialType":"PASSWORD"},"requestID":"r-1","eventID":"e-1","readOnly":true,"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"111111111111","serviceEventDetails":{"role_name":"AdministratorAccess","account_id":"222222222222"},"eventCategory":"Management","sessionCredentialFromConsole":"true","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"portal.sso.us-east-1.amazonaws.com"}}`,
	`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:alice","arn":"arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice","accountId":"111111111111","accessKeyId":"ASIA","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef","accountId":"111111111111","userName":"AWSReservedSSO_Admin_0123456789abcdef"},"attributes":{"creationDate":"2026-11-02T09:00:00Z","mfaAuthenticated":"false"}},"invokedBy":"sso.amazonaws.com"},"eventTime":"2026-11-02T10:00:01Z","eventSource":"sso.amazonaws.com","eventName":"PutInlinePolicyToPermissionSet","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2","requestParameters":{"instanceArn":"arn:aws:sso:::instance/ssoins-1","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1","inlinePolicy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}","n":12.50,"list":[1,{"a":null}]},"responseElements":{},"requestID":"r-2","eventID":"e-2","readOnly":false,"resources":[{"accountId":"111111111111","type":"AWS::SSO::PermissionSet","ARN":"arn:aws:sso:::permissionSet/ssoins-1/ps-1"}],"eventType":"AwsApiCall","recipientAccountId":"111111111111","addendum":{"reason":"DELIVERY_DELAY","originalRequestID":"r-0"}}`,
	`{"eventVersion":"1.08","userIdentity":{"type":"SAMLUser","principalId":"x:alice","userName":"alice","identityProvider":"dropped"},"eventTime":"2026-11-02T10:00:02Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","awsRegion":"eu-west-1","errorCode":"AccessDenied","requestParameters":{"roleArn":"arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"},"responseElements":null,"eventID":"e-3","eventType":"AwsApiCall","recipientAccountId":"222222222222"}`,
}

// dropped are the keys the standard table has no column or field for.
var dropped = map[string][]string{"": {"managementEvent"}, "userIdentity": {"credentialId", "identityProvider"}}

// TestRecordsSurviveTheTable: a record loaded through the SerDe, selected
// by the hunt's query on DuckDB and rebuilt by athena.Decoder has the
// fields a local decode of the file gives (less the keys the table does
// not have, and the JSON nulls it cannot tell from absent keys).
func TestRecordsSurviveTheTable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "trail.json")
	body := `{"Records":[` + roundTrip[0] + "," + roundTrip[1] + "," + roundTrip[2] + `]}`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateCloudTrailTable(ctx, "s", "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(ctx, "s", "t", file); err != nil {
		t.Fatal(err)
	}
	q, err := athena.BuildQuery(athena.Table{Database: "s", Name: "t"}, athena.Window{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := Translate(q.SQL)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := db.SQL().QueryContext(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	dec := athena.NewDecoder(q)
	n := 0
	for rs.Next() {
		vals := make([]any, len(q.Columns)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make(athena.Row, len(vals))
		for i, v := range vals {
			row[i] = render(v)
		}
		got, err := dec.Decode(row, cloudtrail.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := cloudtrail.DecodeFast([]byte(roundTrip[n]), cloudtrail.Origin{File: file})
		if err != nil {
			t.Fatal(err)
		}
		for parent, keys := range dropped {
			m := want.Fields
			if parent != "" {
				m, _ = m[parent].(map[string]any)
			}
			for _, k := range keys {
				delete(m, k)
			}
		}
		for k, v := range want.Fields {
			if v == nil {
				delete(want.Fields, k) // "requestParameters": null reads back as absent
			}
		}
		if !reflect.DeepEqual(got.Fields, want.Fields) {
			t.Errorf("record %d:\n got  %#v\n want %#v", n, got.Fields, want.Fields)
		}
		if got.Origin.File != file || got.Time != want.Time || got.ReadOnly != want.ReadOnly || got.ID != want.ID {
			t.Errorf("record %d: origin %q time %s readOnly %v id %s", n, got.Origin.File, got.Time, got.ReadOnly, got.ID)
		}
		n++
	}
	if n != len(roundTrip) {
		t.Fatalf("read back %d records, want %d", n, len(roundTrip))
	}
}
