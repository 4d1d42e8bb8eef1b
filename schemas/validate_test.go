package schemas_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/cli"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/securityhubfake"
	"github.com/portcullis-sec/portcullis/internal/sink"
	"github.com/portcullis-sec/portcullis/internal/store"
	"github.com/portcullis-sec/portcullis/schemas"
)

// Schema files, by the document they describe.
const (
	sFinding  = "portcullis.finding.v1.json"
	sSnapshot = "portcullis.snapshot.v1.json"
	sAccess   = "portcullis.access.v1.json"
	sDrift    = "portcullis.drift.v1.json"
	sRecon    = "portcullis.reconcile.v1.json"
	sPosture  = "portcullis.posture.v1.json"
	sPlan     = "portcullis.plan.v1.json"
	sState    = "portcullis.contain-state.v1.json"
	sOCSF     = "ocsf.detection-finding.v1.3.0.json"
	sASFF     = "asff.aws-security-finding.json"
	sOCSFComp = "ocsf.compliance-finding.v1.3.0.json"
)

var (
	cliData     = filepath.Join("..", "internal", "cli", "testdata")
	fixedNow    = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	compiledSch = map[string]*jsonschema.Schema{}
)

func schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	if s, ok := compiledSch[name]; ok {
		return s
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	compiledSch[name] = s
	return s
}

// validate checks one JSON document against a schema.
func validate(t *testing.T, name, what string, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := schema(t, name).Validate(inst); err != nil {
		t.Errorf("%s does not match %s:\n%v", what, name, err)
	}
}

// validateLines checks every line of a JSON-lines output; it wants at
// least min lines.
func validateLines(t *testing.T, name, what string, out []byte, min int) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		n++
		validate(t, name, fmt.Sprintf("%s line %d", what, n), sc.Bytes())
	}
	if n < min {
		t.Errorf("%s: %d lines, want at least %d", what, n, min)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return fixedNow }}
	code := app.Run(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

func mustRun(t *testing.T, okCodes []int, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if !slices.Contains(okCodes, r.code) {
		t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	return r
}

// simulatedTrail writes a small synthetic org trail with every attack
// scenario, so a hunt raises findings of many rules.
func simulatedTrail(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "trail")
	mustRun(t, []int{0}, "simulate", "--out", dir, "--scenario", "all", "--events", "3000", "--seed", "7")
	return dir
}

// awsEnv points the SDK at nothing but the loopback fakes.
func awsEnv(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAPORTCULLISSCHEMA", "AWS_SECRET_ACCESS_KEY": "schema-test", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "eu-west-1", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
	} {
		t.Setenv(k, v)
	}
}

// TestSchemasCompile: every committed schema is valid draft 2020-12 and is
// embedded.
func TestSchemasCompile(t *testing.T) {
	names, err := fs.Glob(schemas.FS, "*.json")
	if err != nil || len(names) < 10 {
		t.Fatalf("embedded schemas %v (%v)", names, err)
	}
	for _, n := range names {
		schema(t, n)
	}
}

