package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/posture"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// postureArgs is a run with every input: snapshot, events, org export, config.
func postureArgs(extra ...string) []string {
	return append([]string{"posture", "--snapshot", driftDir.file("current.snapshot.json"), "--events", postureDir.file("events.jsonl"),
		"--org", postureDir.file("org.json"), "--config", driftDir.file("portcullis.yaml")}, extra...)
}

func TestPostureGolden(t *testing.T) {
	for _, format := range posture.Formats {
		t.Run(format, func(t *testing.T) {
			r := session{now: driftNow}.run(t, postureArgs("--format", format)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			// The build's version is in OCSF metadata; keep the golden file stable.
			out := bytes.ReplaceAll([]byte(r.stdout), []byte(`"version":"`+version.String()+`"}`), []byte(`"version":"VERSION"}`))
			postureDir.check(t, "posture."+format, out)
		})
	}
}

// TestPostureOCSF checks the OCSF lines' contract rather than their bytes:
// one Compliance Finding per evaluated check, failures New, passes Resolved.
func TestPostureOCSF(t *testing.T) {
	r := session{now: driftNow}.run(t, postureArgs("--format", "ocsf")...)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var js bytes.Buffer
	if j := (session{now: driftNow}).run(t, postureArgs("--format", "json")...); j.code == ExitOK {
		js.WriteString(j.stdout)
	}
	var rep posture.Report
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, res := range rep.Results {
		if res.Status != posture.Skip {
			status[res.ID] = string(res.Status)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(status) {
		t.Fatalf("%d OCSF lines, want one per evaluated check (%d)", len(lines), len(status))
	}
	for _, l := range lines {
		var f struct {
			ClassUID   int    `json:"class_uid"`
			Status     string `json:"status"`
			Compliance struct {
				Control string `json:"control"`
			} `json:"compliance"`
			Metadata struct {
				Product struct{ Version string } `json:"product"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		want := map[string]string{"fail": "New", "pass": "Resolved"}[status[f.Compliance.Control]]
		if f.ClassUID != 2003 || f.Status != want || f.Metadata.Product.Version != version.String() {
			t.Errorf("%s: class %d status %q version %q, want 2003 %q %q", f.Compliance.Control, f.ClassUID, f.Status, f.Metadata.Product.Version, want, version.String())
		}
	}
}

func TestPostureFailOnAndErrors(t *testing.T) {
	base := []string{"posture", "--snapshot", driftDir.file("baseline.snapshot.json"), "--config", driftDir.file("portcullis.yaml")}
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"no gate", base, ExitOK, ""},
		{"only medium checks fail", append(base, "--fail-on", "high"), ExitOK, ""},
		{"medium gate", append(base, "--fail-on", "medium"), ExitFindings, "at or above medium failed"},
		{"drifted state fails high", postureArgs("--fail-on", "high"), ExitFindings, "at or above high failed"},
		{"bad severity", append(base, "--fail-on", "urgent"), ExitError, "--fail-on"},
		{"bad window", append(base, "--window", "ninety days"), ExitError, "--window"},
		{"bad format", append(base, "--format", "sarif"), ExitError, "--format"},
		{"no snapshot", []string{"posture"}, ExitError, "--snapshot is required"},
		{"missing org export", append(base, "--org", postureDir.file("none.json")), ExitError, "none.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := session{now: driftNow}.run(t, tt.args...)
			if r.code != tt.want || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tt.want, r.stderr, tt.wantStderr)
			}
		})
	}
}

// TestPostureWindowAndEvidence: --window moves the start of the evidence
// window, and without --events the event checks are skipped, not passed.
func TestPostureWindowAndEvidence(t *testing.T) {
	report := func(args ...string) posture.Report {
		t.Helper()
		r := session{now: driftNow}.run(t, append(args, "--format", "json")...)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var rep posture.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := report(postureArgs("--window", "30d")...)
	if got := rep.Now.Sub(rep.WindowStart); got != 30*24*time.Hour {
		t.Errorf("window %s, want 720h", got)
	}
	res, _ := rep.Result("posture.mfa-weak-signin")
	if res.Status != posture.Fail {
		t.Errorf("mfa-weak-signin with events: %s", res.Status)
	}
	rep = report("posture", "--snapshot", driftDir.file("current.snapshot.json"), "--config", driftDir.file("portcullis.yaml"))
	for _, id := range []string{"posture.mfa-weak-signin", "posture.unused-assignment", "posture.scp-guardrail"} {
		if res, _ := rep.Result(id); res.Status != posture.Skip {
			t.Errorf("%s without its input: %s, want skip", id, res.Status)
		}
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"90d", 90 * 24 * time.Hour, false},
		{"2w", 14 * 24 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"P30D", 30 * 24 * time.Hour, false},
		{"PT12H", 12 * time.Hour, false},
		{"1.5d", 36 * time.Hour, false},
		{"90D", 90 * 24 * time.Hour, false},
		{"0d", 0, true},
		{"-5h", 0, true},
		{"d", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := parseWindow(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseWindow(%q) = %s, %v; want %s, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestPostureUnreadableEvents: a damaged trail still gives a report, and
// exit 2 says the evidence was incomplete.
func TestPostureUnreadableEvents(t *testing.T) {
	junk := t.TempDir() + "/broken.json"
	if err := os.WriteFile(junk, []byte(`{"Records":[{"eventSource":"signin.amazonaws.com",`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := session{now: driftNow}.run(t, "posture", "--snapshot", driftDir.file("baseline.snapshot.json"), "--events", junk)
	if r.code != ExitBadInput || !strings.Contains(r.stdout, "posture.session-duration") || !strings.Contains(r.stderr, "broken.json") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"90d", "2w", "36h", "P30D", "PT12H", "0d", "99999w", "1h30m", "-1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseWindow(s)
		if err == nil && d <= 0 {
			t.Errorf("parseWindow(%q) = %s without an error", s, d)
		}
	})
}

// TestPostureFromTerraformSkipsWhatStateCannotShow: Terraform state holds
// no delegated administrator unless Terraform registered one, so "none is
// registered" is not a pass.
func TestPostureFromTerraformSkipsWhatStateCannotShow(t *testing.T) {
	r := runCLI(t, "posture", "--snapshot", modelDir.file("sso.tfstate"), "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep posture.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	res, ok := rep.Result("posture.delegated-admin")
	if !ok || res.Status != posture.Skip || !strings.Contains(res.Note, "terraform") || !strings.Contains(res.Note, "delegated admin") {
		t.Errorf("delegated-admin from Terraform: %s (%q), want skipped, saying the state cannot show it", res.Status, res.Note)
	}
}
