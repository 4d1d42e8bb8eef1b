package respond

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

const shellPrelude = `set -euo pipefail

# wait_status LABEL COMMAND...: run COMMAND (it prints a status) until it
# says SUCCEEDED; FAILED, or 15 minutes, stops the script.
wait_status() {
  local label=$1 delay=2 waited=0 status
  shift
  while :; do
    status=$("$@")
    case "$status" in
      SUCCEEDED) printf '%s: SUCCEEDED\n' "$label"; return 0 ;;
      FAILED) printf '%s: FAILED\n' "$label" >&2; return 1 ;;
    esac
    if [ "$waited" -ge 900 ]; then
      printf '%s: still %s after %ss\n' "$label" "$status" "$waited" >&2
      return 1
    fi
    sleep "$delay"
    waited=$((waited + delay))
    if [ "$delay" -lt 30 ]; then delay=$((delay * 2)); fi
  done
}

# sha256_of: digest of stdin (Linux sha256sum or macOS shasum).
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1
}
`

// RenderShell writes the plan as a bash script of AWS CLI commands. Every
// value is single-quoted; free text only appears in comments after control
// characters are removed. Manual steps are commented out. A plan refused by
// a guard rail has no script.
func RenderShell(w io.Writer, p *ContainmentPlan) error {
	if p.Blocked() {
		return fmt.Errorf("render sh: %w", &GuardError{Refusals: p.Refusals})
	}
	ew := &errWriter{w: w}
	ew.printf("#!/usr/bin/env bash\n")
	ew.printf("# portcullis containment plan %s (%s)\n", p.Hash, PlanSchema)
	ew.printf("# generated %s: sessions issued before this instant are revoked.\n", p.GeneratedAt.Format(time.RFC3339))
	ew.printf("# subject: %s\n", subjectLine(p.Subject))
	ew.printf("# Read every command before you run it. Manual steps are commented out.\n")
	for _, n := range p.Notes {
		ew.printf("#\n%s", comment("Note: "+n))
	}
	ew.printf("\n%s", shellPrelude)
	for _, st := range p.Steps {
		if err := shellStep(ew, st, p.Region); err != nil {
			return fmt.Errorf("render sh: step %s: %w", st.ID, err)
		}
	}
	ew.printf("\nprintf '%%s\\n' %s\n", shq(fmt.Sprintf("portcullis: plan %s done; now check the verification list.", p.Hash)))
	if ew.err != nil {
		return fmt.Errorf("render sh: %w", ew.err)
	}
	return nil
}

// comment turns free text into shell comment lines, wrapped at ~76 columns.
func comment(s string) string {
	var b strings.Builder
	line := "#"
	for _, word := range strings.Fields(sanitize(s)) {
		if len(line)+1+len(word) > 78 && line != "#" {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + word
	}
	b.WriteString(line + "\n")
	return b.String()
}

func shellStep(ew *errWriter, st Step, region string) error {
	if strings.ContainsRune(st.CLI, 0) || (st.Wait != nil && strings.ContainsRune(st.Wait.CLI, 0)) {
		return errNUL
	}
	tag := string(st.Phase)
	if st.Manual {
		tag += ", MANUAL"
	}
	ew.printf("\n# --- %s [%s] %s\n", st.ID, tag, sanitize(st.Title))
	ew.printf("%s", comment("Why: "+st.Why))
	if st.Manual {
		if st.CLI != "" {
			ew.printf("# MANUAL: not run by this script. The command, for the right credentials:\n")
			for _, l := range strings.Split(st.CLI, "\n") {
				ew.printf("#   %s\n", sanitize(l))
			}
		} else {
			ew.printf("# MANUAL: a person does this (see Why).\n")
		}
		ew.printf("printf '%%s\\n' %s\n", shq(st.ID+": MANUAL step left for a person: "+sanitize(st.Title)))
		return nil
	}
	if st.Call == nil {
		return errors.New("automated step without a call")
	}
	ew.printf("printf '%%s\\n' %s\n", shq(st.ID+": "+sanitize(st.Title)))
	if st.Merge != nil {
		get := cliRead(SvcSSOAdmin, "GetInlinePolicyForPermissionSet", region,
			"InstanceArn", str(st.Call.Params["InstanceArn"]), "PermissionSetArn", str(st.Call.Params["PermissionSetArn"]))
		ew.printf("# The live inline policy must still be the one this plan merged with.\n")
		ew.printf("live=$(%s --query InlinePolicy --output text)\n", get)
		ew.printf("if [ \"$live\" = None ]; then live=''; fi\n")
		ew.printf("live_sha=''\nif [ -n \"$live\" ]; then live_sha=$(printf '%%s' \"$live\" | sha256_of); fi\n")
		ew.printf("if [ \"$live_sha\" != %s ]; then\n", shq(st.Merge.BaseSHA256))
		ew.printf("  printf '%%s\\n' %s >&2\n  exit 1\nfi\n", shq(st.ID+": the inline policy changed since the snapshot; build the plan again from live state (--from aws)"))
	}
	switch {
	case len(st.Call.Outputs) > 0:
		out := st.Call.Outputs[0]
		v := refVar(Ref{Step: st.ID, Output: out})
		ew.printf("%s=$(%s%s)\n", v, st.CLI, cliQuery(st.Call, out))
	default:
		ew.printf("%s\n", st.CLI)
	}
	if st.Wait != nil {
		w := &Call{Service: st.Wait.Service, Operation: st.Wait.Operation}
		ew.printf("wait_status %s %s%s\n", shq(st.ID), st.Wait.CLI, cliQuery(w, "Status"))
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