// TestFindingOutputsMatchSchemas: hunt's json, jsonl and ocsf outputs over a
// simulated trail, findings list's json lines and ocsf from a real store,
// and the ASFF the Security Hub sink sends through the real SDK.
func TestFindingOutputsMatchSchemas(t *testing.T) {
	trail := simulatedTrail(t)
	jsonl := mustRun(t, []int{0}, "hunt", "-q", "--format", "jsonl", trail).stdout
	validateLines(t, sFinding, "hunt --format jsonl", []byte(jsonl), 5)
	arr := mustRun(t, []int{0}, "hunt", "-q", "--format", "json", trail).stdout
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(arr), &items); err != nil || len(items) < 5 {
		t.Fatalf("hunt --format json: %v (%d items)", err, len(items))
	}
	for i, it := range items {
		validate(t, sFinding, fmt.Sprintf("hunt --format json [%d]", i), it)
	}
	ocsf := mustRun(t, []int{0}, "hunt", "-q", "--format", "ocsf", trail).stdout
	validateLines(t, sOCSF, "hunt --format ocsf", []byte(ocsf), 5)

	fs, err := finding.Read(strings.NewReader(jsonl), "hunt")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "p.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutFindings(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	if err := st.SetStatus(context.Background(), fs[0].ID, store.StatusAcknowledged, "triaged"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	listed := mustRun(t, []int{0}, "findings", "list", "--store", db, "--format", "ocsf").stdout
	validateLines(t, sOCSF, "findings list --format ocsf", []byte(listed), len(fs))
	if !strings.Contains(listed, `"status":"In Progress"`) {
		t.Error("findings list --format ocsf: the acknowledged finding is not In Progress")
	}

	hub := securityhubfake.New("eu-west-1", "999999999999")
	t.Cleanup(hub.Close)
	g, err := sink.BuildAll(context.Background(), []string{"securityhub:region=eu-west-1,endpoint=" + hub.URL},
		sink.Deps{AWSConfig: func(context.Context) (aws.Config, error) { return hub.Config(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Deliver(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	sent := hub.Findings()
	if len(sent) != len(fs) {
		t.Fatalf("Security Hub got %d findings, want %d", len(sent), len(fs))
	}
	for id, doc := range sent {
		validate(t, sASFF, "ASFF sent for "+id, doc)
	}
}

// TestGoldenFindingFilesMatchSchemas: the writers' golden files.
func TestGoldenFindingFilesMatchSchemas(t *testing.T) {
	dir := filepath.Join("..", "internal", "finding", "testdata")
	for name, sch := range map[string]string{"findings.jsonl.golden": sFinding, "findings.ocsf.golden": sOCSF, "findings.asff.golden": sASFF} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		validateLines(t, sch, name, b, 2)
	}
}

// TestStateDocumentsMatchSchemas: snapshot (live, from the loopback AWS),
// access, diff, reconcile and posture as the commands write them.
func TestStateDocumentsMatchSchemas(t *testing.T) {
	awsEnv(t)
	m, err := idc.Load(filepath.Join(cliData, "contain", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := awsfake.New(m)
	t.Cleanup(srv.Close)
	snap := mustRun(t, []int{0}, "snapshot", "--from", "aws", "--endpoint", srv.URL).stdout
	validate(t, sSnapshot, "snapshot --from aws", []byte(snap))
	for _, f := range []string{"drift/baseline.snapshot.json", "drift/current.snapshot.json", "contain/snapshot.json"} {
		m, err := idc.Load(filepath.Join(cliData, f))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := m.Write(&b); err != nil {
			t.Fatal(err)
		}
		validate(t, sSnapshot, f+" rewritten", b.Bytes())
	}

	drift := func(n string) string { return filepath.Join(cliData, "drift", n) }
	acc := mustRun(t, []int{0}, "access", "--snapshot", drift("current.snapshot.json"), "--format", "json").stdout
	validate(t, sAccess, "access --format json", []byte(acc))
	diff := mustRun(t, []int{0, 3}, "diff", drift("baseline.snapshot.json"), drift("current.snapshot.json"), "--format", "json").stdout
	validate(t, sDrift, "diff --format json", []byte(diff))
	recon := mustRun(t, []int{0, 3}, "reconcile", "--baseline", drift("reconcile/baseline.tfstate"), "--current", drift("reconcile/planted.snapshot.json"),
		"--events", drift("reconcile/events.jsonl"), "--config", drift("portcullis.yaml"), "--format", "json").stdout
	validate(t, sRecon, "reconcile --format json", []byte(recon))
	post := mustRun(t, []int{0, 3}, "posture", "--snapshot", drift("current.snapshot.json"), "--events", filepath.Join(cliData, "posture", "events.jsonl"),
		"--org", filepath.Join(cliData, "posture", "org.json"), "--config", drift("portcullis.yaml"), "--format", "json").stdout
	validate(t, sPosture, "posture --format json", []byte(post))
	pocsf := mustRun(t, []int{0, 3}, "posture", "--snapshot", drift("current.snapshot.json"), "--events", filepath.Join(cliData, "posture", "events.jsonl"),
		"--org", filepath.Join(cliData, "posture", "org.json"), "--config", drift("portcullis.yaml"), "--format", "ocsf").stdout
	validateLines(t, sOCSFComp, "posture --format ocsf", []byte(pocsf), 5)
}

// TestContainDocumentsMatchSchemas: plans (every respond golden, a live
// plan, a lift plan) and the state file contain --apply writes.
func TestContainDocumentsMatchSchemas(t *testing.T) {
	goldens, _ := filepath.Glob(filepath.Join("..", "internal", "respond", "testdata", "golden", "*.json"))
	if len(goldens) == 0 {
		t.Fatal("no plan golden files")
	}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, sPlan, filepath.Base(g), b)
	}
	awsEnv(t)
	m, err := idc.Load(filepath.Join(cliData, "contain", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := awsfake.New(m)
	t.Cleanup(srv.Close)
	contain := func(n string) string { return filepath.Join(cliData, "contain", n) }
	base := []string{"contain", "--findings", contain("findings.jsonl"), "--finding", "pf-6a0000000000000000000001",
		"--from", "aws", "--endpoint", srv.URL, "--config", contain("portcullis.yaml"), "--region", "eu-west-1"}
	plan := mustRun(t, []int{0}, append(base, "--format", "json")...).stdout
	validate(t, sPlan, "contain --format json", []byte(plan))
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	mustRun(t, []int{0}, append(base, "--apply", "--yes", "--audit", filepath.Join(dir, "audit.jsonl"), "--state", state)...)
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, sState, "contain --apply state file", b)
	lift := mustRun(t, []int{0}, "contain", "--lift", "--lift-state", state, "--from", "aws", "--endpoint", srv.URL, "--format", "json").stdout
	validate(t, sPlan, "contain --lift --format json", []byte(lift))
}

// TestSchemasCatchRenamedFields: a real document with one field renamed is
// refused by its schema (the schemas are closed, not just typed).
func TestSchemasCatchRenamedFields(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "internal", "finding", "testdata", "findings.jsonl.golden"))
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.SplitN(b, []byte("\n"), 2)[0]
	o, _ := os.ReadFile(filepath.Join("..", "internal", "finding", "testdata", "findings.ocsf.golden"))
	oline := bytes.SplitN(o, []byte("\n"), 2)[0]
	a, _ := os.ReadFile(filepath.Join("..", "internal", "finding", "testdata", "findings.asff.golden"))
	aline := bytes.SplitN(a, []byte("\n"), 2)[0]
	p, _ := os.ReadFile(filepath.Join("..", "internal", "respond", "testdata", "golden", "rogue-assignment-user.json"))
	for _, tc := range []struct {
		schema, name string
		doc          []byte
		from, to     string
	}{
		{sFinding, "finding summary", line, `"summary":`, `"summary_text":`},
		{sFinding, "finding actor.arn", line, `"name":"alice@example.com"`, `"user":"alice@example.com"`},
		{sOCSF, "OCSF finding_info", oline, `"finding_info":`, `"findingInfo":`},
		{sASFF, "ASFF GeneratorId", aline, `"GeneratorId":`, `"GeneratorID":`},
		{sPlan, "plan step why", p, `"why":`, `"reason":`},
	} {
		if !bytes.Contains(tc.doc, []byte(tc.from)) {
			t.Fatalf("%s: fixture lacks %s", tc.name, tc.from)
		}
		doc := bytes.Replace(tc.doc, []byte(tc.from), []byte(tc.to), 1)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema(t, tc.schema).Validate(inst); err == nil {
			t.Errorf("%s: renamed to %s, still valid", tc.name, tc.to)
		}
	}
}
