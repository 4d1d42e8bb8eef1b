package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseIssuer reads one trusted_token_issuers entry: an absolute https URL
// (Identity Center accepts no other issuer).
func parseIssuer(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || strings.TrimSpace(n.Value) == "" {
		return "", fmt.Errorf("want an issuer URL (https://…)")
	}
	u, err := url.Parse(strings.TrimSpace(n.Value))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("want an https:// issuer URL, got %q", n.Value)
	}
	return NormalizeIssuer(n.Value), nil
}

// NormalizeIssuer gives the form issuer URLs are compared in: scheme and
// host lower-cased, no trailing slash, no query or fragment (an OIDC issuer
// has none). The path keeps its case: issuers are case-sensitive there.
func NormalizeIssuer(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.TrimRight(s, "/")
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/")
}

// TrustsIssuer reports whether an issuer URL is one of the config's
// trusted_token_issuers.
func (c *Config) TrustsIssuer(issuer string) bool {
	return issuer != "" && slices.Contains(c.TrustedTokenIssuers, NormalizeIssuer(issuer))
}
