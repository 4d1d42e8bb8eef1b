package simulate

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// treeHashes maps every file below dir to the hash of its bytes.
func treeHashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(path, dir)] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunIsDeterministic(t *testing.T) {
	base := Options{Events: 1500, Days: 1, Accounts: 3, Seed: 99, Scenarios: []string{"all"}}
	variant := func(mod func(*Options)) map[string][32]byte {
		o := base
		mod(&o)
		_, dir := run(t, o)
		return treeHashes(t, dir)
	}
	one := variant(func(o *Options) { o.Workers = 1 })
	tests := []struct {
		name string
		mod  func(*Options)
		same bool
	}{
		{"same seed again", func(o *Options) { o.Workers = 1 }, true},
		{"more workers", func(o *Options) { o.Workers = 5 }, true},
		{"other seed", func(o *Options) { o.Workers = 1; o.Seed = 100 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := variant(tc.mod)
			equal := len(got) == len(one)
			for k, h := range one {
				if got[k] != h {
					equal = false
					if tc.same {
						t.Errorf("%s differs", k)
					}
				}
			}
			if equal != tc.same {
				t.Fatalf("trees equal = %v, want %v (%d vs %d files)", equal, tc.same, len(got), len(one))
			}
		})
	}
}

var (
	logKey    = regexp.MustCompile(`^AWSLogs/(o-[a-z0-9]{10})/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$`)
	digestKey = regexp.MustCompile(`^AWSLogs/o-[a-z0-9]{10}/(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail-Digest_[a-z0-9-]+_org-trail_[a-z0-9-]+_\d{8}T\d{6}Z\.json\.gz$`)
	uuidV4    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func TestLayoutAndNaming(t *testing.T) {
	c := shared(t)
	if len(c.objects) != c.sum.Files {
		t.Fatalf("read %d log objects, summary says %d", len(c.objects), c.sum.Files)
	}
	var bytes int64
	for _, o := range c.objects {
		m := logKey.FindStringSubmatch(o.key)
		if m == nil {
			t.Fatalf("bad log object key %s", o.key)
		}
		acct, region, date := m[2], m[3], m[4]+m[5]+m[6]
		if m[7] != acct || m[8] != region || m[9] != date {
			t.Errorf("%s: name disagrees with its folder", o.key)
		}
		if !strings.HasPrefix(string(o.raw), `{"Records":[`) || strings.HasSuffix(string(o.raw), "\n") {
			t.Errorf("%s: not a compact Records object without trailing newline", o.key)
		}
		if len(o.records) == 0 {
			t.Errorf("%s: empty object", o.key)
		}
		bytes += int64(len(o.raw))
		prev := ""
		for i, r := range o.records {
			et := str(r, "eventTime")
			if et < prev {
				t.Errorf("%s record %d: %s before %s", o.key, i, et, prev)
			}
			prev = et
			if str(r, "recipientAccountId") != acct || str(r, "awsRegion") != region {
				t.Errorf("%s record %d: account/region %s/%s", o.key, i, str(r, "recipientAccountId"), str(r, "awsRegion"))
			}
			if strings.ReplaceAll(et[:10], "-", "") != date {
				t.Errorf("%s record %d: eventTime %s outside the object's day", o.key, i, et)
			}
		}
	}
	if bytes != c.sum.Bytes {
		t.Errorf("uncompressed bytes %d, summary says %d", bytes, c.sum.Bytes)
	}
	if len(c.digests) == 0 {
		t.Fatal("no digest objects")
	}
	for _, k := range c.digests {
		m := digestKey.FindStringSubmatch(k)
		if m == nil || m[1] != m[3] {
			t.Errorf("bad digest key %s", k)
			continue
		}
		raw, err := gunzip(filepath.Join(c.dir, filepath.FromSlash(k)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), `"Records"`) || !strings.Contains(string(raw), `"logFiles"`) {
			t.Errorf("%s: does not look like a digest", k)
		}
	}
}

func TestRecordsHaveCloudTrailFields(t *testing.T) {
	c := shared(t)
	eventTypes := map[string]bool{"AwsApiCall": true, "AwsServiceEvent": true, "AwsConsoleSignIn": true}
	seen := map[string]int{}
	var records int64
	for _, o := range c.objects {
		for i, r := range o.records {
			records++
			where := func(f string, a ...any) { t.Errorf(o.key+" record "+itoa(i)+": "+f, a...) }
			if v := str(r, "eventVersion"); v < "1.05" || v > "1.11" || len(v) != 4 {
				where("eventVersion %q", v)
			}
			if _, err := time.Parse(time.RFC3339, str(r, "eventTime")); err != nil || !strings.HasSuffix(str(r, "eventTime"), "Z") {
				where("eventTime %q", str(r, "eventTime"))
			}
			for _, k := range []string{"eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "eventType", "recipientAccountId", "eventCategory"} {
				if str(r, k) == "" {
					where("missing %s", k)
				}
			}
			for _, k := range []string{"requestParameters", "responseElements", "userIdentity"} {
				if _, ok := r[k]; !ok {
					where("missing %s", k)
				}
			}
			if !uuidV4.MatchString(str(r, "eventID")) {
				where("eventID %q is not a v4 UUID", str(r, "eventID"))
			}
			if !eventTypes[str(r, "eventType")] {
				where("eventType %q", str(r, "eventType"))
			}
			typ, hasType := r["userIdentity"].(map[string]any)["type"]
			switch {
			case !hasType:
				seen["no userIdentity.type"]++
			case typ == "IdentityCenterUser":
				if str(r, "userIdentity.onBehalfOf.userId") == "" || str(r, "userIdentity.userName") != "" {
					where("IdentityCenterUser needs onBehalfOf and no userName")
				}
				seen["type IdentityCenterUser"]++
			case typ == "AssumedRole":
				if str(r, "userIdentity.sessionContext.sessionIssuer.arn") == "" {
					where("AssumedRole without sessionIssuer")
				}
				seen["type AssumedRole"]++
			default:
				seen["type "+typ.(string)]++
			}
			if _, ok := r["requestID"]; !ok {
				seen["no requestID"]++
			}
			if _, ok := r["errorCode"]; ok {
				seen["errorCode"]++
				if _, ok := r["errorMessage"]; !ok {
					seen["errorCode without errorMessage"]++
				}
			}
			if _, ok := r["tlsDetails"]; ok {
				seen["tlsDetails"]++
			}
			if _, ok := r["readOnly"]; ok {
				seen["readOnly"]++
			}
			if strings.Contains(str(r, "userIdentity.sessionContext.sessionIssuer.userName"), "AWSReservedSSO_") {
				seen["AWSReservedSSO session"]++
			}
			seen["eventType "+str(r, "eventType")]++
		}
	}
	if records != c.sum.Records {
		t.Errorf("read %d records, summary says %d", records, c.sum.Records)
	}
	for _, want := range []string{"no userIdentity.type", "type IdentityCenterUser", "type AssumedRole", "type IAMUser", "type AWSService",
		"type SAMLUser", "type Root", "no requestID", "errorCode", "errorCode without errorMessage", "tlsDetails", "readOnly",
		"AWSReservedSSO session", "eventType AwsApiCall", "eventType AwsServiceEvent", "eventType AwsConsoleSignIn"} {
		if seen[want] == 0 {
			t.Errorf("no record with %s", want)
		}
	}
}

var consoleDate = regexp.MustCompile(`"[A-Z][a-z]{2} \d{1,2}, \d{4},? \d{1,2}:\d{2}:\d{2} [AP]M"`)

func TestDecoysAndOddShapes(t *testing.T) {
	c := shared(t)
	var elsewhere, total, escaped, invoked, dates, portalNoParams int
	for _, o := range c.objects {
		total += len(o.records)
		for i, r := range o.records {
			js := o.texts[i]
			src := str(r, "eventSource")
			if src != srcSSO && strings.Contains(js, "sso.amazonaws.com") {
				elsewhere++
			}
			if ep := str(r, "requestParameters.eventPattern"); strings.Contains(ep, `"eventSource":["sso.amazonaws.com"]`) {
				escaped++
			}
			if src == srcIAM && str(r, "userIdentity.invokedBy") == srcSSO {
				invoked++
			}
			if consoleDate.MatchString(js) {
				dates++
			}
			if src == srcSSO && str(r, "eventName") == "GetRoleCredentials" {
				if r["requestParameters"] != nil || str(r, "serviceEventDetails.role_name") == "" {
					t.Errorf("GetRoleCredentials %s: want null requestParameters and serviceEventDetails.role_name", str(r, "eventID"))
				}
				portalNoParams++
			}
		}
	}
	share := float64(elsewhere) / float64(total)
	if share < 0.03 || share > 0.25 {
		t.Errorf("%.1f%% of records mention sso.amazonaws.com outside eventSource, want roughly 10%%", 100*share)
	}
	for name, n := range map[string]int{"escaped eventPattern": escaped, "iam invokedBy sso": invoked, "console dates": dates, "GetRoleCredentials": portalNoParams} {
		if n == 0 {
			t.Errorf("no %s records", name)
		}
	}
}

func TestConfigFile(t *testing.T) {
	c := shared(t)
	raw, err := os.ReadFile(c.sum.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg fileConfig
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("portcullis.yaml: %v", err)
	}
	if len(cfg.Admins) == 0 || len(cfg.SensitiveAccounts) == 0 || len(cfg.PrivilegedGroups) == 0 || cfg.MaxSessionDuration != "PT4H" || cfg.LargeGroupSize != 50 {
		t.Errorf("incomplete config: %+v", cfg)
	}
	for _, a := range cfg.SensitiveAccounts {
		if !regexp.MustCompile(`^\d{12}$`).MatchString(a) {
			t.Errorf("sensitive account %q is not a 12-digit string", a)
		}
	}
}

func TestOptionsRejected(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"no out", Options{}, "output directory"},
		{"unknown scenario", Options{Out: dir, Scenarios: []string{"nope"}}, `unknown scenario "nope"`},
		{"bad region", Options{Out: dir, Regions: []string{"US EAST"}}, "bad or repeated region"},
		{"repeated region", Options{Out: dir, Regions: []string{"us-east-1", "us-east-1"}}, "bad or repeated region"},
		{"negative events", Options{Out: dir, Events: -1}, "negative"},
		{"bad org id", Options{Out: dir, OrgID: "org-1"}, "organization id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestRunStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Options{Out: t.TempDir(), Events: 5000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestOptionsShapeOutput: OrgID, Start (truncated to its day), Regions and
// Accounts show in the layout, with a small organization and many workers.
func TestOptionsShapeOutput(t *testing.T) {
	start := time.Date(2027, 3, 5, 17, 30, 0, 0, time.UTC)
	sum, dir := run(t, Options{Events: 600, Days: 1, Accounts: 1, Regions: []string{"eu-central-1", "ap-southeast-2"},
		Start: start, OrgID: "o-testorg123", Seed: 3, Workers: 64, Scenarios: []string{"all", "group-created"}})
	c := mustRead(t, dir, sum)
	accounts, regions := map[string]bool{}, map[string]bool{}
	for _, o := range c.objects {
		m := logKey.FindStringSubmatch(o.key)
		if m == nil || m[1] != "o-testorg123" || m[4]+m[5]+m[6] != "20270305" {
			t.Fatalf("key %s does not follow OrgID/Start", o.key)
		}
		accounts[m[2]], regions[m[3]] = true, true
	}
	if len(accounts) != 3 || len(regions) != 2 || !regions["eu-central-1"] || !regions["ap-southeast-2"] {
		t.Errorf("accounts %v regions %v: want 3 accounts (1 member + management + security) in the 2 regions", accounts, regions)
	}
	// One member account (sensitive) and no us-east-1: every story still lands.
	stories := map[string]bool{}
	for _, s := range sum.Attacks {
		stories[s.Scenario] = true
		if _, ok := c.byID[s.EventID]; !ok {
			t.Errorf("%s step %s missing from the trail", s.Scenario, s.Rule)
		}
	}
	if len(stories) != len(ScenarioNames()) {
		t.Errorf("%d of %d scenarios planted", len(stories), len(ScenarioNames()))
	}
}
