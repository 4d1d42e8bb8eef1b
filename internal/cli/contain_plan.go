package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/respond"
	"github.com/portcullis-sec/portcullis/internal/respond/apply"
)

// liveState reads the state named by --snapshot or --from (one of them).
func (a *App) liveState(ctx context.Context, f containFlags, what string) (*idc.Model, error) {
	spec := f.snapshot
	switch {
	case f.snapshot != "" && f.from != "":
		return nil, fmt.Errorf("give --snapshot SPEC or --from aws, not both")
	case f.from != "":
		spec = f.from
	case spec == "":
		return nil, fmt.Errorf("%s needs the live state: give --from aws (or --snapshot FILE)", what)
	}
	return a.loadModel(ctx, spec, f.aws)
}

// planConflicts refuses flags that would build a plan when the plan comes
// from elsewhere (a file, a lift).
func planConflicts(f containFlags, source string, allowScope bool) error {
	conflicts := []struct{ name, v string }{{"--finding", f.findingID}, {"--findings", f.findingsPath}, {"--principal", f.principal},
		{"--group", f.group}, {"--resume", f.resumePath}}
	if !allowScope {
		conflicts = append(conflicts, struct{ name, v string }{"--permission-set", f.permSet}, struct{ name, v string }{"--account", f.account})
	}
	for _, c := range conflicts {
		if c.v != "" {
			return fmt.Errorf("%s: drop %s", source, c.name)
		}
	}
	if f.deletePermSet || len(f.detach) > 0 || f.revoke != "auto" || f.via != "auto" {
		return fmt.Errorf("%s: --revoke, --revoke-via, --delete-permission-set and --detach-policy shape a new plan; drop them", source)
	}
	return nil
}

// reviewedPlan reads a plan file (its hash proves it was not edited) and
// checks it against the live state: a plan whose state moved is refused,
// naming what moved.
func (a *App) reviewedPlan(ctx context.Context, f containFlags) (*respond.ContainmentPlan, *idc.Model, error) {
	if f.lift || f.liftState != "" {
		return nil, nil, errors.New("--plan applies a reviewed plan; --lift builds one: give one of them")
	}
	if err := planConflicts(f, "--plan takes the steps from "+f.planPath, false); err != nil {
		return nil, nil, err
	}
	fh, err := os.Open(f.planPath)
	if err != nil {
		return nil, nil, fmt.Errorf("--plan: %w", err)
	}
	defer fh.Close()
	p, err := respond.ReadPlan(fh, f.planPath)
	if err != nil {
		return nil, nil, fmt.Errorf("--plan: %w", err)
	}
	if p.Blocked() {
		return nil, nil, fmt.Errorf("--plan %s: %w", f.planPath, &respond.GuardError{Refusals: p.Refusals})
	}
	m, err := a.liveState(ctx, f, "--plan")
	if err != nil {
		return nil, nil, err
	}
	if err := respond.CheckState(p, m); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(a.Stderr, "portcullis: plan %s: the live state matches the one it was built from (%d objects)\n", p.Hash, len(p.State.Objects))
	if f.apply {
		state := f.statePath
		if state == "" {
			state = apply.DefaultStatePath(p)
		}
		if st, err := apply.LoadState(state); err == nil && len(st.Completed()) > 0 {
			return nil, nil, fmt.Errorf("--plan: %s records steps of this plan done already (our own changes move the state): continue with --resume %s", state, state)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
	}
	return p, m, nil
}

// liftPlan builds the plan that removes a containment's statements (and
// the SCPs it created) after the incident.
func (a *App) liftPlan(ctx context.Context, f containFlags) (*respond.ContainmentPlan, *idc.Model, error) {
	if err := planConflicts(f, "--lift", true); err != nil {
		return nil, nil, err
	}
	in := respond.LiftInput{PermissionSet: f.permSet, Account: f.account, Region: f.aws.region}
	if f.liftState != "" {
		st, err := apply.LoadState(f.liftState)
		if err != nil {
			return nil, nil, fmt.Errorf("--lift-state: %w", err)
		}
		in.Applied, in.CreatedSCPs = st.Plan, st.CreatedSCPs()
	}
	m, err := a.liveState(ctx, f, "--lift")
	if err != nil {
		return nil, nil, err
	}
	p, err := respond.Lift(in, m, a.Now())
	return p, m, err
}
