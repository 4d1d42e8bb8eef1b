package cloudtrail_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
)

func gz(t testing.TB, parts ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, p := range parts { // one gzip member per part
		w := gzip.NewWriter(&out)
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func TestReadObject(t *testing.T) {
	obj := `{"Records":[` + r1 + `,` + r2 + `]}`
	whole := gz(t, obj)
	corrupt := bytes.Clone(whole)
	corrupt[len(corrupt)/2] ^= 0xff
	corrupt[len(corrupt)/2+1] ^= 0x5a
	cases := []struct {
		name    string
		in      []byte
		max     int64
		want    string // decompressed bytes (or the prefix read before an error)
		wantErr error
	}{
		{name: "plain JSON", in: []byte(obj), want: obj},
		{name: "gzip", in: whole, want: obj},
		{name: "multi-member gzip", in: gz(t, `{"Records":[`+r1, `,`+r2+`]}`), want: obj},
		{name: "empty file", in: nil, want: ""},
		{name: "one byte", in: []byte{0x1f}, want: "\x1f"},
		{name: "gzip of garbage", in: gz(t, "this is not json"), want: "this is not json"},
		{name: "truncated gzip", in: whole[:len(whole)*2/3], wantErr: cloudtrail.ErrTruncatedGzip},
		{name: "gzip without its trailer", in: whole[:len(whole)-4], want: obj, wantErr: cloudtrail.ErrTruncatedGzip},
		{name: "gzip magic only", in: []byte{0x1f, 0x8b}, wantErr: cloudtrail.ErrTruncatedGzip},
		{name: "garbage after the gzip magic", in: []byte("\x1f\x8bnot gzip at all, just bytes"), wantErr: cloudtrail.ErrCorruptGzip},
		{name: "corrupt deflate data", in: corrupt, wantErr: cloudtrail.ErrCorruptGzip},
		{name: "trailing garbage after a member", in: append(bytes.Clone(whole), "garbage after the member"...), want: obj, wantErr: cloudtrail.ErrCorruptGzip},
		{name: "plain over the cap", in: []byte(obj), max: 10, wantErr: cloudtrail.ErrTooLarge},
		{name: "gzip bomb over the cap", in: gz(t, strings.Repeat("\x00", 8<<20)), max: 1 << 20, wantErr: cloudtrail.ErrTooLarge},
		{name: "exactly the cap", in: whole, max: int64(len(obj)), want: obj},
	}
	var rd cloudtrail.ObjectReader // reused across cases, as a worker does
	var buf bytes.Buffer
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rd.MaxBytes = tc.max
			got, err := rd.Read(bytes.NewReader(tc.in), "trail/obj.json.gz", &buf)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if string(got) != tc.want {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), "trail/obj.json.gz") {
				t.Errorf("error %q does not name the file", err)
			}
			if errors.Is(err, cloudtrail.ErrTruncatedGzip) && !strings.HasPrefix(obj, string(got)) {
				t.Errorf("partial data %q is not a prefix of the object", got)
			}
			if tc.want != "" && string(got) != tc.want {
				t.Errorf("got %q before the error, want %q", got, tc.want)
			}
			if errors.Is(err, cloudtrail.ErrTooLarge) && got != nil {
				t.Errorf("over the cap: got %d bytes, want none", len(got))
			}
		})
	}
}

// A truncated gzip still yields the records before the damage.
func TestReadObjectTruncatedKeepsRecords(t *testing.T) {
	obj := cloudtrailtest.New(5).AppendObject(nil, 200, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "111122223333", "us-east-1")
	z := gz(t, string(obj))
	data, err := cloudtrail.ReadObject(bytes.NewReader(z[:len(z)/2]), "half.json.gz", new(bytes.Buffer))
	if !errors.Is(err, cloudtrail.ErrTruncatedGzip) {
		t.Fatalf("error %v, want truncated gzip", err)
	}
	n, bad := 0, 0
	_ = cloudtrail.SplitErr(data, func(int, []byte) error { n++; return nil }, func(int, int64, error) { bad++ })
	if n == 0 || n >= 200 || bad != 1 {
		t.Errorf("got %d records and %d bad slots from half an object, want some records and one truncated slot", n, bad)
	}
}
