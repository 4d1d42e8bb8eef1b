package sigma

import (
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// Correlation is a Sigma v2 correlation block.
type Correlation struct {
	Type         string                       // temporal_ordered | temporal | event_count
	Rules        []string                     // names of the rules it joins, in order
	GroupBy      []string                     // field paths whose values join events
	Aliases      map[string]map[string]string // group-by alias -> rule name -> field path
	Timespan     time.Duration
	TimespanText string // as written
	Generate     bool   // the joined rules raise their own findings too
	Condition    Threshold
}

// Threshold is an event_count correlation's condition.
type Threshold struct {
	GTE int // at least this many events
}

type correlationFile struct {
	Type      string                       `yaml:"type"`
	Rules     []string                     `yaml:"rules"`
	GroupBy   []string                     `yaml:"group-by"`
	Timespan  string                       `yaml:"timespan"`
	Aliases   map[string]map[string]string `yaml:"aliases"`
	Generate  bool                         `yaml:"generate"`
	Condition map[string]int               `yaml:"condition"`
}

func parseCorrelation(c *correlationFile) (*Correlation, error) {
	out := &Correlation{Type: c.Type, Rules: c.Rules, GroupBy: c.GroupBy, Aliases: c.Aliases, Generate: c.Generate, TimespanText: c.Timespan}
	switch c.Type {
	case "temporal_ordered", "temporal":
		if len(c.Rules) < 2 {
			return nil, fmt.Errorf("rules: %s needs at least two rules", c.Type)
		}
	case "event_count":
		if len(c.Rules) < 1 {
			return nil, fmt.Errorf("rules: required")
		}
		for k, v := range c.Condition {
			if k != "gte" {
				return nil, fmt.Errorf("condition: only gte is supported, got %q", k)
			}
			out.Condition.GTE = v
		}
		if out.Condition.GTE < 1 {
			return nil, fmt.Errorf("condition: gte must be at least 1")
		}
	case "value_count":
		return nil, fmt.Errorf("type: value_count is not supported")
	default:
		return nil, fmt.Errorf("type: unknown %q", c.Type)
	}
	d, err := parseTimespan(c.Timespan)
	if err != nil {
		return nil, fmt.Errorf("timespan: %w", err)
	}
	out.Timespan = d
	if len(c.GroupBy) == 0 {
		return nil, fmt.Errorf("group-by: required (unbounded state otherwise)")
	}
	return out, nil
}

// parseTimespan reads a correlation window: 30s, 5m, 1.5h, 1d, PT4H
// (config.ParseDuration), and only a positive one.
func parseTimespan(s string) (time.Duration, error) {
	d, err := config.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("want a positive duration, got %q", s)
	}
	return d, nil
}
