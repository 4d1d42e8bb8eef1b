//go:build cgo

package athena_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/portcullis-sec/portcullis/internal/athena"
	"github.com/portcullis-sec/portcullis/internal/athenafake"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

const (
	testDB    = "security"
	testTable = "cloudtrail_logs"
)

// trail is one simulated organization trail (every scenario, noise
// included), shared by the tests of this package.
var trail struct {
	once sync.Once
	dir  string
	sum  simulate.Summary
	err  error
}

func simulatedTrail(t *testing.T) (string, simulate.Summary) {
	t.Helper()
	trail.once.Do(func() {
		dir, err := tempDir()
		if err != nil {
			trail.err = err
			return
		}
		trail.dir = dir
		trail.sum, trail.err = simulate.Run(context.Background(), simulate.Options{Out: dir, Events: 20000, Seed: 7, Scenarios: []string{"all"}, Workers: 2})
	})
	if trail.err != nil {
		t.Fatal(trail.err)
	}
	return trail.dir, trail.sum
}

// shared is the simulated trail loaded once into DuckDB as the standard
// table; tests only read it (or add tables of their own).
var shared struct {
	once sync.Once
	db   *athenafake.DB
	logs string
	err  error
}

// loaded returns the DuckDB with the standard table holding the simulated
// trail, and the trail's AWSLogs directory.
func loaded(t *testing.T) (*athenafake.DB, string) {
	t.Helper()
	dir, _ := simulatedTrail(t)
	shared.once.Do(func() {
		ctx := context.Background()
		shared.logs = filepath.Join(dir, "AWSLogs")
		if shared.db, shared.err = athenafake.Open(""); shared.err != nil {
			return
		}
		if shared.err = shared.db.CreateCloudTrailTable(ctx, testDB, testTable); shared.err != nil {
			return
		}
		_, shared.err = shared.db.Load(ctx, testDB, testTable, shared.logs)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.db, shared.logs
}

// client is the real SDK pointed at the fake, with retries that do not wait.
func client(url string) *sdk.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 5
				o.MaxBackoff = time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
	return sdk.NewFromConfig(cfg, func(o *sdk.Options) { o.BaseEndpoint = aws.String(url) })
}

func runner(srv *athenafake.Server) *athena.Runner {
	return &athena.Runner{API: client(srv.URL), Database: testDB, PollMin: time.Millisecond, PollMax: 2 * time.Millisecond}
}
