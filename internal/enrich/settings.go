package enrich

import (
	"cmp"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
)

var (
	relaxValue  = regexp.MustCompile(`(?i)^(never|disabled?|none|off|optional|no_mfa|allow(ed)?([_ -]?sign[_ -]?in)?|context[_-]?aware|false|0)$`)
	strictValue = regexp.MustCompile(`(?i)^(always([_-]?on)?|required?|block(ed)?([_ -]?sign[_ -]?in)?|enabled?|true|email_otp|webauthn)$`)
)

// settings reads instance settings changes (portal session length, MFA) in
// whatever shape the sso / sso-directory record carries them: these APIs are
// undocumented, so the walk is by key name.
func (e *Enricher) settings(ev *cloudtrail.Event, a actor.Actor) {
	if ev.Name == "DeleteMfaDeviceForUser" || ev.Name == "DeleteMfaDevice" {
		id, name := changedUser(ev)
		ev.SetDerived("portcullis.mfa.self", e.selfService(a, id, name))
		ev.SetDerived("portcullis.mfa.target_user", cmp.Or(id, name))
		return
	}
	if ev.Name != "UpdateSsoConfiguration" && !strings.Contains(strings.ToLower(ev.Name), "mfa") {
		return
	}
	rp, _ := ev.Get("requestParameters")
	var kind, change string
	var ageHours float64 = -1
	relaxed, strict := false, false
	walkKV(rp, "", 0, func(path, key string, v any) {
		lk := strings.ToLower(key)
		s := cloudtrail.Scalar(v)
		switch {
		case strings.Contains(lk, "maxauthenticationage") || strings.Contains(lk, "sessionduration"):
			kind = "session"
			if h, ok := hoursOf(key, v); ok {
				ageHours = h
			}
		case lk == "configurationtype" || lk == "type":
			if strings.EqualFold(s, "SESSION") {
				kind = "session"
			} else if strings.Contains(strings.ToUpper(s), "MFA") && kind == "" {
				kind = "mfa"
			}
		}
		if strings.Contains(strings.ToLower(path+"."+key), "mfa") {
			if kind == "" {
				kind = "mfa"
			}
			if relaxValue.MatchString(s) {
				relaxed = true
			} else if strictValue.MatchString(s) {
				strict = true
			}
		}
	})
	if kind == "" && strings.Contains(strings.ToLower(ev.Name), "mfa") {
		kind = "mfa"
	}
	switch {
	case relaxed:
		change = "relaxed"
	case strict:
		change = "strengthened"
	default:
		change = "unknown"
	}
	ev.SetDerived("portcullis.settings.kind", kind)
	if kind == "mfa" {
		ev.SetDerived("portcullis.mfa.change", change)
	}
	if kind == "session" {
		ev.SetDerived("portcullis.portal.max_auth_age_hours", ageHours)
	}
}

// hoursOf reads a duration value: ISO-8601 text, or a number whose unit
// the key names (minutes or seconds; bare numbers are taken as minutes, the
// unit the console uses for this setting).
func hoursOf(key string, v any) (float64, bool) {
	s := cloudtrail.Scalar(v)
	if s == "" {
		return 0, false
	}
	if d, err := config.ParseDuration(s); err == nil && strings.HasPrefix(strings.ToUpper(s), "P") {
		return d.Hours(), true
	}
	if _, isNum := v.(json.Number); isNum || isDigits(s) {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		if strings.Contains(strings.ToLower(key), "second") {
			return n / 3600, true
		}
		return n / 60, true
	}
	return 0, false
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// walkKV visits every scalar under v with its parent path and key.
func walkKV(v any, path string, depth int, fn func(path, key string, v any)) {
	if depth > 12 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			switch c.(type) {
			case map[string]any, []any:
				walkKV(c, path+"."+k, depth+1, fn)
			default:
				fn(path, k, c)
			}
		}
	case []any:
		for _, c := range x {
			walkKV(c, path, depth+1, fn)
		}
	case string:
		// Some settings arrive as a JSON document inside a string.
		if depth < 3 && strings.HasPrefix(strings.TrimSpace(x), "{") {
			var inner any
			if json.Unmarshal([]byte(x), &inner) == nil {
				walkKV(inner, path, depth+1, fn)
			}
		}
	}
}
