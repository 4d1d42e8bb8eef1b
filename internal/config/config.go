// Package config loads portcullis.yaml: the context rules need to tell an
// attacker from routine work (who the identity admins are, which accounts
// are sensitive, which groups are privileged).
package config

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults used when the file leaves a key out.
const (
	DefaultMaxSessionDuration = 4 * time.Hour
	DefaultLargeGroupSize     = 50
)

// Admin is one allow-listed actor pattern, optionally expiring.
type Admin struct {
	Pattern string    // ARN with '*' wildcards, or an Identity Center user name / id
	Expires time.Time // zero = never
	Note    string
}

// Config is the parsed file. The zero value plus Defaults() is valid.
type Config struct {
	Admins                   []Admin
	SensitiveAccounts        []string
	PrivilegedGroups         []string // group ids or display names
	MaxSessionDuration       time.Duration
	LargeGroupSize           int
	BreakGlassPermissionSets []string // names or ARNs the responder must never lock out
	// TrustedTokenIssuers are the OIDC issuer URLs a trusted token issuer
	// may name (normalised by NormalizeIssuer): any other issuer can mint
	// tokens for whichever user its JWT names.
	TrustedTokenIssuers []string
	Path                string // where it was loaded from ("" for defaults)
}

// Default returns the configuration used when no file is given.
func Default() *Config {
	return &Config{MaxSessionDuration: DefaultMaxSessionDuration, LargeGroupSize: DefaultLargeGroupSize}
}

type adminEntry struct {
	Pattern string `yaml:"pattern"`
	Expires string `yaml:"expires"`
	Note    string `yaml:"note"`
}

var accountRe = regexp.MustCompile(`^\d{12}$`)

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse validates a config document; errors name the key (and line).
func Parse(b []byte) (*Config, error) {
	c := Default()
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping of keys (admins, sensitive_accounts, …)", root.Line)
	}
	var f struct {
		Admins, SensitiveAccounts    []yaml.Node
		PrivilegedGroups, BreakGlass []string
		TrustedTokenIssuers          []yaml.Node
		MaxSessionDuration           *string
		LargeGroupSize               *int
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var target any
		switch k.Value {
		case "admins":
			target = &f.Admins
		case "sensitive_accounts":
			target = &f.SensitiveAccounts
		case "privileged_groups":
			target = &f.PrivilegedGroups
		case "break_glass_permission_sets":
			target = &f.BreakGlass
		case "max_session_duration":
			target = &f.MaxSessionDuration
		case "large_group_size":
			target = &f.LargeGroupSize
		case "trusted_token_issuers":
			target = &f.TrustedTokenIssuers
		default:
			return nil, fmt.Errorf("line %d: unknown key %q (known: admins, sensitive_accounts, privileged_groups, max_session_duration, large_group_size, break_glass_permission_sets, trusted_token_issuers)", k.Line, k.Value)
		}
		if err := v.Decode(target); err != nil {
			return nil, fmt.Errorf("%s (line %d): %s", k.Value, v.Line, strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n", " "), "yaml: "))
		}
	}
	for i, n := range f.Admins {
		a, err := parseAdmin(&n)
		if err != nil {
			return nil, fmt.Errorf("admins[%d] (line %d): %w", i, n.Line, err)
		}
		c.Admins = append(c.Admins, a)
	}
	for i, n := range f.SensitiveAccounts {
		// Account ids must stay strings: an unquoted id with a leading 0 would
		// otherwise be read as an octal number.
		if n.Kind != yaml.ScalarNode || !accountRe.MatchString(n.Value) {
			return nil, fmt.Errorf("sensitive_accounts[%d] (line %d): want a 12-digit account id in quotes, got %q", i, n.Line, n.Value)
		}
		c.SensitiveAccounts = append(c.SensitiveAccounts, n.Value)
	}
	for i, g := range f.PrivilegedGroups {
		if strings.TrimSpace(g) == "" {
			return nil, fmt.Errorf("privileged_groups[%d]: empty group", i)
		}
	}
	c.PrivilegedGroups = f.PrivilegedGroups
	for i, n := range f.TrustedTokenIssuers {
		u, err := parseIssuer(&n)
		if err != nil {
			return nil, fmt.Errorf("trusted_token_issuers[%d] (line %d): %w", i, n.Line, err)
		}
		c.TrustedTokenIssuers = append(c.TrustedTokenIssuers, u)
	}
	c.BreakGlassPermissionSets = f.BreakGlass
	if f.MaxSessionDuration != nil {
		d, err := ParseDuration(*f.MaxSessionDuration)
		if err != nil {
			return nil, fmt.Errorf("max_session_duration: %w", err)
		}
		if d <= 0 || d > 12*time.Hour {
			return nil, fmt.Errorf("max_session_duration: %s is outside Identity Center's range (PT1H..PT12H)", *f.MaxSessionDuration)
		}
		c.MaxSessionDuration = d
	}
	if f.LargeGroupSize != nil {
		if *f.LargeGroupSize < 1 {
			return nil, fmt.Errorf("large_group_size: want a positive number, got %d", *f.LargeGroupSize)
		}
		c.LargeGroupSize = *f.LargeGroupSize
	}
	return c, nil
}

func parseAdmin(n *yaml.Node) (Admin, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.TrimSpace(n.Value) == "" {
			return Admin{}, fmt.Errorf("empty pattern")
		}
		return Admin{Pattern: n.Value}, nil
	case yaml.MappingNode:
		var e adminEntry
		if err := n.Decode(&e); err != nil {
			return Admin{}, err
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i].Value; k {
			case "pattern", "expires", "note":
			default:
				return Admin{}, fmt.Errorf("unknown key %q (want pattern, expires, note)", k)
			}
		}
		if strings.TrimSpace(e.Pattern) == "" {
			return Admin{}, fmt.Errorf("pattern is required")
		}
		a := Admin{Pattern: e.Pattern, Note: e.Note}
		if e.Expires != "" {
			t, err := parseDate(e.Expires)
			if err != nil {
				return Admin{}, fmt.Errorf("expires: %w", err)
			}
			a.Expires = t
		}
		return a, nil
	}
	return Admin{}, fmt.Errorf("want a pattern string or {pattern, expires, note}")
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD or RFC 3339, got %q", s)
	}
	return t.Add(24*time.Hour - time.Nanosecond), nil // the whole day counts
}

// IsSensitive reports whether an account is in sensitive_accounts.
func (c *Config) IsSensitive(account string) bool {
	for _, a := range c.SensitiveAccounts {
		if a == account {
			return true
		}
	}
	return false
}
