package cloudtrail

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// lazyCases are DecodeFast's seeds plus records that exercise what
// DecodeLazy reads itself: the typed keys, their errors, duplicates and
// escaped spellings.
var lazyCases = append(append([]string(nil), decodeSeeds...),
	`{"eventVersion":"1.08","eventTime":"2024-06-02T19:41:40Z","eventSource":"sso.amazonaws.com","eventName":"Federate","eventID":"e1","readOnly":"true","recipientAccountId":"111122223333","awsRegion":"us-east-1","errorCode":"x","requestParameters":{"a":[1,{"b":null}]}}`,
	`{"eventSource":"a","eventSource":"b","eventName":"n","eventTime":"bad"}`,
	`{"eventSource":1,"eventName":"n"}`,
	`{"eventName":"n","eventID":["x"]}`,
	`{"eventName":"n","readOnly":false,"eventTime":"Jan 2, 2006 3:04:05 PM"}`,
	`{"event\u0053ource":"sso.amazonaws.com","eventN\u0061me":"x"}`,
	`{"eventName":"n","eventTime":null,"errorCode":null}`,
	`{"eventName":"n","x":{"y":[1,2,}}`,
	`{"eventName":"n","x":"a\u12"}`,
	"{\"eventName\":\"n\",\"x\":\"\xff\xfe\"}",
	` {"eventName":"n"} `, `{"eventName":"n"}}`, `[]`, `  `, `"x"`,
)

// TestDecodeLazyIsDecodeFast: DecodeLazy then Resolve gives exactly the
// event DecodeFast gives, and the same error for the same bytes, on the
// seeds and on every real record in ../shared/reference-events when it is
// beside the repository.
func TestDecodeLazyIsDecodeFast(t *testing.T) {
	cases := lazyCases
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "reference-events", "events", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_ = SplitRecords(b, func(r *Record) error {
			cases = append(cases, string(r.Raw))
			return nil
		}, nil)
	}
	if len(files) > 0 && len(cases) < len(lazyCases)+len(files) {
		t.Fatalf("only %d cases from %d reference files", len(cases)-len(lazyCases), len(files))
	}
	for _, s := range cases {
		checkLazy(t, []byte(s))
	}
}

func checkLazy(t *testing.T, rec []byte) {
	t.Helper()
	o := Origin{File: "f.json", Index: 4}
	want, werr := DecodeFast(rec, o)
	got, gerr := DecodeLazy(rec, o)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%.80q: DecodeLazy error %v, DecodeFast error %v", rec, gerr, werr)
	}
	if werr != nil {
		return
	}
	if got.Fields != nil {
		t.Fatalf("%.80q: DecodeLazy built Fields", rec)
	}
	if err := got.Resolve(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.80q:\n lazy %+v\n fast %+v", rec, got, want)
	}
}

func FuzzDecodeLazy(f *testing.F) {
	for _, s := range lazyCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if strings.Count(string(b), "[") > 5000 {
			t.Skip() // depth limits are DecodeFast's test
		}
		checkLazy(t, b)
	})
}
