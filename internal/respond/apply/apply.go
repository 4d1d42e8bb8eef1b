// Package apply runs containment plans against AWS: it is the responder's
// write path and the only package that calls the Identity Center,
// identity-store and Organizations write APIs. Each call and its result go
// to an audit log; progress goes to a state file so a failed or interrupted
// run resumes where it stopped. Plans are built by package respond.
package apply

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/policy"
	"github.com/portcullis-sec/portcullis/internal/respond"
)

// Executor performs one API call of a plan and returns its outputs by name
// (the names in respond's operations table: RequestId, Status, PolicyId,
// ...). It is the only way Run writes; SDKExecutor is the AWS one.
type Executor interface {
	Execute(ctx context.Context, c respond.Call) (map[string]string, error)
}

// Options tune Run. The zero value is a dry run.
type Options struct {
	// Execute makes the calls; without it Apply only says what it would do.
	Execute bool
	// Yes skips the confirmation.
	Yes bool
	// Confirm answers the confirmation prompt (the terminal); nil means
	// there is nobody to ask, so Execute without Yes is refused.
	Confirm io.Reader
	// Out receives progress and the prompt (nil: discarded).
	Out io.Writer
	// StatePath is the resumable state file ("" keeps no state).
	StatePath string
	// Polling of asynchronous requests: first delay, largest delay, and
	// how long to wait in total (defaults 2s, 30s, 15m).
	PollInterval, PollMaxInterval, PollTimeout time.Duration
	// Clock stamps the audit log (default time.Now).
	Clock func() time.Time
}

// Errors Run returns before it calls anything.
var (
	ErrConfirmationRequired = errors.New("apply: refusing to change AWS without confirmation: run on a terminal or pass --yes")
	ErrAborted              = errors.New("apply: not confirmed; nothing was changed")
)

// StepError is a step that failed; the state file lets a second run resume.
type StepError struct {
	Step, Title string
	StatePath   string
	Err         error
}

func (e *StepError) Error() string {
	msg := fmt.Sprintf("apply: step %s (%s) failed: %v.", e.Step, e.Title, e.Err)
	if e.StatePath != "" {
		return msg + fmt.Sprintf(" Steps before it are done and recorded in %s; fix the cause and run again with the same state file to resume at %s.", e.StatePath, e.Step)
	}
	return msg + " No state file was kept: a second run starts from the first step."
}

func (e *StepError) Unwrap() error { return e.Err }

