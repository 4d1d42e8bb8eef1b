package detect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestAttemptsRuleIsNotCappedAtLow: a failed call is an attempt capped at
// low, unless the rule says failed calls are its point (attempts: true);
// the allow-list cap still holds for such a rule.
func TestAttemptsRuleIsNotCappedAtLow(t *testing.T) {
	const doc = `title: %[1]s
logsource: {product: aws, service: cloudtrail}
level: high
detection:
  selection: {eventSource: sso.amazonaws.com, eventName: DeleteInstance}
  condition: selection
portcullis: {id: %[1]s, attempts: %[2]t}
`
	dir := t.TempDir()
	for id, attempts := range map[string]bool{"idc.test.attempts": true, "idc.test.plain": false} {
		if err := os.WriteFile(filepath.Join(dir, id+".yml"), []byte(fmt.Sprintf(doc, id, attempts)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Admins = []config.Admin{{Pattern: "arn:aws:iam::111111111111:user/admin"}}
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name, user, errCode string
		want                map[string]finding.Severity
	}{
		{"failure by an outsider", "mallory", "AccessDenied", map[string]finding.Severity{"idc.test.attempts": finding.High, "idc.test.plain": finding.Low}},
		{"success by an outsider", "mallory", "", map[string]finding.Severity{"idc.test.attempts": finding.High, "idc.test.plain": finding.High}},
		{"failure by an admin", "admin", "AccessDenied", map[string]finding.Severity{"idc.test.attempts": finding.Low, "idc.test.plain": finding.Low}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := NewEngine(rs, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			errField := ""
			if c.errCode != "" {
				errField = fmt.Sprintf(`,"errorCode":%q`, c.errCode)
			}
			got := map[string]finding.Severity{}
			for _, f := range e.Process(ev(t, fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"DeleteInstance","eventTime":%q,"eventID":"e1",
			  "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/%s","userName":"%s"}%s}`, t0.Format(time.RFC3339), c.user, c.user, errField))) {
				if _, ok := c.want[f.Rule]; ok {
					got[f.Rule] = f.Severity
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("severities %v, want %v", got, c.want)
			}
		})
	}
}
