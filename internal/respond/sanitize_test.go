package respond

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
)

// formatRunes is every Unicode format character (category Cf).
func formatRunes() []rune {
	var out []rune
	for _, rg := range unicode.Cf.R16 {
		for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
			out = append(out, r)
		}
	}
	for _, rg := range unicode.Cf.R32 {
		for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
			out = append(out, r)
		}
	}
	return out
}

func TestSanitizeEscapesInvisibles(t *testing.T) {
	cases := map[string]string{
		"LRE": "\u202A", "RLE": "\u202B", "PDF": "\u202C", "LRO": "\u202D", "RLO": "\u202E",
		"LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069",
		"ZWSP": "\u200B", "ZWNJ": "\u200C", "ZWJ": "\u200D", "word joiner": "\u2060", "BOM": "\uFEFF",
		"soft hyphen": "\u00AD", "Arabic letter mark": "\u061C", "tag A": "\U000E0041",
		"line separator": "\u2028", "no-break space": "\u00A0", "Hangul filler": "\u3164", "variation selector": "\uFE0F",
		"private use": "\uE000", "unassigned": "\U0003FFFE",
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			got := sanitize("admin" + r + "txt.exe")
			if strings.Contains(got, r) || !strings.Contains(got, `\u`) && !strings.Contains(got, `\U`) {
				t.Errorf("sanitize kept %q invisible: %q", r, got)
			}
		})
	}
	if got := sanitize("ünïcode naïve 名前 ok"); got != "ünïcode naïve 名前 ok" {
		t.Errorf("visible text changed: %q", got)
	}
	if got := sanitize("a\x1b[31mb\nc"); got != "a?[31mb?c" {
		t.Errorf("controls: %q", got)
	}
}

// TestScriptHasNoFormatCharacter: names carrying every format character
// (the bidi controls among them) reach the shell script and the text plan
// only as visible escapes.
func TestScriptHasNoFormatCharacter(t *testing.T) {
	all := string(formatRunes())
	m, cfg := loadModel(t), loadConfig(t)
	m.Users[userMallory].UserName = "mallory" + all
	m.Groups[groupAdmins].DisplayName = "AWSAdmins\u202Egpj.exe" + all
	m.PermissionSets[psAdmin].Name = "Admin" + all
	m.PermissionSets[psAdmin].Description = "desc\u2067" + all
	m.PermissionSets[psAdmin].InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Q","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket\u202e/*"}]}`
	m.PermissionSets[psAdmin].InlinePolicy = strings.ReplaceAll(m.PermissionSets[psAdmin].InlinePolicy, `\u202e`, "\u202e"+all)
	p, err := Plan(Input{Principal: userMallory}, m, cfg, planTime)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	var sh, text bytes.Buffer
	if err := RenderShell(&sh, p); err != nil {
		t.Fatal(err)
	}
	if err := RenderText(&text, p); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"sh": sh.String(), "text": text.String()} {
		for i, r := range out {
			if unicode.Is(unicode.Cf, r) {
				t.Fatalf("%s output has format character %U at byte %d", name, r, i)
			}
		}
		if !strings.Contains(out, `\u202E`) {
			t.Errorf("%s output does not show the RLO as an escape", name)
		}
	}
}
