package athena

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}

var interest = []cloudtrail.Interest{
	{Source: "sso.amazonaws.com", Names: []string{"CreatePermissionSet", "DescribePermissionSet"}, NamePrefixes: []string{"Create", "Put_"}},
	{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}, Contains: []string{"AWSReservedSSO_"}},
	{Source: "organizations.amazonaws.com"},
}

// TestQueryPushesDown: the window goes onto the partition columns (days
// widened by the delivery lag, as the local hunt prunes) and eventtime;
// the prefilter onto eventsource, eventname and the text of the record.
func TestQueryPushesDown(t *testing.T) {
	w := Window{
		Since:    time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
		Until:    time.Date(2026, 11, 3, 0, 30, 0, 0, time.UTC),
		Accounts: []string{"222222222222", "111111111111", "222222222222"},
		Regions:  []string{"us-east-1"},
	}
	q, err := BuildQuery(Table{Catalog: "lake", Database: "security", Name: "cloudtrail_logs"}, w, interest)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "query-window.sql", q.SQL+"\n")
	if want := "day partitions (timestamp), accounts (account), regions (region), time window (eventtime), rule prefilter (3 event sources)"; strings.Join(q.Pushed, ", ") != want {
		t.Errorf("pushed %q", strings.Join(q.Pushed, ", "))
	}
}

