package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// modelSpecHelp documents what loadModel accepts, for flag help texts.
const modelSpecHelp = "a snapshot file, Terraform state or `terraform show -json` output (detected by content, or force with terraform:FILE), `aws` for the live API, or - for stdin"

// awsFlags are the live-AWS flags of commands that accept the `aws` model
// spec (and, in contain, write through the SDK).
type awsFlags struct {
	region, profile, endpoint, instanceARN string
}

func (f *awsFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.region, "region", "", "AWS region of the Identity Center instance (live AWS only; default from the AWS config)")
	fl.StringVar(&f.profile, "profile", "", "AWS shared config profile (live AWS only)")
	fl.StringVar(&f.endpoint, "endpoint", "", "AWS endpoint URL override (tests, VPC endpoints)")
	fl.StringVar(&f.instanceARN, "instance-arn", "", "Identity Center instance to read when the account sees more than one (live AWS only)")
}

// collectOptions are the awscollect options for these flags; AWS calls carry
// the portcullis user agent.
func (a *App) collectOptions(f awsFlags) awscollect.Options {
	return awscollect.Options{
		Region: f.region, Profile: f.profile, Endpoint: f.endpoint, InstanceARN: f.instanceARN,
		UserAgentVersion: version.String(),
		Logf:             func(format string, v ...any) { fmt.Fprintf(a.Stderr, "portcullis: aws: "+format+"\n", v...) },
	}
}

// awsFlagsKey carries a command's awsFlags to loadModel through the context,
// so loadModel keeps the one-argument form every command can call.
type awsFlagsKey struct{}

func withAWSFlags(ctx context.Context, f awsFlags) context.Context {
	return context.WithValue(ctx, awsFlagsKey{}, f)
}

func awsFlagsFrom(ctx context.Context) awsFlags {
	f, _ := ctx.Value(awsFlagsKey{}).(awsFlags)
	return f
}

// loadModel builds an Identity Center model from a spec: a snapshot file,
// Terraform state / `terraform show -json` output (by content, or forced
// with terraform:FILE), `aws` for the live API (region, profile and endpoint
// from the awsFlags in ctx), or - for stdin. A partial model is returned
// with a warning on stderr; callers decide what partial means for them.
func (a *App) loadModel(ctx context.Context, spec string) (*idc.Model, error) {
	var (
		m   *idc.Model
		err error
	)
	switch {
	case spec == "":
		return nil, fmt.Errorf("no model given: want %s", modelSpecHelp)
	case spec == "aws":
		m, err = awscollect.Collect(ctx, a.collectOptions(awsFlagsFrom(ctx)))
		if err != nil {
			return nil, fmt.Errorf("read live Identity Center: %w", err)
		}
	case strings.HasPrefix(spec, "terraform:"):
		path := strings.TrimPrefix(spec, "terraform:")
		b, rerr := a.readSpecFile(path)
		if rerr != nil {
			return nil, rerr
		}
		m, err = terraform.Read(bytes.NewReader(b), path)
	default:
		b, rerr := a.readSpecFile(spec)
		if rerr != nil {
			return nil, rerr
		}
		m, err = readModelBytes(b, spec)
	}
	if err != nil {
		return nil, err
	}
	if m.Partial {
		fmt.Fprintf(a.Stderr, "portcullis: warning: %s is partial; missing: %s\n", spec, strings.Join(m.Missing, "; "))
	}
	return m, nil
}

func (a *App) readSpecFile(path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(a.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read model from stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return b, nil
}

// readModelBytes tells a portcullis snapshot from Terraform JSON by its
// top-level keys: file names say little (state is often piped or renamed).
func readModelBytes(b []byte, name string) (*idc.Model, error) {
	var probe struct {
		Schema           string          `json:"schema"`
		TerraformVersion json.RawMessage `json:"terraform_version"`
		FormatVersion    json.RawMessage `json:"format_version"`
		Resources        json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object (want %s): %w", name, modelSpecHelp, err)
	}
	switch {
	case probe.Schema != "":
		return idc.Read(bytes.NewReader(b), name)
	case probe.TerraformVersion != nil || probe.FormatVersion != nil || probe.Resources != nil:
		return terraform.Read(bytes.NewReader(b), name)
	}
	return nil, fmt.Errorf("%s: neither a portcullis snapshot (no \"schema\") nor Terraform state (no \"terraform_version\" or \"format_version\")", name)
}

// eventInterests are the records drift, reconcile and posture read:
// Identity Center writes through every front door, sign-ins, and uses of the
// AWSReservedSSO roles. Everything else is dropped by the byte prefilter,
// so memory follows the Identity Center share of a trail, not its size.
func eventInterests() []cloudtrail.Interest {
	return []cloudtrail.Interest{
		{Source: "sso.amazonaws.com"},
		{Source: "identitystore.amazonaws.com"},
		{Source: "sso-directory.amazonaws.com"},
		{Source: "identitystore-scim.amazonaws.com"},
		{Source: "organizations.amazonaws.com"},
		{Source: "signin.amazonaws.com"},
		{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}, Contains: []string{"AWSReservedSSO"}},
	}
}

// readEvents reads CloudTrail from files, directories (org-trail layout) or
// - (stdin) and returns the Identity Center events in time order. The slice
// is non-nil even when nothing matched: "events were given" changes what the
// libraries conclude. Unreadable files and records are reported on stderr
// and counted in bad; they do not stop the read.
func (a *App) readEvents(ctx context.Context, paths []string) (evs []*cloudtrail.Event, bad int, err error) {
	var objs []source.Object
	if slices.Contains(paths, "-") {
		in := a.Stdin
		objs = append(objs, source.Object{Name: source.StdinName, Size: -1,
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(in), nil }})
		paths = slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return p == "-" })
	}
	if len(paths) > 0 {
		if _, err := source.Walk(ctx, paths, source.Filter{}, func(o source.Object) error {
			objs = append(objs, o)
			return nil
		}); err != nil {
			return nil, 0, fmt.Errorf("--events: %w", err)
		}
	}
	evs = []*cloudtrail.Event{}
	opts := scan.Options{
		Prefilter: cloudtrail.NewPrefilter(eventInterests()),
		OnError: func(err error) {
			bad++
			fmt.Fprintln(a.Stderr, "portcullis: events:", err)
		},
	}
	if _, err := scan.Run(ctx, objs, opts, func(batch []*cloudtrail.Event) error {
		evs = append(evs, batch...)
		return ctx.Err()
	}); err != nil {
		return nil, bad, fmt.Errorf("read events: %w", err)
	}
	return evs, bad, nil
}
