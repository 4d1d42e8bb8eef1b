package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// cloudFlags are the connection flags of commands that read S3 or SQS.
type cloudFlags struct {
	region, profile string
	s3Endpoint      string // S3-compatible server (path-style addressing)
	sqsEndpoint     string
}

// awsConfig is the shared client configuration: default credential chain,
// portcullis user agent, jittered retries.
func (f cloudFlags) awsConfig(ctx context.Context) (aws.Config, error) {
	return awscollect.LoadConfig(ctx, awscollect.Options{Region: f.region, Profile: f.profile, UserAgentVersion: version.String(), RegionFlag: "--aws-region"})
}

func (f cloudFlags) s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if f.s3Endpoint != "" {
			o.BaseEndpoint = aws.String(f.s3Endpoint)
			o.UsePathStyle = true
			// S3-compatible servers often send no checksums; do not log that.
			o.DisableLogOutputChecksumValidationSkipped = true
		}
	})
}

func (f cloudFlags) sqsClient(cfg aws.Config) *sqs.Client {
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		// The consumer backs off (and logs) between failed receives itself;
		// ten SDK attempts would hide an unreachable queue for a minute.
		o.RetryMaxAttempts = 3
		if f.sqsEndpoint != "" {
			o.BaseEndpoint = aws.String(f.sqsEndpoint)
		}
	})
}

// modelFlags are the live-AWS flags an `aws` model spec (--snapshot aws)
// reads with: the same region and profile as the command's S3 or SQS.
func (f cloudFlags) modelFlags() awsFlags {
	return awsFlags{region: f.region, profile: f.profile}
}
