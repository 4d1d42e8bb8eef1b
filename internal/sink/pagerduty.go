package sink

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// DefaultPagerDutyURL is the Events API v2 base.
const DefaultPagerDutyURL = "https://events.pagerduty.com"

// PagerDuty triggers Events v2 alerts; the dedup key is the finding id, so a
// redelivered finding updates the same incident instead of opening another.
type PagerDuty struct {
	name       string
	base       string
	routingKey string
	client     *http.Client
}

// NewPagerDuty builds the sink; base "" means DefaultPagerDutyURL.
func NewPagerDuty(name, base, routingKey string, c *http.Client) *PagerDuty {
	if base == "" {
		base = DefaultPagerDutyURL
	}
	if c == nil {
		c = NewHTTPClient()
	}
	return &PagerDuty{name: name, base: strings.TrimRight(base, "/"), routingKey: routingKey, client: c}
}

func (p *PagerDuty) Name() string { return p.name }

// pdSeverity maps ours onto PagerDuty's four levels.
func pdSeverity(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return "critical"
	case finding.High:
		return "error"
	case finding.Medium:
		return "warning"
	}
	return "info"
}

// PagerDutyEvent renders the Events v2 body (routingKey included).
func PagerDutyEvent(f finding.Finding, routingKey string) map[string]any {
	source := f.Account
	if source == "" {
		source = "portcullis"
	}
	summary := fmt.Sprintf("[%s] %s: %s", strings.ToUpper(f.Severity.String()), f.Title, f.Summary)
	return map[string]any{
		"routing_key":  routingKey,
		"event_action": "trigger",
		"dedup_key":    f.ID,
		"client":       "portcullis",
		"payload": map[string]any{
			"summary":        truncate(summary, 1024),
			"source":         source,
			"severity":       pdSeverity(f.Severity),
			"timestamp":      f.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
			"component":      "aws-iam-identity-center",
			"group":          f.Region,
			"class":          f.Rule,
			"custom_details": f,
		},
	}
}

func (p *PagerDuty) Send(ctx context.Context, f finding.Finding) error {
	body, err := finding.JSON(PagerDutyEvent(f, p.routingKey))
	if err != nil {
		return Permanent(fmt.Errorf("encode pagerduty event for %s: %w", f.ID, err))
	}
	return post(ctx, p.client, p.base+"/v2/enqueue", body, nil)
}
