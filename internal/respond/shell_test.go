package respond

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeAWS stands in for the AWS CLI: it records each argv (fields split by
// 0x1f, calls by 0x1e) and answers --query lookups like the real CLI would.
const fakeAWS = `#!/usr/bin/env bash
set -euo pipefail
{ printf '%s\x1f' "$@"; printf '\x1e'; } >> "$AWS_LOG"
args=" $* "
case "$args" in
  *" get-inline-policy-for-permission-set "*)
    ps=""
    while [ $# -gt 0 ]; do
      if [ "$1" = --permission-set-arn ]; then ps=${2##*/}; fi
      shift
    done
    if [ -s "$LIVE_DIR/$ps" ]; then cat "$LIVE_DIR/$ps"; else echo None; fi ;;
  *"RequestId --output text"*) echo req-1 ;;
  *"Status --output text"*) echo SUCCEEDED ;;
  *"Policy.PolicySummary.Id --output text"*) echo p-0123456789 ;;
  *"MembershipId --output text"*) echo 9067a00001-0000cccc-3333-4333-8333-000000000099 ;;
esac
`

// hostilePolicy is an inline policy with shell metacharacters and a
// right-to-left override in a value the script must pass on byte for byte.
const hostilePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Q","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::it's-$(touch PWNED4)/*` + "\u202e\u2066" + `"}]}`

// hostile plants shell and terminal metacharacters in every free-text
// field the plan shows.
func hostileModel(t *testing.T) *ContainmentPlan {
	t.Helper()
	m, cfg := loadModel(t), loadConfig(t)
	evil := "x'; touch PWNED; echo '\n$(touch PWNED2)`touch PWNED3`\x1b[31m\"\\"
	m.Users[userMallory].UserName = "mallory" + evil
	m.Groups[groupAdmins].DisplayName = "AWSAdmins" + evil
	m.PermissionSets[psAdmin].Name = "Admin" + evil
	m.PermissionSets[psAdmin].InlinePolicy = hostilePolicy
	p, err := Plan(Input{Principal: userMallory}, m, cfg, planTime)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

func TestShellScriptIsInjectionSafe(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	p := hostileModel(t)
	var script bytes.Buffer
	if err := RenderShell(&script, p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin, live := filepath.Join(dir, "bin"), filepath.Join(dir, "live")
	for _, d := range []string{bin, live} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(fakeAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	// The live inline policies are the ones the plan merged with.
	m := loadModel(t)
	for arn, ps := range m.PermissionSets {
		text := ps.InlinePolicy
		if arn == psAdmin {
			text = hostilePolicy
		}
		if err := os.WriteFile(filepath.Join(live, filepath.Base(arn)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := filepath.Join(dir, "aws.log")
	cmd := exec.Command(bash, "-s")
	cmd.Dir = dir
	cmd.Stdin = &script
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "AWS_LOG="+log, "LIVE_DIR="+live)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n%s\n--- script\n%s", err, out, script.String())
	}
	for _, f := range []string{"PWNED", "PWNED2", "PWNED3", "PWNED4"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was created: the script ran attacker text", f)
		}
	}
	if bytes.Contains(out, []byte("\x1b")) {
		t.Error("an escape sequence reached the terminal")
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var calls [][]string
	for _, rec := range strings.Split(strings.TrimSuffix(string(raw), "\x1e"), "\x1e") {
		calls = append(calls, strings.Split(strings.TrimSuffix(rec, "\x1f"), "\x1f"))
	}
	// Each plan call reached the CLI with exactly the plan's values.
	i := 0
	for _, st := range p.Steps {
		if st.Manual || st.Call == nil {
			continue
		}
		if st.Merge != nil {
			i++ // the drift check's read
		}
		if i >= len(calls) {
			t.Fatalf("step %s: no CLI call recorded", st.ID)
		}
		got := calls[i]
		if got[0] != st.Call.Service || got[1] != kebab(st.Call.Operation) {
			t.Fatalf("step %s: CLI got %q", st.ID, got[:2])
		}
		for k, v := range st.Call.Params {
			want := ""
			switch x := v.(type) {
			case string:
				want = x
			case map[string]string:
				want = "UserId=" + x["UserId"]
			}
			if r, ok := st.Call.Refs[k]; ok {
				want = map[string]string{"MembershipId": "9067a00001-0000cccc-3333-4333-8333-000000000099", "PolicyId": "p-0123456789"}[r.Output]
			}
			j := slices.Index(got, "--"+kebab(k))
			if j < 0 || j+1 >= len(got) || got[j+1] != want {
				t.Errorf("step %s: --%s reached the CLI as %q, want %q", st.ID, kebab(k), got[min(j+1, len(got)-1)], want)
			}
		}
		i++
		if st.Wait != nil {
			i++
		}
	}
	if i != len(calls) {
		t.Errorf("%d CLI calls, the plan accounts for %d", len(calls), i)
	}
}

func TestShellScriptStopsOnPolicyDrift(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	p := mustPlan(t, Input{Finding: loadFinding(t, findAttached)})
	var script bytes.Buffer
	if err := RenderShell(&script, p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin, live := filepath.Join(dir, "bin"), filepath.Join(dir, "live")
	_ = os.Mkdir(bin, 0o755)
	_ = os.Mkdir(live, 0o755)
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(fakeAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	// The live policy is not the one the plan was built from.
	if err := os.WriteFile(filepath.Join(live, filepath.Base(psDev)), []byte(`{"Version":"2012-10-17","Statement":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "aws.log")
	cmd := exec.Command(bash, "-s")
	cmd.Stdin = &script
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "AWS_LOG="+log, "LIVE_DIR="+live)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the inline policy changed since the snapshot") {
		t.Fatalf("script must stop on drift: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(log)
	if n := strings.Count(string(raw), "\x1e"); n != 1 {
		t.Errorf("%d CLI calls, want only the read", n)
	}
}

func TestTextRendererStripsControlCharacters(t *testing.T) {
	p := hostileModel(t)
	var buf bytes.Buffer
	if err := RenderText(&buf, p); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(buf.Bytes(), "\x1b\r") {
		t.Error("text output carries control characters")
	}
	if !strings.Contains(buf.String(), "mallory") {
		t.Error("the user is not named")
	}
}

func TestUnsafeStateValuesAreRefused(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(t *testing.T) (Input, *ContainmentPlan, error)
		wantErr string
	}{
		{"principal id with shell syntax", func(t *testing.T) (Input, *ContainmentPlan, error) {
			m, cfg := loadModel(t), loadConfig(t)
			m.Assignments = append(m.Assignments, m.Assignments[4])
			m.Assignments[len(m.Assignments)-1].AccountID = "44444444444$(reboot)"
			in := Input{Principal: userMallory}
			p, err := Plan(in, m, cfg, planTime)
			return in, p, err
		}, "account id"},
		{"permission set name widening an SCP pattern", func(t *testing.T) (Input, *ContainmentPlan, error) {
			m, cfg := loadModel(t), loadConfig(t)
			m.PermissionSets[psDev].Name = "*"
			in := Input{PermissionSet: psDev, Via: ViaSCP}
			p, err := Plan(in, m, cfg, planTime)
			return in, p, err
		}, "does not match AWS's pattern"},
		{"instance ARN", func(t *testing.T) (Input, *ContainmentPlan, error) {
			m, cfg := loadModel(t), loadConfig(t)
			m.InstanceARN = "arn:aws:sso:::instance/ssoins-1' ; rm -rf ~ '"
			in := Input{Principal: userMallory}
			p, err := Plan(in, m, cfg, planTime)
			return in, p, err
		}, "instance ARN"},
		{"bad region", func(t *testing.T) (Input, *ContainmentPlan, error) {
			in := Input{Principal: userMallory, Region: "us-east-1 --endpoint-url http://evil"}
			p, err := Plan(in, loadModel(t), loadConfig(t), planTime)
			return in, p, err
		}, "not an AWS region"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, p, err := tc.mutate(t)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || p != nil {
				t.Errorf("err = %v, want %q and no plan", err, tc.wantErr)
			}
		})
	}
}

func TestCLIQuoting(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", `'plain'`},
		{"it's", `'it'\''s'`},
		{"$(x) `y` \"z\" \\", `'$(x) ` + "`y`" + ` "z" \'`},
	}
	for _, tc := range cases {
		if got := shq(tc.in); got != tc.want {
			t.Errorf("shq(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	c := &Call{Service: SvcSSOAdmin, Operation: "UpdatePermissionSet", Params: map[string]any{"InstanceArn": "-x", "PermissionSetArn": "p", "SessionDuration": "PT4H"}}
	got, err := cliCommand(c, "")
	if err != nil || got != `aws sso-admin update-permission-set --instance-arn='-x' --permission-set-arn 'p' --session-duration 'PT4H'` {
		t.Errorf("cliCommand = %s, %v", got, err)
	}
	c.Params["SessionDuration"] = "a\x00b"
	if _, err := cliCommand(c, ""); err == nil {
		t.Error("a NUL byte must be refused")
	}
}