// Run executes the plan step by step through exec, writing every call and
// its result to audit as JSON lines. It stops at the first failure, and a
// second run with the same StatePath skips the steps already done. Manual
// steps are listed, not run. A plan that guard rails blocked is refused.
func Run(ctx context.Context, p *respond.ContainmentPlan, exec Executor, audit io.Writer, opts Options) error {
	if p == nil {
		return errors.New("apply: no plan")
	}
	if err := p.VerifyHash(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if p.Blocked() {
		return fmt.Errorf("apply: %w", &respond.GuardError{Refusals: p.Refusals})
	}
	if audit == nil {
		return errors.New("apply: an audit log is required")
	}
	o := opts.withDefaults()
	r := &run{p: p, exec: exec, opts: o, aud: &auditLog{w: audit, plan: p.Hash, clock: o.Clock}}
	st, err := openState(opts.StatePath, p)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	r.st = st
	if !opts.Execute {
		return r.dryRun()
	}
	if exec == nil {
		return errors.New("apply: no executor")
	}
	if err := r.confirm(); err != nil {
		return err
	}
	return r.all(ctx)
}

func (o Options) withDefaults() Options {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.PollMaxInterval < o.PollInterval {
		o.PollMaxInterval = max(30*time.Second, o.PollInterval)
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 15 * time.Minute
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}

type run struct {
	p    *respond.ContainmentPlan
	exec Executor
	opts Options
	aud  *auditLog
	st   *State
}

func (r *run) say(format string, a ...any) { fmt.Fprintf(r.opts.Out, format+"\n", a...) }

func (r *run) dryRun() error {
	r.say("Dry run of plan %s: nothing is changed (apply with --apply).", r.p.Hash)
	for _, s := range r.p.Steps {
		rec := auditRecord{Step: s.ID, Event: "dry-run"}
		if s.Call != nil {
			rec.Service, rec.Operation, rec.Params = s.Call.Service, s.Call.Operation, s.Call.Params
		}
		switch {
		case r.done(s.ID):
			r.say("  %s done already: %s", s.ID, respond.Printable(s.Title))
			rec.Event = "skip"
		case s.Manual:
			r.say("  %s MANUAL: %s", s.ID, respond.Printable(s.Title))
		default:
			r.say("  %s would run: %s", s.ID, respond.Printable(s.CLI))
		}
		if err := r.aud.write(rec); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) confirm() error {
	if r.opts.Yes {
		return r.aud.write(auditRecord{Event: "confirm", Message: "--yes"})
	}
	if r.opts.Confirm == nil {
		return ErrConfirmationRequired
	}
	n := 0
	for _, s := range r.p.Steps {
		if !s.Manual && !r.done(s.ID) {
			n++
		}
	}
	fmt.Fprintf(r.opts.Out, "About to run %d step(s) of plan %s against %s.\nType yes to continue: ", n, r.p.Hash, r.p.InstanceARN)
	line, err := bufio.NewReader(r.opts.Confirm).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("apply: read confirmation: %w", err)
	}
	if strings.TrimSpace(line) != "yes" {
		_ = r.aud.write(auditRecord{Event: "aborted", Message: "confirmation declined"})
		return ErrAborted
	}
	return r.aud.write(auditRecord{Event: "confirm", Message: "confirmed at the prompt"})
}

func (r *run) done(id string) bool {
	ss, ok := r.st.Steps[id]
	return ok && ss.Status == statusDone
}

func (r *run) save() error { return r.st.save(r.opts.StatePath, r.opts.Clock()) }

func (r *run) all(ctx context.Context) error {
	var manual []string
	for i := range r.p.Steps {
		s := &r.p.Steps[i]
		switch {
		case r.done(s.ID):
			r.say("%s already done: %s", s.ID, respond.Printable(s.Title))
			if err := r.aud.write(auditRecord{Step: s.ID, Event: "skip", Message: "done in an earlier run"}); err != nil {
				return err
			}
			continue
		case s.Manual:
			manual = append(manual, s.ID+": "+respond.Printable(s.Title))
			if err := r.aud.write(auditRecord{Step: s.ID, Event: "manual", Message: "left for a person"}); err != nil {
				return err
			}
			continue
		}
		r.say("%s: %s", s.ID, respond.Printable(s.Title))
		if err := r.step(ctx, s); err != nil {
			ss := r.st.step(s.ID)
			if ss.Status != statusCalled { // a called step keeps its request id for the resume
				ss.Status = statusFailed
			}
			ss.Error = err.Error()
			serr := r.save()
			_ = r.aud.write(auditRecord{Step: s.ID, Event: "failed", Error: err.Error()})
			e := &StepError{Step: s.ID, Title: respond.Printable(s.Title), StatePath: r.opts.StatePath, Err: err}
			if serr != nil {
				return errors.Join(e, serr)
			}
			return e
		}
		ss := r.st.step(s.ID)
		ss.Status, ss.Error = statusDone, ""
		if err := r.save(); err != nil {
			return fmt.Errorf("apply: step %s done, but: %w", s.ID, err)
		}
		if err := r.aud.write(auditRecord{Step: s.ID, Event: "done"}); err != nil {
			return err
		}
	}
	if len(manual) > 0 {
		r.say("Automated steps done. %d manual step(s) remain for a person:\n  %s", len(manual), strings.Join(manual, "\n  "))
	} else {
		r.say("All steps done. Check the verification list.")
	}
	return r.aud.write(auditRecord{Event: "finish", Message: fmt.Sprintf("%d manual step(s) pending", len(manual))})
}

// step runs one automated step: resolve refs, merge, call, check, wait.
func (r *run) step(ctx context.Context, s *respond.Step) error {
	if s.Call == nil {
		return errors.New("automated step without a call")
	}
	ss := r.st.step(s.ID)
	if ss.Status == statusCalled && s.Wait == nil {
		return nil // it succeeded before a crash kept it from being marked done
	}
	resumeWait := ss.Status == statusCalled && s.Wait != nil && ss.Outputs["RequestId"] != ""
	if !resumeWait {
		call, err := r.resolve(s.Call)
		if err != nil {
			return err
		}
		if s.Merge != nil {
			if err := r.merge(ctx, s, &call); err != nil {
				return err
			}
		}
		ss.Status, ss.Outputs, ss.Error = statusStarted, nil, ""
		if err := r.save(); err != nil {
			return err
		}
		out, err := r.call(ctx, s.ID, "call", call)
		if err != nil {
			return err
		}
		ss.Status, ss.Outputs = statusCalled, out
		if err := r.save(); err != nil {
			return err
		}
	} else {
		r.say("  resuming the wait for request %s", ss.Outputs["RequestId"])
	}
	if s.Wait != nil {
		if err := r.wait(ctx, s, ss.Outputs["RequestId"]); err != nil {
			return err
		}
	}
	return nil
}

// resolve fills params from earlier steps' outputs.
func (r *run) resolve(c *respond.Call) (respond.Call, error) {
	out := *c
	out.Params = maps.Clone(c.Params)
	for k, ref := range c.Refs {
		ss, ok := r.st.Steps[ref.Step]
		v := ""
		if ok {
			v = ss.Outputs[ref.Output]
		}
		if v == "" {
			return out, fmt.Errorf("param %s needs output %s of step %s, which has none", k, ref.Output, ref.Step)
		}
		out.Params[k] = v
	}
	return out, nil
}

// merge re-reads the inline policy and merges the deny into it, so a
// policy changed since the snapshot loses nothing.
func (r *run) merge(ctx context.Context, s *respond.Step, c *respond.Call) error {
	get := respond.Call{Service: respond.SvcSSOAdmin, Operation: "GetInlinePolicyForPermissionSet", Params: map[string]any{
		"InstanceArn": c.Params["InstanceArn"], "PermissionSetArn": c.Params["PermissionSetArn"],
	}}
	out, err := r.call(ctx, s.ID, "read", get)
	if err != nil {
		return err
	}
	live := out["InlinePolicy"]
	if s.Merge.Drifted(live) {
		r.say("  the live inline policy differs from the state the plan was built from: merging with the live one")
		if err := r.aud.write(auditRecord{Step: s.ID, Event: "note", Message: "live inline policy differs from the plan's base; merged with the live policy"}); err != nil {
			return err
		}
	}
	if len(s.Merge.Remove) > 0 {
		return r.unmerge(s, c, live)
	}
	doc, err := policy.MergeStatements([]byte(live), s.Merge.Add, policy.InlinePolicyMaxBytes)
	if err != nil {
		return fmt.Errorf("merge the deny into the live inline policy: %w", err)
	}
	c.Params["InlinePolicy"] = string(doc)
	return nil
}

// unmerge removes a lift's statements from the live inline policy: every
// other statement is kept. A delete of the whole policy goes ahead only if
// nothing else is left in it.
func (r *run) unmerge(s *respond.Step, c *respond.Call, live string) error {
	rest, removed, err := respond.RemoveStatements(live, s.Merge.Remove)
	if err != nil {
		return fmt.Errorf("read the live inline policy: %w", err)
	}
	if len(removed) < len(s.Merge.Remove) {
		msg := fmt.Sprintf("the live inline policy lacks some of %s already (removed: %v)", strings.Join(s.Merge.Remove, ", "), removed)
		r.say("  %s", msg)
		if err := r.aud.write(auditRecord{Step: s.ID, Event: "note", Message: msg}); err != nil {
			return err
		}
	}
	switch c.Operation {
	case "DeleteInlinePolicyFromPermissionSet":
		if rest != "" {
			return fmt.Errorf("the live inline policy holds statements besides %s that the plan did not see: refusing to delete it; build the lift plan again", strings.Join(s.Merge.Remove, ", "))
		}
	default:
		if rest == "" {
			return fmt.Errorf("the live inline policy holds nothing but %s now (the plan expected other statements to stay): build the lift plan again", strings.Join(s.Merge.Remove, ", "))
		}
		c.Params["InlinePolicy"] = rest
	}
	return nil
}

func (r *run) call(ctx context.Context, step, event string, c respond.Call) (map[string]string, error) {
	if err := r.aud.write(auditRecord{Step: step, Event: event, Service: c.Service, Operation: c.Operation, Params: c.Params}); err != nil {
		return nil, err
	}
	out, err := r.exec.Execute(ctx, c)
	rec := auditRecord{Step: step, Event: "result", Service: c.Service, Operation: c.Operation, Output: out}
	if err != nil {
		rec.Error = err.Error()
	}
	if aerr := r.aud.write(rec); aerr != nil {
		return nil, errors.Join(err, aerr)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.Service, c.Operation, err)
	}
	return out, nil
}
