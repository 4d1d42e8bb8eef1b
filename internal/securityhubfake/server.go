// Package securityhubfake is a loopback AWS Security Hub for tests: it
// speaks the service's REST-JSON protocol as the AWS SDK for Go v2 sends
// it — POST /findings/import (BatchImportFindings) and GET /accounts
// (DescribeHub), SigV4-signed, errors as X-Amzn-ErrorType plus a JSON
// body — and validates what Security Hub validates: at most 100 findings a
// call, the required ASFF members, field limits, and that a finding for
// the account's default product names that account. Invalid findings come
// back in FailedFindings, as Security Hub answers. Hooks inject throttling
// (HTTP 429) and per-finding failures.
package securityhubfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Server is one account's Security Hub in one region.
type Server struct {
	URL             string
	Region, Account string
	ts              *httptest.Server
	mu              sync.Mutex
	findings        map[string]json.RawMessage // by Id, latest import
	requests        []Request
	throttle        int                 // next n imports answer 429
	failIDs         map[string]failSpec // per-finding failures
	notSubscribed   bool
}

type failSpec struct {
	code  string
	times int // <0: always
}

// Request is one BatchImportFindings call as received.
type Request struct {
	Count     int
	Body      json.RawMessage
	UserAgent string
	Status    int
}

// New starts the fake for account in region.
func New(region, account string) *Server {
	s := &Server{Region: region, Account: account, findings: map[string]json.RawMessage{}, failIDs: map[string]failSpec{}}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.ts.Close() }

// Config is an aws.Config with static credentials for the fake.
func (s *Server) Config() aws.Config {
	return aws.Config{Region: s.Region, Credentials: credentials.NewStaticCredentialsProvider("AKIAPORTCULLISFAKE01", "fake-secret", ""),
		BaseEndpoint: aws.String(s.URL)}
}

// Throttle makes the next n imports answer 429 TooManyRequestsException.
func (s *Server) Throttle(n int) { s.mu.Lock(); s.throttle = n; s.mu.Unlock() }

// FailFinding makes the finding with this Id come back in FailedFindings
// with code, times times (-1: always).
func (s *Server) FailFinding(id, code string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failIDs[id] = failSpec{code, times}
}

// NotSubscribed makes every call answer as for an account without
// Security Hub.
func (s *Server) NotSubscribed() { s.mu.Lock(); s.notSubscribed = true; s.mu.Unlock() }

// Findings returns the imported findings by Id (the latest version).
func (s *Server) Findings() map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]json.RawMessage, len(s.findings))
	for k, v := range s.findings {
		out[k] = v
	}
	return out
}

// Requests returns the import calls received.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Code": code, "Message": msg})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=") {
		writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return
	}
	if scope := r.Header.Get("Authorization"); !strings.Contains(scope, "/"+s.Region+"/securityhub/aws4_request") {
		writeError(w, http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to a valid region and service securityhub")
		return
	}
	s.mu.Lock()
	unsub := s.notSubscribed
	s.mu.Unlock()
	if unsub {
		writeError(w, http.StatusUnauthorized, "InvalidAccessException", "Account "+s.Account+" is not subscribed to AWS Security Hub")
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/accounts":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"HubArn": fmt.Sprintf("arn:aws:securityhub:%s:%s:hub/default", s.Region, s.Account), "SubscribedAt": "2026-01-05T10:00:00.000Z",
			"AutoEnableControls": true, "ControlFindingGenerator": "SECURITY_CONTROL",
		})
	case r.Method == http.MethodPost && r.URL.Path == "/findings/import":
		s.importFindings(w, r)
	default:
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "no route for "+r.Method+" "+r.URL.Path)
	}
}

type failed struct {
	Id, ErrorCode, ErrorMessage string
}

func (s *Server) importFindings(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidInputException", "cannot read the request body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := Request{Body: body, UserAgent: r.Header.Get("User-Agent")}
	defer func() { s.requests = append(s.requests, rec) }()
	if s.throttle > 0 {
		s.throttle--
		rec.Status = http.StatusTooManyRequests
		writeError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		rec.Status = http.StatusBadRequest
		writeError(w, http.StatusBadRequest, "InvalidInputException", "Content-Type must be application/json, got "+ct)
		return
	}
	var in struct {
		Findings []json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		rec.Status = http.StatusBadRequest
		writeError(w, http.StatusBadRequest, "InvalidInputException", "malformed request: "+err.Error())
		return
	}
	rec.Count = len(in.Findings)
	if len(in.Findings) == 0 || len(in.Findings) > 100 {
		rec.Status = http.StatusBadRequest
		writeError(w, http.StatusBadRequest, "InvalidInputException", fmt.Sprintf("Findings must hold 1 to 100 findings, got %d", len(in.Findings)))
		return
	}
	var fails []failed
	for i, raw := range in.Findings {
		id, err := s.validate(raw)
		if err == nil {
			if f, ok := s.failIDs[id]; ok && f.times != 0 {
				if f.times > 0 {
					f.times--
					s.failIDs[id] = f
				}
				fails = append(fails, failed{Id: id, ErrorCode: f.code, ErrorMessage: "injected failure"})
				continue
			}
		}
		if err != nil {
			if id == "" {
				id = fmt.Sprintf("Findings[%d]", i)
			}
			fails = append(fails, failed{Id: id, ErrorCode: "InvalidInput", ErrorMessage: err.Error()})
			continue
		}
		s.findings[id] = raw
	}
	rec.Status = http.StatusOK
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"FailedCount": len(fails), "SuccessCount": len(in.Findings) - len(fails), "FailedFindings": failsOrEmpty(fails)})
}

