package respond

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Formats RenderPlan accepts (--format).
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatShell = "sh"
)

// RenderPlan writes the plan in one of the formats above.
func RenderPlan(w io.Writer, p *ContainmentPlan, format string) error {
	switch format {
	case FormatText, "":
		return RenderText(w, p)
	case FormatJSON:
		return RenderJSON(w, p)
	case FormatShell:
		return RenderShell(w, p)
	}
	return fmt.Errorf("format %q: want text, json or sh", format)
}

// RenderJSON writes the plan as indented JSON (schema portcullis.plan/v1).
func RenderJSON(w io.Writer, p *ContainmentPlan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("render plan: %w", err)
	}
	return nil
}

// ReadPlan decodes a plan written by RenderJSON and checks its schema and
// hash (an edited plan is refused).
func ReadPlan(r io.Reader, name string) (*ContainmentPlan, error) {
	var p ContainmentPlan
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	if p.Schema != PlanSchema {
		return nil, fmt.Errorf("plan %s: schema %q is not supported (want %q)", name, p.Schema, PlanSchema)
	}
	if err := p.VerifyHash(); err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	return &p, nil
}

// RenderText writes the plan as a numbered list a person reads.
func RenderText(w io.Writer, p *ContainmentPlan) error {
	bw := bufio.NewWriter(w)
	pf := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	pf("Containment plan %s\n", p.Hash)
	pf("  generated  %s (sessions issued before this are revoked)\n", p.GeneratedAt.Format(time.RFC3339))
	pf("  instance   %s\n", p.InstanceARN)
	pf("  subject    %s\n", subjectLine(p.Subject))
	if p.Options.Lift {
		pf("  lift       removes the %s… statements and SCPs of an earlier containment\n", DenySidPrefix)
	} else {
		pf("  revoke     %s", p.Options.Revoke)
		if p.Options.DelegatedAdmin {
			pf(" (acting as delegated admin)")
		}
		pf("\n")
	}
	if len(p.Options.Forced) > 0 {
		pf("  forced     %s\n", strings.Join(p.Options.Forced, ", "))
	}
	if len(p.Refusals) > 0 {
		pf("\nREFUSED by guard rails (Apply will not run this plan):\n")
		for _, r := range p.Refusals {
			pf("  - [%s] step %s: %s\n      override with --force %s\n", r.Guard, r.Step, sanitize(r.Reason), r.Guard)
		}
	}
	for _, n := range p.Notes {
		pf("\nNote: %s\n", sanitize(n))
	}
	pf("\nSteps:\n")
	if len(p.Steps) == 0 {
		pf("  (none)\n")
	}
	for i, st := range p.Steps {
		tag := string(st.Phase)
		if st.Manual {
			tag += ", MANUAL"
		}
		pf("\n%2d. [%s] %s  (%s)\n", i+1, tag, sanitize(st.Title), st.ID)
		if len(st.BlockedBy) > 0 {
			pf("    REFUSED by: %s\n", strings.Join(st.BlockedBy, ", "))
		}
		if len(st.Overridden) > 0 {
			pf("    guard overridden: %s\n", strings.Join(st.Overridden, ", "))
		}
		pf("    why:   %s\n", sanitize(st.Why))
		if st.Call != nil {
			pf("    api:   %s %s %s\n", st.Call.Service, st.Call.Operation, sanitize(paramsText(st)))
			pf("    cli:   %s\n", sanitize(st.CLI))
		}
		if st.Merge != nil {
			for _, s := range st.Merge.Add {
				b, _ := s.MarshalJSON()
				pf("    adds:  %s\n", sanitize(string(b)))
			}
		}
		if st.Wait != nil {
			pf("    wait:  poll %s until SUCCEEDED (FAILED stops the plan)\n", st.Wait.Operation)
		}
		for _, c := range st.Proof {
			pf("    proof: [%s] %s\n", c.Kind, sanitize(c.What))
			if c.CLI != "" {
				pf("           %s\n", sanitize(c.CLI))
			}
		}
	}
	pf("\nVerification (what proves each step took effect):\n")
	for _, v := range p.Verification {
		for _, c := range v.Checks {
			pf("  [ ] %s: %s\n", v.Step, sanitize(c.What))
		}
	}
	if len(p.Permissions) > 0 {
		pf("\nIAM actions needed to apply: %s\n", strings.Join(p.Permissions, ", "))
	}
	return bw.Flush()
}

func subjectLine(s Subject) string {
	var parts []string
	if s.FindingID != "" {
		parts = append(parts, fmt.Sprintf("finding %s (%s)", s.FindingID, s.Rule))
	}
	if s.PrincipalID != "" {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", strings.ToLower(s.PrincipalType), s.PrincipalName, s.PrincipalID))
	}
	if s.GroupID != "" {
		parts = append(parts, "group "+s.GroupID)
	}
	if s.PermissionSetARN != "" {
		parts = append(parts, fmt.Sprintf("permission set %s (%s)", s.PermissionSetName, s.PermissionSetARN))
	}
	if s.AccountID != "" {
		parts = append(parts, "account "+s.AccountID)
	}
	if s.External {
		parts = append(parts, "externally provisioned identity")
	}
	return sanitize(strings.Join(parts, ", "))
}

// paramsText is the call's parameters as JSON, with a long inline policy
// or SCP shortened (the cli line and JSON output carry it whole).
func paramsText(st Step) string {
	short := map[string]any{}
	for k, v := range st.Call.Params {
		if s, ok := v.(string); ok && len(s) > 120 {
			v = fmt.Sprintf("<%d bytes>", len(s))
		}
		short[k] = v
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(short); err != nil {
		return "<unprintable>"
	}
	return strings.TrimSpace(b.String())
}

// errWriter remembers the first write error, so renderers check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, a...)
}

var errNUL = errors.New("a value contains a NUL byte, which no shell argument can carry")
