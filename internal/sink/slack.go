package sink

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Slack posts a readable message to an incoming webhook.
type Slack struct {
	name   string
	url    string
	client *http.Client
}

// NewSlack builds a Slack sink for an incoming-webhook URL (a secret).
func NewSlack(name, rawURL string, c *http.Client) *Slack {
	if c == nil {
		c = NewHTTPClient()
	}
	return &Slack{name: name, url: rawURL, client: c}
}

func (s *Slack) Name() string { return s.name }

func (s *Slack) Send(ctx context.Context, f finding.Finding) error {
	body, err := finding.JSON(SlackMessage(f))
	if err != nil {
		return Permanent(fmt.Errorf("encode slack message for %s: %w", f.ID, err))
	}
	return post(ctx, s.client, s.url, body, nil)
}

func severityEmoji(s finding.Severity) string {
	switch s {
	case finding.Critical:
		return ":rotating_light:"
	case finding.High:
		return ":red_circle:"
	case finding.Medium:
		return ":large_orange_circle:"
	case finding.Low:
		return ":large_yellow_circle:"
	}
	return ":information_source:"
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// SlackMessage renders the Block Kit message; "text" is the fallback shown
// in notifications.
func SlackMessage(f finding.Finding) map[string]any {
	sev := strings.ToUpper(f.Severity.String())
	title := fmt.Sprintf("[%s] %s", sev, f.Title)
	text := slackEscape(fmt.Sprintf("%s %s — actor %s — %s", severityEmoji(f.Severity), title, actorLine(f.Actor), f.Summary))
	field := func(label, v string) map[string]any {
		return map[string]any{"type": "mrkdwn", "text": "*" + label + "*\n" + truncate(slackEscape(v), 1900)}
	}
	acct := f.Account
	if f.Region != "" {
		acct += " / " + f.Region
	}
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncate(title, 150), "emoji": true}},
		map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate(severityEmoji(f.Severity)+" "+slackEscape(f.Summary), 2900)}},
		map[string]any{"type": "section", "fields": []any{
			field("Severity", sev),
			field("Actor", actorLine(f.Actor)),
			field("Target", targetLine(f)),
			field("Account", strings.TrimSpace(acct)),
			field("Rule", f.Rule),
			field("Time", f.Time.UTC().Format("2006-01-02 15:04:05 MST")),
		}},
	}
	if f.Remediation != "" {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate("*Remediation*\n"+slackEscape(f.Remediation), 2900)}})
	}
	blocks = append(blocks, map[string]any{"type": "context", "elements": []any{
		map[string]any{"type": "mrkdwn", "text": "portcullis finding `" + f.ID + "`"},
	}})
	return map[string]any{"text": truncate(text, 3000), "blocks": blocks}
}
