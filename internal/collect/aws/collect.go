// Package awscollect captures an Identity Center snapshot from the live
// AWS API (sso-admin, identitystore, organizations) into an idc.Model. It
// only reads: its client interfaces hold nothing but List/Describe/Get
// methods, and Policy() is the IAM policy for exactly those calls.
package awscollect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Options configure a collection.
type Options struct {
	Region, Profile string
	Endpoint        string // override for tests (BaseEndpoint)
	// InstanceARN picks the Identity Center instance when the account sees
	// more than one.
	InstanceARN string
	Concurrency int // requests in flight; default 4
	// AllowPartial turns read failures into Model.Partial + Model.Missing
	// instead of an error.
	AllowPartial     bool
	UserAgentVersion string // portcullis/<version>; default "dev"
	Logf             func(string, ...any)

	// MaxAttempts per call, retries included; default 10.
	MaxAttempts int
	// MaxBackoff caps the jittered backoff between attempts; 0 keeps the
	// SDK's 20s. Tests set it tiny.
	MaxBackoff time.Duration
	// Credentials replace the default chain when set.
	Credentials aws.CredentialsProvider
	// RegionFlag names the command's region flag in the error for a
	// missing region; default "--region".
	RegionFlag string

	// Bounds on what a misbehaving (or hostile) endpoint can make a
	// collection read: pages per listing (default 5000: 500,000 users at
	// 100 a page), items per page (default 1000; the APIs send at most
	// 100) and bytes per response body (default 16 MiB).
	MaxPages, MaxItemsPerPage int
	MaxResponseBytes          int64
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.UserAgentVersion == "" {
		o.UserAgentVersion = "dev"
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 5000
	}
	if o.MaxItemsPerPage <= 0 {
		o.MaxItemsPerPage = 1000
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 16 << 20
	}
	return o
}

// Collect reads the Identity Center instance the credentials see.
func Collect(ctx context.Context, o Options) (*idc.Model, error) {
	c, err := NewClients(ctx, o)
	if err != nil {
		return nil, err
	}
	return CollectWith(ctx, c, o)
}

// CollectWith reads through the given clients. A read that still fails
// after retries is an error naming the call and the resource, or, with
// AllowPartial, a Missing entry on a Partial model. Organizations access
// denied (e.g. a delegated-admin account without organizations read) is
// always a Missing entry, not an error: the Identity Center part stands.
func CollectWith(ctx context.Context, cl Clients, o Options) (*idc.Model, error) {
	if cl.SSOAdmin == nil || cl.IdentityStore == nil {
		return nil, errors.New("collect: sso-admin and identitystore clients are required")
	}
	c := &collector{cl: cl, o: o.withDefaults()}
	c.sem = make(chan struct{}, c.o.Concurrency)

	m := idc.New("aws")
	m.CapturedAt = time.Now().UTC()
	inst, err := c.instance(ctx)
	if err != nil {
		return nil, err
	}
	m.InstanceARN = aws.ToString(inst.InstanceArn)
	m.IdentityStoreID = aws.ToString(inst.IdentityStoreId)
	c.inst, c.store = m.InstanceARN, m.IdentityStoreID

	var (
		org  orgResult
		ids  identityResult
		sets permSetResult
	)
	g, gctx := newGroup(ctx, 3)
	g.Go(func() (err error) { org, err = c.organization(gctx); return err })
	g.Go(func() (err error) { ids, err = c.identities(gctx); return err })
	g.Go(func() (err error) { sets, err = c.permissionSets(gctx); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}

	org.fill(m)
	ids.fill(m)
	sets.fill(m)
	addReferencedAccounts(m)
	m.Missing = c.missingSorted()
	m.Partial = len(m.Missing) > 0
	c.o.Logf("snapshot of %s: %d accounts, %d users, %d groups, %d permission sets, %d assignments, %d gaps",
		m.InstanceARN, len(m.Accounts), len(m.Users), len(m.Groups), len(m.PermissionSets), len(m.Assignments), len(m.Missing))
	return m, nil
}

// instance finds the Identity Center instance.
func (c *collector) instance(ctx context.Context) (ssotypes.InstanceMetadata, error) {
	var all []ssotypes.InstanceMetadata
	p := ssoadmin.NewListInstancesPaginator(c.cl.SSOAdmin, &ssoadmin.ListInstancesInput{}, func(po *ssoadmin.ListInstancesPaginatorOptions) { po.Limit = ssoPage })
	err := drain(ctx, c, p, func(out *ssoadmin.ListInstancesOutput) { all = append(all, out.Instances...) })
	if err != nil {
		// Nothing else can be read without the instance: fatal even with AllowPartial.
		return ssotypes.InstanceMetadata{}, fmt.Errorf("collect sso:ListInstances: %w", err)
	}
	var arns []string
	for _, in := range all {
		if c.o.InstanceARN != "" && aws.ToString(in.InstanceArn) == c.o.InstanceARN {
			return in, nil
		}
		arns = append(arns, aws.ToString(in.InstanceArn))
	}
	switch {
	case c.o.InstanceARN != "":
		return ssotypes.InstanceMetadata{}, fmt.Errorf("collect: instance %s not found (visible: %s)", c.o.InstanceARN, strings.Join(arns, ", "))
	case len(all) == 0:
		return ssotypes.InstanceMetadata{}, errors.New("collect: no IAM Identity Center instance is visible with these credentials in this region")
	case len(all) > 1:
		return ssotypes.InstanceMetadata{}, fmt.Errorf("collect: %d Identity Center instances visible (%s); choose one", len(all), strings.Join(arns, ", "))
	}
	return all[0], nil
}

// collector holds one collection's clients, limits and gaps.
type collector struct {
	cl          Clients
	o           Options
	sem         chan struct{} // bounds requests in flight across all fan-outs
	inst, store string

	mu      sync.Mutex
	missing []string
}

// lost handles a read that failed after retries. Without AllowPartial it
// is the collection's error; with it, the gap is recorded and collection
// goes on. what names the call and the resource.
func (c *collector) lost(ctx context.Context, what string, err error) error {
	if !c.o.AllowPartial || ctx.Err() != nil {
		return fmt.Errorf("collect %s: %w", what, err)
	}
	c.note(what + ": " + reason(err))
	return nil
}

func (c *collector) note(s string) {
	c.o.Logf("snapshot incomplete: %s", s)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.missing = append(c.missing, s)
}

func (c *collector) missingSorted() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.missing)
	slices.Sort(out)
	return out
}

// reason is the short form of an error for a Missing entry.
func reason(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// addReferencedAccounts adds accounts that permission sets are provisioned
// to but organizations did not list (no organizations access, or the
// account has left), so consumers can still resolve every account id.
func addReferencedAccounts(m *idc.Model) {
	for _, ps := range m.PermissionSets {
		for _, id := range ps.ProvisionedTo {
			if m.Accounts[id] == nil {
				m.Accounts[id] = &idc.Account{ID: id, Source: "aws:ListAccountsForProvisionedPermissionSet"}
			}
		}
	}
}
