package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	nested := func(depth int) string {
		return `{"Statement":[],"X":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
	}
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "", "document: empty"},
		{"blank", " \n\t ", "document: empty"},
		{"top-level list", `[{"Statement":[]}]`, "document: want a JSON object, got a list"},
		{"top-level string", `"{}"`, `document: want a JSON object, got "{}"`},
		{"top-level number", `5`, "document: want a JSON object, got 5"},
		{"top-level null", `null`, "document: want a JSON object, got null"},
		{"truncated", `{"Statement":[`, "document: invalid JSON"},
		{"two objects", `{"Statement":[]} {"Statement":[]}`, "document: invalid JSON"},
		{"too deep", nested(20000), "document: invalid JSON"},
		{"no Statement", `{"Version":"2012-10-17"}`, "Statement: missing"},
		{"null Statement", `{"Statement":null}`, "Statement: missing"},
		{"Statement number", `{"Statement":5}`, "Statement: want an object or a list of objects, got 5"},
		{"Statement element string", `{"Statement":["x"]}`, `Statement[0]: want an object, got "x"`},
		{"Statement element null", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},null]}`, "Statement[1]: want an object, got null"},
		{"Effect number", doc(allowAll + `,{"Effect":5,"Action":"*","Resource":"*"}`), `Statement[1].Effect: want "Allow" or "Deny", got 5`},
		{"Effect lower case", doc(`{"Effect":"allow","Action":"*","Resource":"*"}`), `Statement[0].Effect: want "Allow" or "Deny", got "allow"`},
		{"Effect null", doc(`{"Effect":null,"Action":"*","Resource":"*"}`), `Statement[0].Effect: want "Allow" or "Deny", got null`},
		{"Effect list", doc(`{"Effect":["Allow"],"Action":"*","Resource":"*"}`), `Statement[0].Effect: want "Allow" or "Deny", got a list`},
		{"Effect missing", doc(`{"Action":"*","Resource":"*"}`), "Statement[0].Effect: missing"},
		{"Action number", doc(`{"Effect":"Allow","Action":5,"Resource":"*"}`), "Statement[0].Action: want a string or a list of strings, got 5"},
		{"Action object", doc(`{"Effect":"Allow","Action":{"a":1},"Resource":"*"}`), "Statement[0].Action: want a string or a list of strings, got an object"},
		{"Action element number", doc(`{"Effect":"Allow","Action":["s3:*",1],"Resource":"*"}`), "Statement[0].Action[1]: want string, got 1"},
		{"Action element null", doc(`{"Effect":"Allow","Action":[null],"Resource":"*"}`), "Statement[0].Action[0]: want string, got null"},
		{"NotResource element list", doc(`{"Effect":"Allow","Action":"*","NotResource":[["*"]]}`), "Statement[0].NotResource[0]: want string, got a list"},
		{"both Action and NotAction", doc(`{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}`), "Statement[0]: has both Action and NotAction"},
		{"no action", doc(`{"Effect":"Allow","Resource":"*"}`), "Statement[0]: needs Action or NotAction"},
		{"null action", doc(`{"Effect":"Allow","Action":null,"Resource":"*"}`), "Statement[0]: needs Action or NotAction"},
		{"both Resource and NotResource", doc(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}`), "Statement[0]: has both Resource and NotResource"},
		{"no resource", doc(`{"Effect":"Allow","Action":"*"}`), "Statement[0]: needs Resource or NotResource"},
		{"repeated Effect", doc(`{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}`), `Statement[0].Effect: repeated element (keys "Effect" and "Effect")`},
		{"Action and action", doc(`{"Effect":"Allow","Action":"s3:GetObject","action":"*","Resource":"*"}`), `Statement[0].Action: repeated element (keys "Action" and "action")`},
		{"repeated Statement", `{"Statement":[],"Statement":[` + allowAll + `]}`, "document.Statement: repeated element"},
		{"Condition number", doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":5}`), "Statement[0].Condition: want an object, got 5"},
		{"Condition operator string", doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":"x"}}`), `Statement[0].Condition.Bool: want an object, got "x"`},
		{"Version number", `{"Version":2012,"Statement":[]}`, "Version: want string, got 2012"},
		{"Sid number", doc(`{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}`), "Statement[0].Sid: want string, got 1"},
		{"bad URL encoding", `%7B%zz`, "document: bad URL encoding"},
		{"long value shortened", doc(`{"Effect":"` + strings.Repeat("x", 200) + `","Action":"*","Resource":"*"}`), `got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Analyze([]byte(tc.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want a *ParseError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	big := []byte(doc(`{"Sid":"` + strings.Repeat("a", MaxDocumentBytes) + `","Effect":"Allow","Action":"*","Resource":"*"}`))
	_, err := Analyze(big)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Field != "document" || !strings.Contains(pe.Msg, "1048576-byte limit") {
		t.Errorf("err = %#v", err)
	}
}

func TestParseAccepts(t *testing.T) {
	plain := doc(`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`)
	cases := []struct {
		name, doc string
		stmts     int
	}{
		{"plain", plain, 1},
		{"BOM and spaces", "\xef\xbb\xbf \n" + plain + "\n", 1},
		{"URL-encoded as IAM Get*Policy returns it", url.PathEscape(plain), 1},
		{"single statement object", `{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`, 1},
		{"null optional fields", doc(`{"Sid":null,"Effect":"Allow","Action":null,"NotAction":"s3:*","Resource":"*","Condition":null,"Principal":null}`), 1},
		{"escaped action", doc(`{"Effect":"Allow","Action":"\u0069am:*","Resource":"*"}`), 1},
		{"Version 2008", `{"Version":"2008-10-17","Statement":[]}`, 0},
		{"moderately nested unknown key", `{"Statement":[],"X":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`, 0},
		{"pretty printed", "{\n  \"Statement\" : [ {\n    \"Effect\" : \"Allow\" ,\n    \"Action\" : [ \"iam:*\" ] ,\n    \"Resource\" : \"*\"\n  } ]\n}", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(d.Statement) != tc.stmts {
				t.Fatalf("%d statements, want %d", len(d.Statement), tc.stmts)
			}
			if tc.stmts == 1 && d.Statement[0].Effect != "Allow" {
				t.Errorf("effect %q", d.Statement[0].Effect)
			}
		})
	}
	d, err := Parse([]byte(doc(`{"Sid":"S1","Effect":"Deny","NotAction":["iam:*","sso:*"],"NotResource":"arn:aws:s3:::b","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}`)))
	if err != nil {
		t.Fatal(err)
	}
	s := d.Statement[0]
	if s.Sid != "S1" || s.Effect != "Deny" || len(s.NotAction) != 2 || s.NotResource[0] != "arn:aws:s3:::b" || s.Action != nil || s.Resource != nil {
		t.Errorf("statement %+v", s)
	}
	if n, ok := s.Condition["NumericLessThan"]["aws:MultiFactorAuthAge"].(json.Number); !ok || n != "3600" {
		t.Errorf("condition value %#v", s.Condition)
	}
	if d.Version != "2012-10-17" {
		t.Errorf("version %q", d.Version)
	}
}

func TestParseHugeActionList(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"Statement":[{"Effect":"Allow","Resource":"*","Action":[`)
	for i := 0; b.Len() < MaxDocumentBytes-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"s3:GetObject`)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteByte('"')
	}
	b.WriteString(`,"iam:*"]}]}`)
	a, err := Analyze(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if a.Level != LevelPrivileged {
		t.Errorf("level %s", a.Level)
	}
}

func TestStatementJSON(t *testing.T) {
	s := Statement{Sid: "Deny", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"},
		Condition: map[string]map[string]any{"DateLessThan": {"aws:TokenIssueTime": "2025-06-01T00:00:00Z"}}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Sid":"Deny","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-06-01T00:00:00Z"}}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back Statement
	if err := json.Unmarshal([]byte(`{"Effect":"Allow","NotAction":"iam:*","NotResource":["a","b"]}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Effect != "Allow" || len(back.NotAction) != 1 || back.NotAction[0] != "iam:*" || len(back.NotResource) != 2 {
		t.Errorf("decoded %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"Effect":"allow","Action":"*","Resource":"*"}`), &back); err == nil {
		t.Error("lower-case effect accepted")
	}
	if err := json.Unmarshal([]byte(`[1]`), &back); err == nil {
		t.Error("list accepted as a statement")
	}
	// MarshalJSON itself (what MergeStatements writes) does not HTML-escape; json.Marshal
	// re-escapes <, > and & on its own, which is equivalent JSON.
	b, _ = Statement{Effect: "Allow", Action: []string{"<a>&"}, Resource: []string{"*"}}.MarshalJSON()
	if !strings.Contains(string(b), `"<a>&"`) {
		t.Errorf("HTML-escaped: %s", b)
	}
}

func TestStatementValidate(t *testing.T) {
	ok := Statement{Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid statement: %v", err)
	}
	bad := []Statement{
		{Effect: "deny", Action: []string{"*"}, Resource: []string{"*"}},
		{Effect: "Deny", Resource: []string{"*"}},
		{Effect: "Deny", Action: []string{"*"}, NotAction: []string{"x"}, Resource: []string{"*"}},
		{Effect: "Deny", Action: []string{"*"}},
		{Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}, NotResource: []string{"x"}},
	}
	for i, s := range bad {
		if s.Validate() == nil {
			t.Errorf("bad[%d] accepted", i)
		}
	}
}