// TestQueryAdaptsToTheTable: a table without the org partitions and
// without some standard columns gets a query it can run.
func TestQueryAdaptsToTheTable(t *testing.T) {
	cols := []Column{{"eventtime", "string"}, {"eventsource", "string"}, {"eventname", "string"}, {"eventid", "string"}, {"useridentity", "struct<type:string,arn:string>"}}
	q, err := BuildQuery(Table{Database: "d", Name: "t", Columns: cols, PartitionKeys: []string{"timestamp"}},
		Window{Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Accounts: []string{"111111111111"}, Regions: []string{"eu-west-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "query-old-table.sql", q.SQL+"\n")
	if len(q.Columns) != 5 {
		t.Errorf("selected %d columns, want the 5 the table has", len(q.Columns))
	}
}

func TestQueryRefusesBadInput(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		t    Table
		w    Window
		want string
	}{
		{"no table", Table{Database: "d"}, Window{}, "a database and a table"},
		{"account", Table{Database: "d", Name: "t"}, Window{Accounts: []string{"1111' OR 1=1 --"}}, "not a 12-digit account id"},
		{"region", Table{Database: "d", Name: "t"}, Window{Regions: []string{"us-east-1'"}}, "not a region name"},
		{"empty window", Table{Database: "d", Name: "t"}, Window{Since: day, Until: day}, "empty time window"},
	} {
		_, err := BuildQuery(tc.t, tc.w, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	// Values from rules are quoted, never spliced.
	q, err := BuildQuery(Table{Database: "d", Name: "t"}, Window{}, []cloudtrail.Interest{{Source: "x'y", Names: []string{"a'b"}, NamePrefixes: []string{"50%_"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(q.SQL, `lower(eventsource) = 'x''y'`) || !strings.Contains(q.SQL, `eventname LIKE '50\%\_%' ESCAPE '\'`) {
		t.Errorf("quoting:\n%s", q.SQL)
	}
}

func TestDDL(t *testing.T) {
	ddl, err := DDL(DDLOptions{Bucket: "org-trail", Prefix: "/ct/", Org: "o-a1b2c3d4e5", Database: "security", Table: "cloudtrail_logs",
		Accounts: []string{"111111111111", "222222222222"}, Regions: []string{"us-east-1", "eu-west-1"}, Start: "2024/01/01"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ddl-org.sql", ddl)
	// Every standard column, with the type the hunt's decoder reads.
	for _, c := range Columns {
		if !strings.Contains(ddl, "\n  "+c.Name+" ") {
			t.Errorf("column %s missing", c.Name)
		}
	}
	for _, tc := range []struct {
		o    DDLOptions
		want string
	}{
		{DDLOptions{Bucket: "B", Table: "t", Start: "2020/01/01"}, "--bucket"},
		{DDLOptions{Bucket: "b-ok", Org: "org-1", Table: "t", Start: "2020/01/01"}, "--org"},
		{DDLOptions{Bucket: "b-ok", Table: "t;drop", Start: "2020/01/01"}, "--table"},
		{DDLOptions{Bucket: "b-ok", Table: "t", Start: "2020-01-01"}, "--start"},
		{DDLOptions{Bucket: "b-ok", Table: "t", Start: "2020/01/01", Accounts: []string{"12"}}, "--accounts"},
	} {
		if _, err := DDL(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error naming %s", tc.o, err, tc.want)
		}
	}
}

func TestParseType(t *testing.T) {
	typ, err := ParseType("STRUCT< a: STRING, b :ARRAY<struct<c:string>>, m: map<string,string> >")
	if err != nil {
		t.Fatal(err)
	}
	if typ.Kind != KindStruct || len(typ.Fields) != 3 || typ.Fields[1].Type.Elem.Fields[0].Name != "c" || typ.Fields[2].Type.Kind != KindMap {
		t.Errorf("parsed %+v", typ)
	}
	for _, bad := range []string{"", "struct<", "struct<a>", "array<string", "map<string>", "string extra"} {
		if _, err := ParseType(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestDecodeRestoresCloudTrailNames: lower-case struct fields come back
// in CloudTrail's spelling, nulls the cast added are dropped, and engine
// 2's array-shaped rows are matched to the declared fields.
func TestDecodeRestoresCloudTrailNames(t *testing.T) {
	q := Query{Columns: []Column{Columns[1], {"eventsource", "string"}, {"eventname", "string"}, {"readonly", "string"}, {"resources", Columns[16].Type}}}
	s := func(v string) *string { return &v }
	for _, ui := range []string{
		`{"type":"AssumedRole","arn":"arn:x","username":null,"sessioncontext":{"sessionissuer":{"arn":"arn:role","username":"r"},"attributes":null,"webidfederationdata":{"federatedprovider":null,"attributes":{"KeepCase":"v"}}}}`,
		`["AssumedRole",null,"arn:x",null,null,null,null,null,[null,["arn-ignored"],null,null,null,null,null],null,{"KeepCase":"v"}]`,
	} {
		ev, err := NewDecoder(q).Decode(Row{s(ui), s("sso.amazonaws.com"), s("X"), s("true"), s(`[{"arn":"arn:r","accountid":"1","type":"T"}]`), s("s3://b/k.json.gz")}, cloudtrail.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		if ev.String("userIdentity.type") != "AssumedRole" || ev.String("userIdentity.arn") != "arn:x" || !ev.ReadOnly || ev.Origin.File != "s3://b/k.json.gz" || ev.String("resources.0.ARN") != "arn:r" {
			t.Errorf("decoded %s", ev.Raw)
		}
		if _, ok := ev.Get("userIdentity.userName"); ok {
			t.Errorf("a null the cast added came back: %s", ev.Raw)
		}
		if strings.HasPrefix(ui, "{") && (ev.String("userIdentity.sessionContext.sessionIssuer.userName") != "r" || ev.String("userIdentity.sessionContext.webIdFederationData.attributes.KeepCase") != "v") {
			t.Errorf("nested names: %s", ev.Raw)
		}
	}
	if _, err := NewDecoder(q).Decode(Row{s("{broken"), nil, nil, nil, nil, nil}, cloudtrail.Origin{File: "athena:q"}); err == nil || !strings.Contains(err.Error(), "useridentity") {
		t.Errorf("bad JSON: %v", err)
	}
}

func TestClassify(t *testing.T) {
	for reason, want := range map[string]ErrorKind{
		"TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.d.x' does not exist": TableNotFound,
		"SCHEMA_NOT_FOUND: line 1:15: Schema 'd' does not exist":                SchemaNotFound,
		"COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved":             ColumnNotFound,
		"Permission denied on S3 path: s3://trail/AWSLogs/":                     AccessDenied,
		"Insufficient permissions to execute the query.":                        AccessDenied,
		"GENERIC_INTERNAL_ERROR: boom":                                          Failed,
	} {
		if got := classify(reason); got != want {
			t.Errorf("%q: %d, want %d", reason, got, want)
		}
	}
}
