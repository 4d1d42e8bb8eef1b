package idc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

// readReference is ReadBytes with encoding/json alone: what every snapshot
// read gave before decodeFast, and the behaviour it must keep.
func readReference(b []byte, name string) (*Model, error) {
	m, err := decodeReference(bytes.NewReader(b), name)
	if err != nil {
		return nil, err
	}
	return m.finish(name)
}

// sameAsReference checks that b reads exactly as encoding/json reads it:
// the same model field for field, or the same error word for word. It
// reports whether the fast path decoded b itself.
func sameAsReference(t *testing.T, b []byte, name string) (fast bool) {
	t.Helper()
	ref, refErr := decodeReference(bytes.NewReader(b), name)
	m, ok := decodeFast(b)
	if ok {
		switch {
		case refErr != nil:
			t.Errorf("%s: the fast decoder accepts what encoding/json refuses (%v)", name, refErr)
		case !reflect.DeepEqual(m, ref):
			got, _ := json.Marshal(m)
			want, _ := json.Marshal(ref)
			t.Errorf("%s: models differ\nfast: %.2000s\nref:  %.2000s", name, got, want)
		}
	}
	// The window refilled at every byte: tokens cut at every place.
	ms, oks := decodeWindow(iotest.OneByteReader(bytes.NewReader(b)), 1)
	if oks != ok || ok && !reflect.DeepEqual(ms, m) {
		t.Errorf("%s: decoding as a stream differs (ok %v, in memory %v)", name, oks, ok)
	}
	want, wantErr := readReference(b, name)
	for path, read := range map[string]func() (*Model, error){
		"ReadBytes":     func() (*Model, error) { return ReadBytes(b, name) },
		"Read (seeker)": func() (*Model, error) { return Read(bytes.NewReader(b), name) },
		"Read (a pipe)": func() (*Model, error) { return Read(struct{ io.Reader }{bytes.NewReader(b)}, name) },
		"Read (read on)": func() (*Model, error) {
			r := bytes.NewReader(append([]byte("xx"), b...))
			if _, err := r.Read(make([]byte, 2)); err != nil {
				t.Fatal(err)
			}
			return Read(r, name) // seeks back to where it started, not to 0
		},
	} {
		got, gotErr := read()
		switch {
		case (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error():
			t.Errorf("%s: %s: error %v, encoding/json gives %v", name, path, gotErr, wantErr)
		case gotErr == nil:
			var g, w bytes.Buffer
			if err := got.Write(&g); err != nil {
				t.Fatal(err)
			}
			if err := want.Write(&w); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(g.Bytes(), w.Bytes()) {
				t.Errorf("%s: %s: the read models write differently", name, path)
			}
		}
	}
	return ok
}

// repoJSON is every JSON file of the repository: snapshot fixtures and
// everything else (Terraform, CloudTrail, findings), which must fail the
// same way through both paths.
var repoJSON = sync.OnceValues(func() (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case e.IsDir() && (e.Name() == ".git" || e.Name() == "node_modules"):
			return filepath.SkipDir
		case e.IsDir() || !strings.HasSuffix(path, ".json"):
			return nil
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	return files, err
})

func TestFastDecoderReadsEveryFixtureAsEncodingJSON(t *testing.T) {
	files, err := repoJSON()
	if err != nil {
		t.Fatal(err)
	}
	snapshots := 0
	for _, path := range slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	}) {
		b := files[path]
		fast := sameAsReference(t, b, path)
		if _, err := readReference(b, path); err == nil {
			snapshots++
			if !fast {
				t.Errorf("%s: a snapshot the fast path hands to encoding/json", path)
			}
		}
	}
	if snapshots < 10 {
		t.Errorf("only %d snapshot fixtures found in the repository", snapshots)
	}
}

// TestFastDecoderReadsSyntheticModels: snapshots portcullis writes, of
// several sizes and with every optional field and awkward strings, are
// decoded by the fast path itself, to the model encoding/json gives.
func TestFastDecoderReadsSyntheticModels(t *testing.T) {
	for name, m := range map[string]*Model{
		"synthetic":    Synthetic(3, 200, 30, 12, 25, 600),
		"no users":     Synthetic(4, 0, 5, 3, 2, 10),
		"empty":        New("file"),
		"odd strings":  oddStrings(Synthetic(5, 40, 8, 6, 6, 60)),
		"all optional": allOptional(Synthetic(6, 10, 3, 3, 3, 12)),
	} {
		var buf bytes.Buffer
		if err := m.Write(&buf); err != nil {
			t.Fatal(err)
		}
		if !sameAsReference(t, buf.Bytes(), name+".json") {
			t.Errorf("%s: the fast path did not decode a snapshot portcullis wrote", name)
		}
	}
}

