package sink

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Publisher is the one SNS call the sink needs (IAM: sns:Publish).
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS publishes the finding's JSON to a topic, with message attributes
// "severity" and "rule" so subscriptions can filter.
type SNS struct {
	name  string
	topic string
	api   Publisher
}

// NewSNS builds the sink on an SNS client. Build one with NewSNSClient so the
// SDK's own retries are off and the Sender's policy governs.
func NewSNS(name, topicARN string, api Publisher) *SNS {
	return &SNS{name: name, topic: topicARN, api: api}
}

// NewSNSClient makes an SNS client; endpoint "" keeps the default.
func NewSNSClient(cfg aws.Config, region, endpoint string) *sns.Client {
	return sns.NewFromConfig(cfg, func(o *sns.Options) {
		if region != "" {
			o.Region = region
		}
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.Retryer = aws.NopRetryer{}
		o.AppID = "portcullis"
	})
}

func (s *SNS) Name() string { return s.name }

// snsSubject is printable ASCII, no newlines, at most 100 characters.
func snsSubject(f finding.Finding) string {
	subj := fmt.Sprintf("[%s] %s", strings.ToUpper(f.Severity.String()), f.Title)
	subj = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, subj)
	if len(subj) > 100 {
		subj = subj[:97] + "..."
	}
	return subj
}

func (s *SNS) Send(ctx context.Context, f finding.Finding) error {
	body, err := finding.JSON(f)
	if err != nil {
		return Permanent(fmt.Errorf("encode finding %s: %w", f.ID, err))
	}
	_, err = s.api.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(s.topic),
		Message:  aws.String(string(body)),
		Subject:  aws.String(snsSubject(f)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String(f.Severity.String())},
			"rule":     {DataType: aws.String("String"), StringValue: aws.String(f.Rule)},
		},
	})
	if err != nil {
		return classifyAWS(fmt.Errorf("sns publish to %s: %w", s.topic, err))
	}
	return nil
}

// awsRetry carries the retry decision for an AWS SDK error.
type awsRetry struct {
	error
	retry bool
}

func (a awsRetry) Unwrap() error { return a.error }

// classifyAWS retries throttling, server faults and transport failures, and
// nothing else (bad topic, no permission, invalid parameter).
func classifyAWS(err error) error {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		if st := re.HTTPStatusCode(); st == 429 || st >= 500 {
			return awsRetry{err, true}
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
			"InternalError", "InternalFailure", "ServiceUnavailable", "KMSThrottling":
			return awsRetry{err, true}
		}
		return awsRetry{err, ae.ErrorFault() == smithy.FaultServer}
	}
	return err // transport errors: retry (classify's default)
}
