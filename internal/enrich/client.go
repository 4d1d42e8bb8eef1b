package enrich

import (
	"net/netip"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Client families of a userAgent (portcullis.client.family). Where a
// session was issued from is evidence, not identity: a caller can send any
// userAgent, so rules weigh a family, never trust one.
const (
	ClientAWSCLI     = "aws-cli"
	ClientPython     = "aws-sdk-python" // Boto3 / botocore
	ClientGo         = "aws-sdk-go"
	ClientJava       = "aws-sdk-java"
	ClientJS         = "aws-sdk-js"
	ClientTerraform  = "terraform"
	ClientConsole    = "console" // AWS Internal, an AWS service host, the console
	ClientBrowser    = "browser" // Mozilla/…
	ClientPowerShell = "powershell"
	ClientScripted   = "scripted" // curl, python-requests, Go's http client …
	ClientOther      = "other"
)

// familyMarks are tested in order: the first family one of whose marks the
// userAgent contains (in lower case) wins. Order matters: Terraform's
// agent names the Go SDK, the CLI v1's names botocore, and an SDK call from
// CloudShell or a browser extension names more than one.
var familyMarks = []struct {
	family string
	marks  []string
}{
	{ClientTerraform, []string{"terraform/", "terraform-provider-aws", "hashicorp"}},
	{ClientAWSCLI, []string{"aws-cli/"}},
	{ClientPowerShell, []string{"awspowershell", "aws.tools.", "powershell"}},
	{ClientPython, []string{"boto3/", "botocore/"}},
	{ClientGo, []string{"aws-sdk-go"}},
	{ClientJava, []string{"aws-sdk-java"}},
	{ClientJS, []string{"aws-sdk-js", "aws-sdk-nodejs"}},
	{ClientConsole, []string{"aws internal", "console.amazonaws.com", "signin.amazonaws.com", "console.aws.amazon.com", "aws-internal/"}},
	{ClientBrowser, []string{"mozilla/"}},
	{ClientScripted, []string{"curl/", "python-requests/", "go-http-client/", "wget/", "python-urllib/", "okhttp/", "axios/", "node-fetch", "httpie/", "postmanruntime/", "aiohttp/"}},
}

// ClientFamily names the client family of a userAgent; "" when there is
// no userAgent.
func ClientFamily(ua string) string {
	ua = strings.TrimSpace(ua)
	if ua == "" || ua == cloudtrail.Hidden {
		return ""
	}
	l := strings.ToLower(ua)
	for _, f := range familyMarks {
		for _, m := range f.marks {
			if strings.Contains(l, m) {
				return f.family
			}
		}
	}
	// An AWS service calling on its own behalf names its host.
	if strings.HasSuffix(l, ".amazonaws.com") && !strings.ContainsAny(l, " /") {
		return ClientConsole
	}
	return ClientOther
}

// ClientEnv is the execution environment an AWS SDK or CLI reports in its
// userAgent ("exec-env/CloudShell" → "CloudShell"), or "".
func ClientEnv(ua string) string {
	i := strings.Index(ua, "exec-env/")
	if i < 0 {
		return ""
	}
	env := ua[i+len("exec-env/"):]
	if j := strings.IndexAny(env, " ;)"); j >= 0 {
		env = env[:j]
	}
	return env
}

// Network is the network an address belongs to, as baselines compare
// addresses: its IPv4 /24 or IPv6 /48. AWS service names ("AWS Internal",
// "sso.amazonaws.com") and anything else that is not an address are not
// networks: "".
func Network(addr string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}