// oddStrings puts strings that need escaping, or are not valid UTF-8,
// into every kind of string of m.
func oddStrings(m *Model) *Model {
	odd := []string{`q"uote`, `back\slash`, "tab\tline\nbreak", "<b>&</b>", "Zoë ☃ 𝄞", "bad\xffbyte", "\u2028sep", "nul\x00", ""}
	i := 0
	next := func() string { i++; return odd[i%len(odd)] }
	for _, u := range m.Users {
		u.UserName, u.DisplayName, u.Email = next(), next(), next()
	}
	for _, g := range m.Groups {
		g.DisplayName, g.Description = next(), next()
	}
	for _, a := range m.Accounts {
		a.Name, a.OUPath = next(), next()
	}
	for _, ps := range m.PermissionSets {
		ps.Name, ps.Description, ps.RelayState = next(), next(), next()
		ps.Tags = map[string]string{next(): next(), "k" + next(): next()}
	}
	m.From, m.Missing = next(), []string{next(), next()}
	return m
}

// allOptional fills the fields a synthetic model leaves empty.
func allOptional(m *Model) *Model {
	m.Partial, m.Missing = true, []string{"identitystore:ListGroupMemberships"}
	for _, ps := range m.PermissionSets {
		ps.PermissionsBoundary = &PolicyRef{Name: "Boundary", Path: "/b/"}
		ps.CustomerManagedPolicies = []PolicyRef{{Name: "P", Path: "/"}, {ManagedPolicyARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}
		ps.Tags = map[string]string{"team": "platform", "": ""}
		ps.ProvisionedTo = []string{}
		ps.SessionDuration = "PT8H"
		ps.CreatedAt = time.Date(2025, 2, 3, 4, 5, 6, 789, time.FixedZone("x", 5400))
	}
	for _, u := range m.Users {
		u.ExternalID = "ext-" + u.ID
	}
	for _, g := range m.Groups {
		g.ExternalID = "ext-" + g.ID
	}
	return m
}

// TestBadSnapshotErrorSaysWhereAndWhat: what the fast path does not take
// is decoded by encoding/json, whose error is then worded with the line,
// column and field of the fault, the same through every entry point.
func TestBadSnapshotErrorSaysWhereAndWhat(t *testing.T) {
	const s = `{"schema":"portcullis.snapshot/v1",` // 35 bytes: a value after it starts at column 36
	tests := []struct{ name, doc, want string }{
		{"empty", ``, "no JSON in the file: it is empty or blank"},
		{"blank", " \n\t", "no JSON in the file: it is empty or blank"},
		{"truncated", s + `"assignments":[{"account_id":"1"`, "line 1, column 68: the file ends inside the snapshot (unexpected EOF)"},
		{"truncated in a string", s + `"users":{"u1":{"user_name":"al`, "line 1, column 66: the file ends inside the snapshot (unexpected EOF)"},
		{"number for a string", s + `"assignments":[{"account_id":1}]}`, "line 1, column 65: assignments.account_id: a JSON number where string belongs"},
		{"string for a bool", s + `"accounts":{"1":{"management":"yes"}}}`, "line 1, column 66: accounts.management: a JSON string where bool belongs"},
		{"bool for a string after escaped quotes", s + "\n" + `"assignments":[{"account_id":"a\"b"},{"principal_id":"x\\"},{"account_id":"\\\"","source":true}]}`,
			"line 2, column 91: assignments.source: a JSON bool where idc.Source belongs"},
		{"object for a list", s + `"missing":{}}`, "line 1, column 46: missing: a JSON object where []string belongs"},
		{"array for the snapshot", `[1]`, "line 1, column 1: top level: a JSON array where idc.Model belongs"},
		{"bad time", s + `"captured_at":"yesterday"}`, `line 1, column 50: captured_at: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`},
		{"bad time in a permission set, key in other case", s + "\n" + `"permission_sets":{"p":{"created_at":"2020-01-01T00:00:00Z"},"q\"x":{"Created_At":"2020-13-01T00:00:00Z"}}}`,
			`line 2, column 83: permission_sets["q\"x"].Created_At: parsing time "2020-13-01T00:00:00Z": month out of range`},
		{"number for a time", s + "\n" + `"permission_sets":{"p":{"created_at":5}}}`, `line 2, column 38: permission_sets["p"].created_at: Time.UnmarshalJSON: input is not a JSON string`},
		{"bad time after one encoding/json skips", s + `"x":{"captured_at":"bad"},"permission_sets":{"p":{"created_at":"2021"}}}`,
			`line 1, column 99: permission_sets["p"].created_at: parsing time "2021"`},
		{"trailing comma", s + `"from":"file",}`, "line 1, column 50: invalid character '}' looking for beginning of object key string"},
		{"control character", s + `"from":"fi` + "\x01" + `le"}`, "line 1, column 46: invalid character '\\x01' in string literal"},
		{"bad escape", s + `"from":"\q"}`, "line 1, column 45: invalid character 'q' in string escape code"},
		{"trailing data", s + `"from":"file"} x`, "line 1, column 51: unexpected data after the snapshot object"},
		{"byte order mark", "\xef\xbb\xbf" + s + `"from":"file"}`, "line 1, column 1: invalid character 'ï' looking for beginning of value"},
		{"null key", s + `"users":{null:{}}}`, "line 1, column 45: invalid character 'n' looking for beginning of object key string"},
		{"key and id disagree", s + `"users":{"a":{"id":"b"}}}`, `users["a"]: id is "b"`},
		{"two bad entries: the first by key", s + `"groups":{"z":{"id":"y"},"b":null,"c":{"id":"d"}}}`, `groups["b"]: null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameAsReference(t, []byte(tt.doc), "s.json")
			_, err := ReadBytes([]byte(tt.doc), "s.json")
			if want := "snapshot s.json: " + tt.want; err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %v\nwant %s", err, want)
			}
		})
	}
}

// failingFile fails every read past fail bytes, as a bad disk would.
type failingFile struct {
	*bytes.Reader
	fail int64
}

func (f failingFile) Read(p []byte) (int, error) {
	off := f.Size() - int64(f.Len())
	if off >= f.fail {
		return 0, errors.New("input/output error")
	}
	return f.Reader.Read(p[:min(int64(len(p)), f.fail-off)])
}

func TestReadErrorIsReported(t *testing.T) {
	var buf bytes.Buffer
	if err := Synthetic(6, 20, 4, 3, 4, 30).Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err := Read(failingFile{bytes.NewReader(buf.Bytes()), int64(buf.Len() / 2)}, "s.json")
	if err == nil || err.Error() != "snapshot s.json: input/output error" {
		t.Errorf("err = %v", err)
	}
}

// TestOddSnapshotsReadAsEncodingJSONReadsThem: valid JSON in shapes
// portcullis does not write keeps encoding/json's meaning.
func TestOddSnapshotsReadAsEncodingJSONReadsThem(t *testing.T) {
	const s = `{"schema":"portcullis.snapshot/v1",`
	tests := []struct {
		name, doc string
		fast      bool // the fast path takes it itself
	}{
		{"unknown key", s + `"comment":{"a":[1,2.5e3,true]},"from":"file"}`, false},
		{"key in other case", s + `"From":"file"}`, false},
		{"key twice", s + `"from":"a","from":"b"}`, false},
		{"map key twice", s + `"users":{"u":{"user_name":"a"},"u":{"display_name":"b"}}}`, true},
		{"nulls", s + `"from":null,"accounts":null,"users":{"u":{"email":null}},"assignments":[null],"memberships":{"g":null},"missing":[null],"partial":null,"captured_at":null}`, true},
		{"empty lists and maps", s + `"assignments":[],"missing":[],"permission_sets":{"p":{"managed_policies":[],"tags":{},"customer_managed_policies":[]}}}`, true},
		{"escapes and unicode", s + `"from":"a\"b\\c\u00e9\ud83d\ude00","users":{"\u0075":{"display_name":"Zoë ☃"}}}`, true},
		{"invalid utf-8", s + `"from":"a` + "\xff\xfe" + `b","users":{"u":{"display_name":"` + "\xc3" + `"}}}`, true},
		{"lone surrogate", s + `"from":"\ud800x"}`, true},
		{"whitespace everywhere", " \t\r\n" + `{ "schema" : "portcullis.snapshot/v1" , "missing" : [ "a" , "b" ] }` + " \n", true},
		{"boundary", s + `"permission_sets":{"p":{"permissions_boundary":{"managed_policy_arn":"arn:aws:iam::aws:policy/X"},"created_at":"2026-01-02T03:04:05.123+02:00"}}}`, true},
		{"no schema", `{"from":"file"}`, true},
		{"not an object", `[1]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fast := sameAsReference(t, []byte(tt.doc), "s.json"); fast != tt.fast {
				t.Errorf("fast path took it: %v, want %v", fast, tt.fast)
			}
		})
	}
}

