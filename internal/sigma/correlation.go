package sigma

import (
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// Correlation is a Sigma v2 correlation block.
type Correlation struct {
	Type         string                       // temporal_ordered | temporal | event_count | value_count
	Rules        []string                     // names of the rules it joins, in order
	GroupBy      []string                     // field paths whose values join events
	Aliases      map[string]map[string]string // group-by alias -> rule name -> field path
	Timespan     time.Duration
	TimespanText string // as written
	Generate     bool   // the joined rules raise their own findings too
	Condition    Threshold
}

// Threshold is an event_count or value_count correlation's condition.
type Threshold struct {
	GTE   int    // at least this many events (event_count) or distinct values (value_count)
	Field string // value_count: the field whose distinct values are counted
}

type correlationFile struct {
	Type      string                       `yaml:"type"`
	Rules     []string                     `yaml:"rules"`
	GroupBy   []string                     `yaml:"group-by"`
	Timespan  string                       `yaml:"timespan"`
	Aliases   map[string]map[string]string `yaml:"aliases"`
	Generate  bool                         `yaml:"generate"`
	Condition map[string]any               `yaml:"condition"`
}

func parseCorrelation(c *correlationFile) (*Correlation, error) {
	out := &Correlation{Type: c.Type, Rules: c.Rules, GroupBy: c.GroupBy, Aliases: c.Aliases, Generate: c.Generate, TimespanText: c.Timespan}
	switch c.Type {
	case "temporal_ordered", "temporal":
		if len(c.Rules) < 2 {
			return nil, fmt.Errorf("rules: %s needs at least two rules", c.Type)
		}
	case "event_count", "value_count":
		if len(c.Rules) < 1 {
			return nil, fmt.Errorf("rules: required")
		}
		th, err := parseThreshold(c.Type, c.Condition)
		if err != nil {
			return nil, fmt.Errorf("condition: %w", err)
		}
		out.Condition = th
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

// MaxValueCount bounds a value_count threshold, and so the distinct values
// one group keeps.
const MaxValueCount = 1000

// parseThreshold reads {gte: N} (event_count) or {field: F, gte: N}
// (value_count): the only comparison portcullis evaluates is "at least".
func parseThreshold(typ string, m map[string]any) (Threshold, error) {
	var th Threshold
	for k, v := range m {
		switch k {
		case "gte":
			n, ok := v.(int)
			if !ok {
				return th, fmt.Errorf("gte: want a whole number, got %v", v)
			}
			th.GTE = n
		case "field":
			if typ != "value_count" {
				return th, fmt.Errorf("field: only a value_count correlation counts a field")
			}
			s, ok := v.(string)
			if !ok || s == "" {
				return th, fmt.Errorf("field: want a field path, got %v", v)
			}
			th.Field = s
		default:
			return th, fmt.Errorf("only gte is supported, got %q", k)
		}
	}
	if th.GTE < 1 {
		return th, fmt.Errorf("gte must be at least 1")
	}
	if typ == "value_count" && th.Field == "" {
		return th, fmt.Errorf("field: required (the field whose distinct values are counted)")
	}
	if typ == "value_count" && th.GTE > MaxValueCount {
		return th, fmt.Errorf("gte: at most %d distinct values (each group keeps them until it fires)", MaxValueCount)
	}
	return th, nil
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
