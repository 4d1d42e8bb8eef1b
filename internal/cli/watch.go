package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

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
	queueURL, listen                string
	lambda, printPattern, insecure  bool
	secretHeader, secretFile        string
	maxBody                         int64
	visibility                      int32
	cloud                           cloudFlags
	verbose                         bool
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
	fl.StringVar(&f.snapshot, "snapshot", "", "Identity Center snapshot to start from (names, sizes, admin-ness)")
	fl.StringVar(&f.baseline, "baseline", "", "last known-good state (snapshot or Terraform state): page on every grant outside it ("+DriftRuleDoc+")")
	fl.StringArrayVar(&f.sinks, "sink", nil, "alert sink, repeatable: stdout | webhook:url-env=VAR[,hmac-env=VAR] | slack:url-env=VAR | pagerduty:key-env=VAR | sns:topic=ARN; common keys min=SEVERITY, name=, attempts=, timeout=")
	fl.StringVar(&f.queueURL, "sqs-queue-url", "", "consume EventBridge events (and S3 object-created notifications) from this SQS queue")
	fl.Int32Var(&f.visibility, "visibility-timeout", 0, "SQS visibility timeout in seconds (0: the queue's)")
	fl.StringVar(&f.listen, "listen", "", "serve POST /events for EventBridge API destinations on this address (e.g. 127.0.0.1:8080)")
	fl.StringVar(&f.secretHeader, "secret-header", watch.DefaultSecretHeader, "header carrying the shared secret")
	fl.StringVar(&f.secretFile, "secret-file", "", "file holding the shared secret (default: $PORTCULLIS_WATCH_SECRET)")
	fl.BoolVar(&f.insecure, "insecure-no-auth", false, "serve /events without authentication (never on a reachable address)")
	fl.Int64Var(&f.maxBody, "max-body", 1<<20, "largest accepted request body in bytes")
	fl.BoolVar(&f.lambda, "lambda", false, "run as an AWS Lambda handler for an EventBridge rule target")
	fl.BoolVar(&f.printPattern, "print-eventbridge-pattern", false, "print the EventBridge rule pattern that feeds watch, and exit")
	fl.StringVar(&f.cloud.region, "aws-region", "", "AWS region for SQS, S3 and SNS (default: the SDK's chain)")
	fl.StringVar(&f.cloud.profile, "profile", "", "AWS profile")
	fl.StringVar(&f.cloud.sqsEndpoint, "sqs-endpoint", "", "SQS-compatible endpoint URL (tests, VPC endpoints)")
	fl.StringVar(&f.cloud.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint URL (path-style)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each batch on stderr")
	return cmd
}

func (a *App) runWatch(ctx context.Context, f watchFlags) error {
	if f.printPattern {
		_, err := fmt.Fprintf(a.Stdout, "%s\n", watch.EventBridgePattern())
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
	var secret []byte
	if f.listen != "" && !f.insecure {
		var err error
		secret, err = watch.LoadSecret(f.secretFile, func(k string) (string, bool) {
			v := a.Getenv(k)
			return v, v != ""
		})
		if err != nil {
			return fmt.Errorf("--listen needs a shared secret (PORTCULLIS_WATCH_SECRET or --secret-file), or --insecure-no-auth: %w", err)
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
		if snap, err = idc.Load(f.snapshot); err != nil {
			return err
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
	logw := io.Discard
	if f.verbose {
		logw = a.Stderr
	}
	logger := slog.New(slog.NewTextHandler(logw, nil))
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
	if f.baseline != "" {
		base, err := a.loadModel(ctx, f.baseline, awsFlags{})
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		if det, err = watch.NewDriftDetector(eng, base); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	w, err := watch.New(ctx, watch.Options{
		Detector: det, Store: st, Alerts: group, Logger: logger,
		Prefilter:    cloudtrail.NewPrefilter(eng.Interest()),
		OnInputError: func(err error) { fmt.Fprintln(a.Stderr, "portcullis: input:", err) }, // as hunt says it
	})
	if err != nil {
		return err
	}
	if f.lambda {
		lambda.StartWithOptions(watch.LambdaHandler(w), lambda.WithContext(ctx))
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.Run(gctx) })
	if f.listen != "" {
		g.Go(func() error {
			fmt.Fprintf(a.Stderr, "portcullis: watching POST http://%s/events (auth header %s)\n", f.listen, f.secretHeader)
			return w.ListenAndServe(gctx, f.listen, watch.HTTPOptions{
				SecretHeader: f.secretHeader, Secret: secret, InsecureNoAuth: f.insecure, MaxBodyBytes: f.maxBody,
			})
		})
	}
	if f.queueURL != "" {
		awsCfg, err := f.cloud.awsConfig(ctx)
		if err != nil {
			return err
		}
		g.Go(func() error {
			fmt.Fprintf(a.Stderr, "portcullis: watching SQS queue %s\n", f.queueURL)
			return w.ConsumeSQS(gctx, watch.SQSOptions{
				QueueURL: f.queueURL, Client: f.cloud.sqsClient(awsCfg), S3: f.cloud.s3Client(awsCfg), VisibilityTimeout: f.visibility,
			})
		})
	}
	err = g.Wait()
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		fmt.Fprintln(a.Stderr, "portcullis: watch stopped")
		return nil
	}
	return err
}

// DriftRuleDoc names the rule drift findings carry.
const DriftRuleDoc = "rule " + watch.DriftRule
