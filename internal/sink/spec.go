package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Spec is one parsed --sink flag:
//
//	KIND[:key=value[,key=value…]]
//
// Common keys: name (default: the kind), min (minimum severity), attempts,
// timeout (per attempt, Go duration). Per kind:
//
//	stdout
//	webhook   url-env|url-file (required), hmac-env|hmac-file (optional)
//	slack     url-env|url-file (required)
//	pagerduty key-env|key-file (routing key, required), url (API base)
//	sns       topic (ARN, required), region, endpoint
//
// Secrets (webhook URLs, routing keys, HMAC keys) can only come from an
// environment variable (…-env=NAME) or a file (…-file=PATH), never from the
// flag itself, and are never printed.
type Spec struct {
	Kind    string
	Name    string
	Options map[string]string // kind-specific keys
	Policy  Policy
}

// kindKeys lists the kind-specific option keys; ok is false for an unknown kind.
func kindKeys(kind string) (keys []string, ok bool) {
	switch kind {
	case "stdout":
		return nil, true
	case "webhook":
		return []string{"url-env", "url-file", "hmac-env", "hmac-file"}, true
	case "slack":
		return []string{"url-env", "url-file"}, true
	case "pagerduty":
		return []string{"key-env", "key-file", "url"}, true
	case "sns":
		return []string{"topic", "region", "endpoint"}, true
	}
	return nil, false
}

// ParseSpec parses one --sink value.
func ParseSpec(s string) (Spec, error) {
	kind, rest, _ := strings.Cut(strings.TrimSpace(s), ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	allowed, ok := kindKeys(kind)
	if !ok {
		return Spec{}, fmt.Errorf("sink %q: unknown kind (want stdout, webhook, slack, pagerduty or sns)", kind)
	}
	sp := Spec{Kind: kind, Name: kind, Options: map[string]string{}}
	seen := map[string]bool{}
	for _, kv := range strings.Split(rest, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return Spec{}, fmt.Errorf("sink %s: option %q: want key=value", kind, k)
		}
		if seen[k] {
			return Spec{}, fmt.Errorf("sink %s: option %s given twice", kind, k)
		}
		seen[k] = true
		var err error
		switch k {
		case "name":
			sp.Name = v
		case "min":
			sp.Policy.MinSeverity, err = finding.ParseSeverity(v)
		case "attempts":
			sp.Policy.Attempts, err = strconv.Atoi(v)
			if err == nil && (sp.Policy.Attempts < 1 || sp.Policy.Attempts > 20) {
				err = errors.New("want 1..20")
			}
		case "timeout":
			sp.Policy.Timeout, err = config.ParseDuration(v)
			if err == nil && sp.Policy.Timeout <= 0 {
				err = errors.New("want a positive duration")
			}
		default:
			if !slices.Contains(allowed, k) {
				if k == "url" || k == "key" || k == "hmac" {
					return Spec{}, fmt.Errorf("sink %s: option %s: secrets come from %s-env=VAR or %s-file=PATH, not the command line", kind, k, k, k)
				}
				return Spec{}, fmt.Errorf("sink %s: unknown option %q (allowed: name, min, attempts, timeout%s)", kind, k, prefixed(allowed))
			}
			sp.Options[k] = v
		}
		if err != nil {
			return Spec{}, fmt.Errorf("sink %s: option %s: %w", kind, k, err)
		}
	}
	return sp, nil
}

func prefixed(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return ", " + strings.Join(keys, ", ")
}

// Deps are the outside resources sinks are built from. Nil fields take the
// process defaults (os.LookupEnv, os.ReadFile, NewHTTPClient, os.Stdout).
type Deps struct {
	LookupEnv   func(string) (string, bool)
	ReadFile    func(string) ([]byte, error)
	HTTPClient  *http.Client
	Stdout      io.Writer
	AWSConfig   func(context.Context) (aws.Config, error) // required for sns
	DeadLetters DeadLetterer
}