// TestFastFieldsMatchTags keeps decodeFast's key tables in step with the
// json tags of model.go: a field added there and not here would make every
// snapshot carrying it take the slow path, or be dropped.
func TestFastFieldsMatchTags(t *testing.T) {
	check := func(typ reflect.Type, names []string) {
		t.Helper()
		var tags []string
		for f := range typ.Fields() {
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
				tags = append(tags, tag)
			}
		}
		if !slices.Equal(tags, names) {
			t.Errorf("%s: json tags %v, fast decoder keys %v", typ.Name(), tags, names)
		}
		if len(names) > 32 {
			t.Errorf("%s: more keys than the seen mask holds", typ.Name())
		}
	}
	check(reflect.TypeFor[Model](), fieldNames(modelFields))
	check(reflect.TypeFor[Account](), fieldNames(accountFields))
	check(reflect.TypeFor[User](), fieldNames(userFields))
	check(reflect.TypeFor[Group](), fieldNames(groupFields))
	check(reflect.TypeFor[Membership](), fieldNames(membershipFields))
	check(reflect.TypeFor[PolicyRef](), fieldNames(policyRefFields))
	check(reflect.TypeFor[PermissionSet](), fieldNames(permissionSetFields))
	check(reflect.TypeFor[Assignment](), fieldNames(assignmentFields))
}

func fieldNames[T any](fs []field[T]) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name)
	}
	return out
}
