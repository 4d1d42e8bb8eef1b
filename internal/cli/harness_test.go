package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/golden"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// The one way the tests of this package run a command line: in-process,
// through App.Run, with the stdin, environment and clock a session gives.

// Clocks of the fixture folders: each folder's files are dated just before
// its clock, so reports that age things read the same on every run.
var (
	testNow  = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) // testdata/model, hunt and watch
	driftNow = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)   // testdata/drift, posture and contain
)

// session is what one command line reads: stdin, the environment (only
// the variables given; the AWS SDK still reads the process environment,
// see awsEnv) and the clock. The zero value reads nothing and runs at
// testNow.
type session struct {
	stdin               string
	stdinTTY, stdoutTTY bool
	env                 map[string]string
	now                 time.Time
}

// result is what one command line left behind.
type result struct {
	code           int
	stdout, stderr string
}

// app builds the App of the session. Its output buffers are safe to read
// while a command still runs in another goroutine (watch).
func (s session) app() (*App, *syncBuf, *syncBuf) {
	now := s.now
	if now.IsZero() {
		now = testNow
	}
	out, errb := &syncBuf{}, &syncBuf{}
	return &App{
		Stdin: strings.NewReader(s.stdin), Stdout: out, Stderr: errb,
		Getenv:   func(k string) string { return s.env[k] },
		Now:      func() time.Time { return now },
		StdinTTY: s.stdinTTY, StdoutTTY: s.stdoutTTY,
	}, out, errb
}

// run runs one command line to its end.
func (s session) run(t *testing.T, args ...string) result {
	t.Helper()
	app, out, errb := s.app()
	code := app.Run(context.Background(), args)
	return result{code, out.String(), errb.String()}
}

// runCLI runs one command line with nothing on stdin, an empty
// environment and the clock at testNow.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	return session{}.run(t, args...)
}

// syncBuf is a bytes.Buffer safe for a command running in a goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
func (s *syncBuf) Bytes() []byte               { return []byte(s.String()) }

// fixtures is one folder of testdata: inputs at its top, expected outputs
// under golden/.
type fixtures string

const (
	// modelDir: one small organization as a snapshot, a Terraform state and
	// CloudTrail events; goldens of `snapshot` and `access`.
	modelDir fixtures = "testdata/model"
	// driftDir: a baseline and a drifted organization, with the Terraform
	// baseline and events of a reconcile; goldens of `diff` and `reconcile`.
	driftDir fixtures = "testdata/drift"
	// postureDir: an Organizations export and sign-in events for `posture`
	// on the drifted organization of driftDir.
	postureDir fixtures = "testdata/posture"
	// containDir: an organization after an incident and the findings it
	// raised; goldens of `contain` plans.
	containDir fixtures = "testdata/contain"
)

func (f fixtures) file(name string) string { return filepath.Join(string(f), name) }

// check compares got with golden/name in the folder (-update rewrites it).
func (f fixtures) check(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join(string(f), "golden", name), got)
}

// awsEnv gives the SDK static credentials and a region from the
// environment, and shuts every other source (config files, IMDS), so
// nothing but a loopback fake is asked.
func awsEnv(t *testing.T, region string) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAPORTCULLISTEST00", "AWS_SECRET_ACCESS_KEY": "portcullis-test-secret",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": region, "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-credentials"),
	} {
		t.Setenv(k, v)
	}
}

// fakeFrom starts the loopback AWS fake seeded with a snapshot fixture.
func fakeFrom(t *testing.T, path string) *awsfake.Server {
	t.Helper()
	m, err := idc.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := awsfake.New(m)
	t.Cleanup(s.Close)
	return s
}
