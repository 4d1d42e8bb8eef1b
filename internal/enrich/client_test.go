package enrich

import (
	"slices"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// TestConfigKnowsEveryFamily: an admin entry's clients are checked against
// config.ClientFamilies; every family ClientFamily returns must be there.
func TestConfigKnowsEveryFamily(t *testing.T) {
	fams := []string{ClientOther, ClientConsole}
	for _, f := range familyMarks {
		fams = append(fams, f.family)
	}
	for _, f := range fams {
		if !slices.Contains(config.ClientFamilies, f) {
			t.Errorf("family %q is missing from config.ClientFamilies", f)
		}
	}
}

func TestClientFamily(t *testing.T) {
	cases := []struct{ ua, want string }{
		{"aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/sso.login", ClientAWSCLI},
		{"aws-cli/2.17.5 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 exec-env/CloudShell cfg/retry-mode#standard", ClientAWSCLI},
		{"aws-cli/1.32.0 Python/3.9.5 Darwin/20.3.0 botocore/1.34.0", ClientAWSCLI},
		{"Boto3/1.17.80 Python/3.9.5 Darwin/20.3.0 Botocore/1.20.80", ClientPython},
		{"Botocore/1.34.2 ua/2.0 os/linux#5.10 lang/python#3.12.1", ClientPython},
		{"aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.4 md/GOOS#linux api/sso#1.25.3 m/E,g", ClientGo},
		{"aws-sdk-go/1.44.0 (go1.20; linux; amd64)", ClientGo},
		{"APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 ua/2.0", ClientTerraform},
		{"aws-sdk-java/2.46.14 md/io#sync md/http#Apache ua/2.1 api/STS#2.46.x os/Linux lang/java#17.0.19", ClientJava},
		{"aws-sdk-js/3.540.0 ua/2.0 os/darwin#23.4.0 lang/js md/nodejs#20.11.1 api/sso-oidc#3.540.0", ClientJS},
		{"AWS Internal", ClientConsole},
		{"sso.amazonaws.com", ClientConsole},
		{"signin.amazonaws.com", ClientConsole},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", ClientBrowser},
		{"AWSPowerShell.Common/4.1.500.0 .NET_Core/6.0 OS/Microsoft_Windows", ClientPowerShell},
		{"curl/8.4.0", ClientScripted},
		{"python-requests/2.31.0", ClientScripted},
		{"Go-http-client/1.1", ClientScripted},
		{"never-gonna-give-you-up", ClientOther},
		{"", ""},
		{"HIDDEN_DUE_TO_SECURITY_REASONS", ""},
	}
	for _, c := range cases {
		if got := ClientFamily(c.ua); got != c.want {
			t.Errorf("ClientFamily(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}

func TestClientEnv(t *testing.T) {
	cases := map[string]string{
		"aws-cli/2.17.5 lang/python#3.11.8 exec-env/CloudShell cfg/retry-mode#standard": "CloudShell",
		"aws-cli/2.17.5 exec-env/AWS_Lambda_python3.12":                                 "AWS_Lambda_python3.12",
		"aws-cli/2.17.5 lang/python#3.11.8":                                             "",
	}
	for ua, want := range cases {
		if got := ClientEnv(ua); got != want {
			t.Errorf("ClientEnv(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestNetwork(t *testing.T) {
	cases := map[string]string{
		"203.0.113.77":                   "203.0.113.0/24",
		"198.51.100.1":                   "198.51.100.0/24",
		"2001:db8:1234:5678::1":          "2001:db8:1234::/48",
		"::ffff:203.0.113.9":             "203.0.113.0/24",
		"AWS Internal":                   "",
		"sso.amazonaws.com":              "",
		"":                               "",
		"HIDDEN_DUE_TO_SECURITY_REASONS": "",
		"203.0.113.300":                  "",
	}
	for addr, want := range cases {
		if got := Network(addr); got != want {
			t.Errorf("Network(%q) = %q, want %q", addr, got, want)
		}
	}
}
