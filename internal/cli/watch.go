package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/sink"
	"github.com/portcullis-sec/portcullis/internal/store"
	"github.com/portcullis-sec/portcullis/internal/watch"
)

type watchFlags struct {
	storePath, configPath, snapshot string
	baseline                        string
	ruleDirs, sinks                 []string
	queueURL, listen, healthListen  string
	lambda, printPattern, insecure  bool
	secretHeader, secretFile        string
	maxBody                         int64
	visibility                      int32
	cloud                           cloudFlags
	verbose                         bool
	caps                            capFlags
}

func (a *App) watchCmd() *cobra.Command {
	var f watchFlags
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Detect in real time: EventBridge events from SQS, an HTTP endpoint or a Lambda; alerts to sinks",
		Example: `  PORTCULLIS_WATCH_SECRET=… portcullis watch --store portcullis.db --config portcullis.yaml --listen 127.0.0.1:8080 --sink slack:url-env=SLACK_WEBHOOK_URL,min=high
  portcullis watch --store portcullis.db --sqs-queue-url https://sqs.eu-west-1.amazonaws.com/111111111111/idc-events --sink pagerduty:key-env=PD_KEY
  portcullis watch --print-eventbridge-pattern`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runWatch(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.storePath, "store", "portcullis.db", "SQLite store: findings, processed event ids, correlation state, checkpoints")
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml")
	fl.StringSliceVar(&f.ruleDirs, "rules", nil, "extra rule directory")
	fl.StringVar(&f.snapshot, "snapshot", "", "Identity Center state to start from (names, sizes, admin-ness): "+modelSpecHelp)
	fl.StringVar(&f.baseline, "baseline", "", "last known-good state, page on every grant outside it ("+DriftRuleDoc+"): "+modelSpecHelp)
	fl.StringArrayVar(&f.sinks, "sink", nil, "alert sink, repeatable: stdout[:format=ocsf] | webhook:url-env=VAR[,hmac-env=VAR] | slack:url-env=VAR | pagerduty:key-env=VAR | sns:topic=ARN | securityhub:region=R[,product-arn=ARN]; common keys min=SEVERITY, name=, attempts=, timeout=")
	fl.StringVar(&f.queueURL, "sqs-queue-url", "", "consume EventBridge events (and S3 object-created notifications) from this SQS queue")
	fl.Int32Var(&f.visibility, "visibility-timeout", 0, "SQS visibility timeout in seconds (0: the queue's)")
	fl.StringVar(&f.listen, "listen", "", "serve POST /events for EventBridge API destinations on this address (e.g. 127.0.0.1:8080)")
	fl.StringVar(&f.healthListen, "health-listen", "", "SQS and Lambda modes: serve GET /healthz on this address (a bare :PORT binds loopback): 200 while receives succeed, 503 with the last error")
	fl.StringVar(&f.secretHeader, "secret-header", watch.DefaultSecretHeader, "header carrying the shared secret")
	fl.StringVar(&f.secretFile, "secret-file", "", "file holding the shared secret (default: $PORTCULLIS_WATCH_SECRET)")
	fl.BoolVar(&f.insecure, "insecure-no-auth", false, "serve /events without authentication (loopback addresses only)")
	fl.Int64Var(&f.maxBody, "max-body", 1<<20, "largest accepted request body in bytes")
	fl.BoolVar(&f.lambda, "lambda", false, "run as an AWS Lambda handler for an EventBridge rule target")
	fl.BoolVar(&f.printPattern, "print-eventbridge-pattern", false, "print the EventBridge rule pattern that feeds watch, and exit")
	fl.StringVar(&f.cloud.region, "aws-region", "", "AWS region for SQS, S3 and SNS (default: the queue URL's, else the SDK's chain)")
	fl.StringVar(&f.cloud.profile, "profile", "", "AWS profile")
	fl.StringVar(&f.cloud.sqsEndpoint, "sqs-endpoint", "", "SQS-compatible endpoint URL (tests, VPC endpoints)")
	fl.StringVar(&f.cloud.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint URL (path-style)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each batch and finding on stderr (errors and warnings are always logged)")
	f.caps.register(fl)
	return cmd
}

func (a *App) runWatch(ctx context.Context, f watchFlags) error {
	if f.printPattern {
		in, err := ruleInterests(f.ruleDirs)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.Stdout, "%s\n", watch.EventBridgePattern(in...))
		return err
	}
	modes := 0
	for _, on := range []bool{f.queueURL != "", f.listen != "", f.lambda} {
		if on {
			modes++
		}
	}
	if modes == 0 {
		return fmt.Errorf("nothing to watch: give --sqs-queue-url, --listen or --lambda")
	}
	if f.healthListen != "" && f.queueURL == "" && !f.lambda {
		return fmt.Errorf("--health-listen is for --sqs-queue-url and --lambda; --listen serves GET /healthz itself")
	}
	if f.insecure && f.listen == "" {
		return fmt.Errorf("--insecure-no-auth is only for --listen")
	}
	if f.queueURL != "" && f.cloud.region == "" {
		// SQS answers a queue only in its own region: the URL says which.
		if r, ok := watch.RegionFromQueueURL(f.queueURL); ok {
			f.cloud.region = r
		}
	}
	var secret []byte
	if f.listen != "" && !f.insecure {
		var err error
		secret, err = watch.LoadSecret(f.secretFile, func(k string) (string, bool) {
			v := a.Getenv(k)
			return v, v != ""
		})
		if err != nil {
			return fmt.Errorf("--listen: %w", err) // the error says what to set
		}
	}
	cfg, err := a.loadConfig(f.configPath)
	if err != nil {
		return err
	}
	rs, err := detect.Load(f.ruleDirs...)
	if err != nil {
		return err
	}
	var snap *idc.Model
	if f.snapshot != "" {
		if snap, err = a.loadModel(ctx, f.snapshot, f.cloud.modelFlags()); err != nil {
			return fmt.Errorf("--snapshot: %w", err)
		}
	}
	eng, err := detect.NewEngine(rs, cfg, snap)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, f.storePath)
	if err != nil {
		return err
	}
	defer st.Close()
	// Errors and warnings always reach stderr (a consumer that cannot
	// reach SQS must not be silent); -v adds batches and findings.
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{Level: level}))
	group, err := sink.BuildAll(ctx, f.sinks, sink.Deps{
		LookupEnv:   func(k string) (string, bool) { v := a.Getenv(k); return v, v != "" },
		Stdout:      a.Stdout,
		AWSConfig:   f.cloud.awsConfig,
		DeadLetters: st,
	})
	if err != nil {
		return fmt.Errorf("--sink: %w", err)
	}
	var det watch.Detector = eng.Stream()
	var base *idc.Model
	if f.baseline != "" {
		base, err = a.loadModel(ctx, f.baseline, f.cloud.modelFlags())
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		if det, err = watch.NewDriftDetector(eng, base); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	var health *watch.Health
	if f.healthListen != "" {
		health = &watch.Health{}
		if f.queueURL != "" {
			health.MaxAge = watch.DefaultHealthMaxAge
		}
	}
	w, err := watch.New(ctx, watch.Options{
		Detector: det, Store: st, Alerts: group, Logger: logger, Health: health,
		Prefilter:      cloudtrail.NewPrefilter(eng.Interest()),
		OnInputError:   func(err error) { fmt.Fprintln(a.Stderr, "portcullis: input:", err) }, // as hunt says it
		MaxObjectBytes: int64(f.caps.object), MaxRecordBytes: int64(f.caps.record),
	})
	if err != nil {
		return err
	}
	runCtx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	g, gctx := errgroup.WithContext(runCtx)
	if health != nil {
		g.Go(func() error {
			return watch.ServeHealth(gctx, f.healthListen, health, func(addr net.Addr) {
				fmt.Fprintf(a.Stderr, "portcullis: health on http://%s/healthz\n", addr)
			})
		})
	}
	if f.lambda {
		g.Go(func() error {
			defer stopAll() // the health server ends with the handler
			lambda.StartWithOptions(watch.LambdaHandler(w), lambda.WithContext(gctx))
			return nil
		})
		return g.Wait()
	}
	g.Go(func() error { return w.Run(gctx) })
	if f.listen != "" {
		g.Go(func() error {
			auth := "shared secret in header " + f.secretHeader
			if f.insecure {
				auth = "NONE (--insecure-no-auth, loopback only)"
			}
			return w.ListenAndServe(gctx, f.listen, watch.HTTPOptions{
				SecretHeader: f.secretHeader, Secret: secret, InsecureNoAuth: f.insecure, MaxBodyBytes: f.maxBody,
				OnListen: func(addr net.Addr) {
					fmt.Fprintf(a.Stderr, "portcullis: watching POST http://%s/events (auth: %s)\n", addr, auth)
				},
			})
		})
	}
	if f.queueURL != "" {
		awsCfg, err := f.cloud.awsConfig(ctx)
		if err != nil {
			return err
		}
		g.Go(func() error {
			fmt.Fprintf(a.Stderr, "portcullis: watching SQS queue %s (region %s)\n", f.queueURL, awsCfg.Region)
			return w.ConsumeSQS(gctx, watch.SQSOptions{
				QueueURL: f.queueURL, Client: f.cloud.sqsClient(awsCfg), S3: f.cloud.s3Client(awsCfg), VisibilityTimeout: f.visibility,
			})
		})
	}
	err = g.Wait()
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		fmt.Fprintln(a.Stderr, "portcullis: watch stopped")
		return partialExit(snap, base)
	}
	return err
}

// DriftRuleDoc names the rule drift findings carry.
const DriftRuleDoc = "rule " + watch.DriftRule