func failsOrEmpty(f []failed) []failed {
	if f == nil {
		return []failed{}
	}
	return f
}

var (
	timeRe    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
	accountRe = regexp.MustCompile(`^\d{12}$`)
	labels    = map[string]bool{"INFORMATIONAL": true, "LOW": true, "MEDIUM": true, "HIGH": true, "CRITICAL": true}
)

// validate checks one finding as Security Hub does and returns its Id.
func (s *Server) validate(raw json.RawMessage) (string, error) {
	var f struct {
		SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId string
		CreatedAt, UpdatedAt, Title, Description                 string
		Types                                                    []string
		Severity                                                 *struct{ Label string }
		Resources                                                []struct{ Type, Id string }
		ProductFields                                            map[string]string
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return "", fmt.Errorf("malformed finding: %v", err)
	}
	miss := func(name, v string) error {
		if v == "" {
			return fmt.Errorf("%s is required", name)
		}
		return nil
	}
	for _, c := range [][2]string{{"SchemaVersion", f.SchemaVersion}, {"Id", f.Id}, {"ProductArn", f.ProductArn}, {"GeneratorId", f.GeneratorId},
		{"AwsAccountId", f.AwsAccountId}, {"CreatedAt", f.CreatedAt}, {"UpdatedAt", f.UpdatedAt}, {"Title", f.Title}, {"Description", f.Description}} {
		if err := miss(c[0], c[1]); err != nil {
			return f.Id, err
		}
	}
	switch {
	case f.SchemaVersion != "2018-10-08":
		return f.Id, fmt.Errorf("SchemaVersion must be 2018-10-08")
	case len(f.Id) > 512:
		return f.Id, fmt.Errorf("Id is longer than 512 characters")
	case !accountRe.MatchString(f.AwsAccountId):
		return f.Id, fmt.Errorf("AwsAccountId must be 12 digits")
	case f.ProductArn == fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", s.Region, s.Account, s.Account) && f.AwsAccountId != s.Account:
		return f.Id, fmt.Errorf("a finding of the default product must be for the calling account %s", s.Account)
	case !strings.HasPrefix(f.ProductArn, "arn:aws:securityhub:"+s.Region+":"):
		return f.Id, fmt.Errorf("ProductArn %s is not a product in %s", f.ProductArn, s.Region)
	case !timeRe.MatchString(f.CreatedAt) || !timeRe.MatchString(f.UpdatedAt):
		return f.Id, fmt.Errorf("CreatedAt and UpdatedAt must be ISO 8601 date-times")
	case utf8.RuneCountInString(f.Title) > 256:
		return f.Id, fmt.Errorf("Title is longer than 256 characters")
	case utf8.RuneCountInString(f.Description) > 1024:
		return f.Id, fmt.Errorf("Description is longer than 1024 characters")
	case f.Severity == nil || !labels[f.Severity.Label]:
		return f.Id, fmt.Errorf("Severity.Label must be one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL")
	case len(f.Resources) == 0 || len(f.Resources) > 32:
		return f.Id, fmt.Errorf("Resources must hold 1 to 32 resources")
	case len(f.Types) > 50 || len(f.ProductFields) > 50:
		return f.Id, fmt.Errorf("at most 50 Types and 50 ProductFields")
	}
	up, err1 := time.Parse(time.RFC3339Nano, f.UpdatedAt)
	cr, err2 := time.Parse(time.RFC3339Nano, f.CreatedAt)
	if err1 == nil && err2 == nil && up.Before(cr) {
		return f.Id, fmt.Errorf("UpdatedAt is before CreatedAt")
	}
	for i, r := range f.Resources {
		if r.Type == "" || r.Id == "" {
			return f.Id, fmt.Errorf("Resources[%d] needs Type and Id", i)
		}
	}
	for _, t := range f.Types {
		ns, _, _ := strings.Cut(t, "/")
		switch ns {
		case "Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications":
		default:
			return f.Id, fmt.Errorf("Types %q: unknown namespace %q", t, ns)
		}
	}
	return f.Id, nil
}
