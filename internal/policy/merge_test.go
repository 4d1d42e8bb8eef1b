package policy

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
)

var revoke = Statement{Sid: "PortcullisRevokeSessions", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"},
	Condition: map[string]map[string]any{"DateLessThan": {"aws:TokenIssueTime": "2025-06-01T12:00:00Z"}}}

const revokeJSON = `{"Sid":"PortcullisRevokeSessions","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-06-01T12:00:00Z"}}}`

func TestMergeStatements(t *testing.T) {
	cases := []struct {
		name, existing string
		add            []Statement
		want           string
	}{
		{"empty existing makes a new document", "", []Statement{revoke},
			`{"Version":"2012-10-17","Statement":[` + revokeJSON + `]}`},
		{"blank existing", " \n", []Statement{revoke},
			`{"Version":"2012-10-17","Statement":[` + revokeJSON + `]}`},
		{"single statement object becomes a list, bytes kept",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			[]Statement{revoke},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},` + revokeJSON + `]}`},
		{"pretty-printed existing is minified, element order and escapes kept",
			"{\n  \"Statement\": [\n    {\"Resource\": \"*\", \"Action\": [\"ec2:Describe*\"], \"Effect\": \"Allow\", \"Sid\": \"A\\u0042\"}\n  ],\n  \"Version\": \"2012-10-17\"\n}",
			[]Statement{revoke},
			`{"Version":"2012-10-17","Statement":[{"Resource":"*","Action":["ec2:Describe*"],"Effect":"Allow","Sid":"A\u0042"},` + revokeJSON + `]}`},
		{"Id and unknown top-level keys are kept",
			`{"Id":"team-a","Version":"2012-10-17","X-Note":{"k":[1, 2]},"Statement":[]}`,
			[]Statement{revoke},
			`{"Version":"2012-10-17","Id":"team-a","X-Note":{"k":[1,2]},"Statement":[` + revokeJSON + `]}`},
		{"same Sid replaces only that statement",
			doc(`{"Sid":"Keep1","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"PortcullisRevokeSessions","Effect":"Deny","Action":"*","Resource":"*"},{"Sid":"Keep2","Effect":"Allow","Action":"ec2:*","Resource":"*"}`),
			[]Statement{revoke},
			`{"Version":"2012-10-17","Statement":[{"Sid":"Keep1","Effect":"Allow","Action":"s3:*","Resource":"*"},` + revokeJSON + `,{"Sid":"Keep2","Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`},
		{"statements without Sid are appended",
			doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`),
			[]Statement{{Effect: "Deny", Action: []string{"iam:*"}, Resource: []string{"*"}}, {Effect: "Deny", Action: []string{"sso:*"}, Resource: []string{"*"}}},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":["iam:*"],"Resource":["*"]},{"Effect":"Deny","Action":["sso:*"],"Resource":["*"]}]}`},
		{"two added with one Sid: the later wins", "",
			[]Statement{{Sid: "X", Effect: "Deny", Action: []string{"a:b"}, Resource: []string{"*"}}, {Sid: "X", Effect: "Deny", Action: []string{"c:d"}, Resource: []string{"*"}}},
			`{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Deny","Action":["c:d"],"Resource":["*"]}]}`},
		{"nothing to add still normalises", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"2008 version without variables is upgraded", `{"Version":"2008-10-17","Statement":[]}`, []Statement{revoke},
			`{"Version":"2012-10-17","Statement":[` + revokeJSON + `]}`},
		{"URL-encoded existing", url.PathEscape(doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)), nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MergeStatements([]byte(tc.existing), tc.add, InlinePolicyMaxBytes)
			if err != nil {
				t.Fatalf("MergeStatements: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if _, err := Parse(got); err != nil {
				t.Errorf("result does not parse: %v", err)
			}
		})
	}
}

func TestMergeStatementsLimit(t *testing.T) {
	existing := []byte(doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))
	full, err := MergeStatements(existing, []Statement{revoke}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MergeStatements(existing, []Statement{revoke}, len(full)); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	_, err = MergeStatements(existing, []Statement{revoke}, len(full)-1)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over: err = %v, want ErrTooLarge", err)
	}
	// maxBytes <= 0 means the Identity Center limit.
	big := doc(`{"Sid":"` + strings.Repeat("x", InlinePolicyMaxBytes-200) + `","Effect":"Allow","Action":"s3:*","Resource":"*"}`)
	if _, err := MergeStatements([]byte(big), nil, 0); err != nil {
		t.Errorf("under 32768 with default limit: %v", err)
	}
	if _, err := MergeStatements([]byte(big), []Statement{revoke}, 0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over 32768 with default limit: err = %v", err)
	}
}

func TestMergeStatementsErrors(t *testing.T) {
	var pe *ParseError
	if _, err := MergeStatements([]byte(`{"Statement":[{"Effect":"allow"}]}`), []Statement{revoke}, 0); !errors.As(err, &pe) {
		t.Errorf("malformed existing: err = %v, want a *ParseError", err)
	} else if !strings.Contains(err.Error(), "existing document: Statement[0].Effect") {
		t.Errorf("error lacks context: %v", err)
	}
	if _, err := MergeStatements(nil, []Statement{{Effect: "Deny", Resource: []string{"*"}}}, 0); err == nil || !strings.Contains(err.Error(), "statement 0 to add: needs Action") {
		t.Errorf("invalid statement to add: err = %v", err)
	}
	if _, err := MergeStatements([]byte(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]}`), []Statement{revoke}, 0); !errors.Is(err, ErrVersionChange) {
		t.Errorf("2008 document with ${: err = %v", err)
	}
}

// Merging nothing must not change what a document grants.
func TestMergePreservesAnalysis(t *testing.T) {
	docs := []string{
		`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`,
		doc(allowAll + `,{"Effect":"Deny","Action":"iam:*","Resource":"*"}`),
		doc(`{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`),
	}
	for _, d := range docs {
		before, err := Analyze([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		merged, err := MergeStatements([]byte(d), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		after, err := Analyze(merged)
		if err != nil {
			t.Fatal(err)
		}
		if before.Level != after.Level || strings.Join(before.PrivEsc, ",") != strings.Join(after.PrivEsc, ",") ||
			strings.Join(before.Services, ",") != strings.Join(after.Services, ",") {
			t.Errorf("%s: before %+v, after %+v", d, before, after)
		}
	}
}

// The containment use: a conditional deny merged into an admin set is recorded, and by the
// conservative rule does not lower the level.
func TestMergeRevocationIntoAdmin(t *testing.T) {
	merged, err := MergeStatements([]byte(doc(allowAll)), []Statement{revoke}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(merged, []byte(`"aws:TokenIssueTime"`)) {
		t.Fatalf("merged %s", merged)
	}
	a, err := Analyze(merged)
	if err != nil {
		t.Fatal(err)
	}
	if a.Level != LevelAdmin || !strings.Contains(strings.Join(a.Reasons, "\n"), "only under a condition; not subtracted") {
		t.Errorf("analysis %+v", a)
	}
}
