package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/collect"
	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// modelSpecHelp documents what loadModel accepts, for flag help texts.
const modelSpecHelp = collect.SpecHelp

// awsFlags are the live-AWS flags of commands that accept the `aws` model
// spec (and, in contain, write through the SDK).
type awsFlags struct {
	region, profile, endpoint, instanceARN string
	lookupRate                             float64 // event history requests a second (registerLookupRate); 0: the API's
}

// registerLookupRate adds --lookup-rate, for commands whose --events take
// the event-history spec.
func (f *awsFlags) registerLookupRate(cmd *cobra.Command) {
	cmd.Flags().Float64Var(&f.lookupRate, "lookup-rate", eventhistory.Rate, "event-history: LookupEvents requests per second per region (the API allows 2)")
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

// sourceOptions are what collect needs to read a spec with these flags.
func (a *App) sourceOptions(f awsFlags) collect.Options {
	return collect.Options{AWS: a.collectOptions(f), Stdin: a.Stdin}
}

// loadModel reads a model spec (see collect.Load) with the command's AWS
// flags, and warns on stderr when the model is partial; callers decide what
// partial means for them.
func (a *App) loadModel(ctx context.Context, spec string, aws awsFlags) (*idc.Model, error) {
	m, err := collect.Load(ctx, spec, a.sourceOptions(aws))
	if err != nil {
		return nil, err
	}
	if m.Partial {
		fmt.Fprintf(a.Stderr, "portcullis: warning: %s is partial; missing: %s\n", spec, strings.Join(m.Missing, "; "))
	}
	return m, nil
}

// loadOrganization reads --org: an export file, or `aws` for the live
// Organizations API with the command's AWS flags.
func (a *App) loadOrganization(ctx context.Context, spec string, aws awsFlags) (*idc.Organization, error) {
	org, err := collect.LoadOrganization(ctx, spec, a.sourceOptions(aws))
	if err != nil && spec == "aws" {
		return nil, fmt.Errorf("--org aws: %w", err)
	}
	return org, err
}

// readEvents reads --events (see collect.ReadEventsWith), reporting
// unreadable files and records on stderr. The event-history spec reads
// CloudTrail's event history with the command's AWS flags.
func (a *App) readEvents(ctx context.Context, paths []string, aws awsFlags) (evs []*cloudtrail.Event, bad int, err error) {
	evs, bad, err = collect.ReadEventsWith(ctx, paths, collect.EventsOptions{
		Stdin:   a.Stdin,
		OnError: func(err error) { fmt.Fprintln(a.Stderr, "portcullis: events:", err) },
		History: collect.History{AWS: a.collectOptions(aws), Rate: aws.lookupRate},
		Until:   a.Now(),
	})
	if err != nil {
		return nil, bad, fmt.Errorf("--events: %w", err)
	}
	return evs, bad, nil
}
