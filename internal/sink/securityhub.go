package sink

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// SecurityHubAPI is the Security Hub calls the sink makes (IAM:
// securityhub:BatchImportFindings, and securityhub:DescribeHub when no
// product ARN is given).
type SecurityHubAPI interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, opts ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
	DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, opts ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error)
}

// SecurityHub imports findings as ASFF through BatchImportFindings, up to
// 100 a call. Without a product ARN it asks DescribeHub (once) for the
// account and imports through the account's default product.
type SecurityHub struct {
	name string
	api  SecurityHubAPI

	mu         sync.Mutex
	productARN string
}

// securityHubBatch is BatchImportFindings' limit.
const securityHubBatch = 100

// NewSecurityHub builds the sink; productARN "" means the hub account's
// default product. Build the client with NewSecurityHubClient so the SDK's
// retries are off and the Sender's policy governs.
func NewSecurityHub(name, productARN string, api SecurityHubAPI) *SecurityHub {
	return &SecurityHub{name: name, api: api, productARN: productARN}
}

// NewSecurityHubClient makes a Security Hub client; endpoint "" keeps the default.
func NewSecurityHubClient(cfg aws.Config, region, endpoint string) *securityhub.Client {
	return securityhub.NewFromConfig(cfg, func(o *securityhub.Options) {
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

func (s *SecurityHub) Name() string  { return s.name }
func (s *SecurityHub) MaxBatch() int { return securityHubBatch }

// Send imports one finding.
func (s *SecurityHub) Send(ctx context.Context, f finding.Finding) error {
	return s.SendBatch(ctx, []finding.Finding{f})[0]
}

// product returns the product ARN, asking DescribeHub the first time.
func (s *SecurityHub) product(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.productARN != "" {
		return s.productARN, nil
	}
	out, err := s.api.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	if err != nil {
		return "", classifyAWS(fmt.Errorf("securityhub describe-hub (is Security Hub enabled in this region?): %w", err))
	}
	// arn:PARTITION:securityhub:REGION:ACCOUNT:hub/default
	parts := strings.SplitN(aws.ToString(out.HubArn), ":", 6)
	if len(parts) != 6 || parts[2] != "securityhub" {
		return "", Permanent(fmt.Errorf("securityhub describe-hub: unexpected hub ARN %q", aws.ToString(out.HubArn)))
	}
	s.productARN = finding.DefaultProductARN(parts[1], parts[3], parts[4])
	return s.productARN, nil
}

// SendBatch imports fs in one BatchImportFindings call (len(fs) <= 100).
func (s *SecurityHub) SendBatch(ctx context.Context, fs []finding.Finding) []error {
	res := make([]error, len(fs))
	all := func(err error) []error {
		for i := range res {
			res[i] = err
		}
		return res
	}
	arn, err := s.product(ctx)
	if err != nil {
		return all(err)
	}
	var in []shtypes.AwsSecurityFinding
	idx := map[string][]int{} // finding id -> positions (a batch may repeat one)
	for i, f := range fs {
		a, err := finding.ASFF(f, finding.ASFFOptions{ProductARN: arn, ProductVersion: version.String()})
		if err == nil {
			var sdk shtypes.AwsSecurityFinding
			if sdk, err = toSDK(a); err == nil {
				in = append(in, sdk)
				idx[f.ID] = append(idx[f.ID], i)
				continue
			}
		}
		res[i] = Permanent(fmt.Errorf("map finding %s to ASFF: %w", f.ID, err))
	}
	if len(in) == 0 {
		return res
	}
	out, err := s.api.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: in})
	if err != nil {
		err = classifyAWS(fmt.Errorf("securityhub batch-import-findings (%d findings): %w", len(in), err))
		for _, is := range idx {
			for _, i := range is {
				res[i] = err
			}
		}
		return res
	}
	for _, ff := range out.FailedFindings {
		id := aws.ToString(ff.Id)
		is, ok := idx[id]
		if !ok {
			continue
		}
		for _, i := range is {
			res[i] = importError{code: aws.ToString(ff.ErrorCode), msg: aws.ToString(ff.ErrorMessage), id: id}
		}
	}
	return res
}

// importError is one finding Security Hub refused (FailedFindings).
type importError struct{ code, msg, id string }

func (e importError) Error() string {
	return fmt.Sprintf("securityhub refused finding %s: %s: %s", e.id, e.code, e.msg)
}

// Temporary: throttling and service faults are worth another try; invalid
// input or access is not.
func (e importError) Temporary() bool {
	c := strings.ToLower(e.code)
	for _, k := range []string{"throttl", "limitexceeded", "toomanyrequests", "internal", "serviceunavailable", "timeout"} {
		if strings.Contains(c, k) {
			return true
		}
	}
	return false
}

// toSDK converts our ASFF document into the SDK's type, member by member.
func toSDK(a finding.ASFFFinding) (shtypes.AwsSecurityFinding, error) {
	var out shtypes.AwsSecurityFinding
	out.SchemaVersion, out.Id, out.ProductArn = aws.String(a.SchemaVersion), aws.String(a.Id), aws.String(a.ProductArn)
	out.ProductName, out.CompanyName = aws.String(a.ProductName), aws.String(a.CompanyName)
	out.GeneratorId, out.AwsAccountId, out.Region = aws.String(a.GeneratorId), aws.String(a.AwsAccountId), aws.String(a.Region)
	out.Types = a.Types
	if a.FirstObservedAt != "" {
		out.FirstObservedAt, out.LastObservedAt = aws.String(a.FirstObservedAt), aws.String(a.LastObservedAt)
	}
	out.CreatedAt, out.UpdatedAt = aws.String(a.CreatedAt), aws.String(a.UpdatedAt)
	out.Severity = &shtypes.Severity{Label: shtypes.SeverityLabel(a.Severity.Label), Original: aws.String(a.Severity.Original)}
	out.Title, out.Description = aws.String(a.Title), aws.String(a.Description)
	if a.Remediation != nil {
		out.Remediation = &shtypes.Remediation{Recommendation: &shtypes.Recommendation{Text: aws.String(a.Remediation.Recommendation.Text)}}
	}
	out.ProductFields = a.ProductFields
	for _, r := range a.Resources {
		x := shtypes.Resource{Type: aws.String(r.Type), Id: aws.String(r.Id), Partition: shtypes.Partition(r.Partition)}
		if r.Region != "" {
			x.Region = aws.String(r.Region)
		}
		if r.Details != nil {
			x.Details = &shtypes.ResourceDetails{Other: r.Details.Other}
		}
		out.Resources = append(out.Resources, x)
	}
	out.Workflow = &shtypes.Workflow{Status: shtypes.WorkflowStatus(a.Workflow.Status)}
	out.RecordState = shtypes.RecordState(a.RecordState)
	if out.Id == nil || len(out.Resources) == 0 {
		return out, errors.New("incomplete ASFF document")
	}
	return out, nil
}