// secret reads <base>-env or <base>-file; exactly one must be set when
// required.
func (d Deps) secret(sp Spec, base string, required bool) (string, error) {
	env, file := sp.Options[base+"-env"], sp.Options[base+"-file"]
	switch {
	case env != "" && file != "":
		return "", fmt.Errorf("sink %s: give %s-env or %s-file, not both", sp.Name, base, base)
	case env != "":
		v, ok := d.LookupEnv(env)
		if v = strings.TrimSpace(v); !ok || v == "" {
			return "", fmt.Errorf("sink %s: environment variable %s is unset or empty", sp.Name, env)
		}
		return v, nil
	case file != "":
		b, err := d.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("sink %s: %s-file: %w", sp.Name, base, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("sink %s: %s-file %s is empty", sp.Name, base, file)
		}
		return v, nil
	case required:
		return "", fmt.Errorf("sink %s: needs %s-env=VAR or %s-file=PATH", sp.Name, base, base)
	}
	return "", nil
}

// checkURL wants https, or http to a loopback host (tests, local relays).
// Errors never repeat the URL: it is a secret.
func checkURL(sink, what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("sink %s: %s is not an absolute URL", sink, what)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if u.Scheme == "http" && (host == "localhost" || (ip != nil && ip.IsLoopback())) {
		return nil
	}
	return fmt.Errorf("sink %s: %s must use https (http only to loopback)", sink, what)
}

// Build makes a Sender from a Spec.
func Build(ctx context.Context, sp Spec, d Deps) (*Sender, error) {
	if d.LookupEnv == nil {
		d.LookupEnv = os.LookupEnv
	}
	if d.ReadFile == nil {
		d.ReadFile = os.ReadFile
	}
	if d.HTTPClient == nil {
		d.HTTPClient = NewHTTPClient()
	}
	if d.Stdout == nil {
		d.Stdout = os.Stdout
	}
	var s Sink
	switch sp.Kind {
	case "stdout":
		s = NewWriter(sp.Name, d.Stdout)
	case "webhook", "slack":
		u, err := d.secret(sp, "url", true)
		if err != nil {
			return nil, err
		}
		if err := checkURL(sp.Name, "webhook URL", u); err != nil {
			return nil, err
		}
		if sp.Kind == "slack" {
			s = NewSlack(sp.Name, u, d.HTTPClient)
			break
		}
		key, err := d.secret(sp, "hmac", false)
		if err != nil {
			return nil, err
		}
		s = NewWebhook(sp.Name, u, []byte(key), d.HTTPClient)
	case "pagerduty":
		key, err := d.secret(sp, "key", true)
		if err != nil {
			return nil, err
		}
		base := sp.Options["url"]
		if base != "" {
			if err := checkURL(sp.Name, "url", base); err != nil {
				return nil, err
			}
		}
		s = NewPagerDuty(sp.Name, base, key, d.HTTPClient)
	case "sns":
		topic := sp.Options["topic"]
		if !strings.HasPrefix(topic, "arn:") || strings.Count(topic, ":") != 5 {
			return nil, fmt.Errorf("sink %s: topic must be an SNS topic ARN (arn:PARTITION:sns:REGION:ACCOUNT:NAME)", sp.Name)
		}
		if d.AWSConfig == nil {
			return nil, fmt.Errorf("sink %s: no AWS configuration available", sp.Name)
		}
		cfg, err := d.AWSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("sink %s: AWS configuration: %w", sp.Name, err)
		}
		region := sp.Options["region"]
		if region == "" && cfg.Region == "" {
			region = strings.Split(topic, ":")[3] // the topic's own region
		}
		s = NewSNS(sp.Name, topic, NewSNSClient(cfg, region, sp.Options["endpoint"]))
	default:
		return nil, fmt.Errorf("sink %q: unknown kind", sp.Kind)
	}
	return NewSender(s, sp.Policy, d.DeadLetters), nil
}

// BuildAll parses and builds every --sink value; names must be unique.
func BuildAll(ctx context.Context, specs []string, d Deps) (Group, error) {
	var g Group
	names := map[string]bool{}
	for _, raw := range specs {
		sp, err := ParseSpec(raw)
		if err != nil {
			return nil, err
		}
		if names[sp.Name] {
			return nil, fmt.Errorf("sink %s: name used twice (add name=… to tell them apart)", sp.Name)
		}
		names[sp.Name] = true
		s, err := Build(ctx, sp, d)
		if err != nil {
			return nil, err
		}
		g = append(g, s)
	}
	return g, nil
}
