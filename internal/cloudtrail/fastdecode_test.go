package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// refDecode is what DecodeFast must agree with: encoding/json with
// UseNumber, one value and nothing after it.
func refDecode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

func fastValue(b []byte) (any, error) {
	d := fastDecoder{data: b, src: string(b)}
	v, err := d.value(0)
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

var decodeSeeds = []string{
	`{"eventSource":"sso.amazonaws.com","n":-1.5e+3,"z":0,"b":[true,false,null],"o":{}}`,
	`{"s":"tab\tnl\nq\"bs\\sl\/u\u00e9\u20ac"}`,
	`{"pair":"\ud83d\ude00","lone":"\ud83d","low":"\ude00x","bad":"\ud83d\u0041"}`,
	"{\"utf8\":\"\xc3\xa9\xe2\x82\xac\",\"invalid\":\"a\xffb\xc3\",\"surrogate-utf8\":\"\xed\xa0\x80\"}",
	`{"dup":1,"dup":2,"eventName":"x"}`,
	`[1,[2,[3,{"a":[]}]]]`, `"str"`, `-0`, `01`, `1.`, `.5`, `1e`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":tru}`,
	"{\"ctl\":\"a\x01b\"}", `{"esc":"\x"}`, `{"u":"\u12G4"}`, `{} x`, ` {} `, `{"a":"b"`, `{"k\u0065y":1}`,
}

func TestDecodeFastMatchesEncodingJSON(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deeper := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for _, s := range append(decodeSeeds, deep, deeper) {
		want, werr := refDecode([]byte(s))
		got, gerr := fastValue([]byte(s))
		if (werr != nil) != (gerr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%.60q: got %#v, %v; encoding/json %#v, %v", s, got, gerr, want, werr)
		}
		if gerr != nil && !errors.Is(gerr, ErrInvalidJSON) {
			t.Errorf("%.60q: error %v does not wrap ErrInvalidJSON", s, gerr)
		}
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := refDecode(b)
		got, gerr := fastValue(b)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("%q: DecodeFast error %v, encoding/json error %v", b, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", b, got, want)
		}
	})
}

func TestDecodeFastEvent(t *testing.T) {
	rec := []byte(`{"eventVersion":"1.08","eventTime":"2024-06-02 19:41:40.000000000","eventSource":"sso.amazonaws.com","eventName":"Federate","eventID":"e1","readOnly":"true","recipientAccountId":"111122223333"}`)
	want, err := Decode(rec, Origin{File: "f", Index: 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFast(rec, Origin{File: "f", Index: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeFast = %+v, Decode = %+v", got, want)
	}
	rec[2] = 'X' // the event owns a copy
	if got.Raw[2] == 'X' {
		t.Error("Raw shares the caller's buffer")
	}
	for in, want := range map[string]string{
		`[1]`:                    "record is an array, not an object",
		`{"eventSource":"x"`:     "invalid JSON: unexpected end of data",
		`{"a":1}`:                "not a CloudTrail record",
		`{"eventSource":"x"} {}`: "invalid JSON: want the end of the record",
	} {
		_, err := DecodeFast([]byte(in), Origin{File: "f.json", Index: 7})
		var de *DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "f.json: record 7") {
			t.Errorf("%s: error %v, want a DecodeError saying %q", in, err, want)
		}
	}
}
