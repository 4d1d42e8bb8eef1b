package athena

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"
)

// ErrorKind sorts query failures into what a person does next.
type ErrorKind int

const (
	Failed         ErrorKind = iota // anything else: Athena's message says why
	TableNotFound                   // create it: portcullis athena ddl
	SchemaNotFound                  // the database does not exist
	ColumnNotFound                  // the table is not the standard CloudTrail table
	AccessDenied                    // IAM, Lake Formation or S3 refused
	Cancelled                       // stopped by someone
	Invalid                         // Athena rejected the request (workgroup, output location …)
)

// Error is a failed Athena call or query, with Athena's own message.
type Error struct {
	Kind    ErrorKind
	Op      string // API operation, or "query"
	QueryID string
	Reason  string // Athena's message, verbatim
	Hint    string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("athena: ")
	if e.QueryID != "" {
		fmt.Fprintf(&b, "query %s ", e.QueryID)
	} else {
		fmt.Fprintf(&b, "%s: ", e.Op)
	}
	switch e.Kind {
	case TableNotFound:
		b.WriteString("failed: table not found")
	case SchemaNotFound:
		b.WriteString("failed: database not found")
	case ColumnNotFound:
		b.WriteString("failed: a column is missing")
	case AccessDenied:
		b.WriteString("failed: access denied")
	case Cancelled:
		b.WriteString("was cancelled")
	case Invalid:
		b.WriteString("rejected")
	default:
		b.WriteString("failed")
	}
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %q", e.Reason)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

var (
	hintDDL    = "create the standard table with: portcullis athena ddl --bucket BUCKET --org o-…"
	hintAccess = "the hunt needs " + strings.Join(Actions, ", ")
)

// queryFailed reads a FAILED or CANCELLED query's status.
func queryFailed(id, state string, s *types.QueryExecutionStatus) error {
	reason := aws.ToString(s.StateChangeReason)
	if reason == "" && s.AthenaError != nil {
		reason = aws.ToString(s.AthenaError.ErrorMessage)
	}
	e := &Error{Op: "query", QueryID: id, Reason: reason, Kind: classify(reason)}
	if state == string(types.QueryExecutionStateCancelled) {
		e.Kind = Cancelled
	}
	e.Hint = hintFor(e.Kind)
	return e
}

// classify reads Trino's error name at the start of the message, or the
// wording of S3, Glue and Lake Formation denials.
func classify(reason string) ErrorKind {
	switch {
	case strings.HasPrefix(reason, "TABLE_NOT_FOUND"):
		return TableNotFound
	case strings.HasPrefix(reason, "SCHEMA_NOT_FOUND"):
		return SchemaNotFound
	case strings.HasPrefix(reason, "COLUMN_NOT_FOUND"):
		return ColumnNotFound
	case strings.HasPrefix(reason, "PERMISSION_DENIED"), strings.Contains(reason, "Access Denied"),
		strings.Contains(reason, "AccessDenied"), strings.Contains(reason, "Permission denied"),
		strings.Contains(reason, "Insufficient permissions"), strings.Contains(reason, "not authorized"):
		return AccessDenied
	}
	return Failed
}

func hintFor(k ErrorKind) string {
	switch k {
	case TableNotFound, SchemaNotFound:
		return hintDDL
	case ColumnNotFound:
		return "the table lacks a column of the standard CloudTrail table; recreate it with: portcullis athena ddl"
	case AccessDenied:
		return hintAccess
	}
	return ""
}

// apiError names the call that failed and what to do about it.
func apiError(op, what string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("athena: %s (%s): %w", op, what, err)
	}
	e := &Error{Op: op, Reason: ae.ErrorMessage(), Err: err}
	var ire *types.InvalidRequestException
	var me *types.MetadataException
	switch {
	case ae.ErrorCode() == "AccessDeniedException" || ae.ErrorCode() == "AccessDenied":
		e.Kind = AccessDenied
	case errors.As(err, &me):
		e.Kind = classify(e.Reason)
		if e.Kind == Failed && (strings.Contains(e.Reason, "not found") || strings.Contains(e.Reason, "EntityNotFound")) {
			e.Kind = TableNotFound
			if strings.Contains(strings.ToLower(e.Reason), "database") {
				e.Kind = SchemaNotFound
			}
		}
	case errors.As(err, &ire):
		e.Kind = Invalid
		if code := aws.ToString(ire.AthenaErrorCode); code != "" {
			e.Reason = code + ": " + e.Reason
		}
	default:
		e.Kind = classify(e.Reason)
	}
	e.Hint = hintFor(e.Kind)
	if e.Hint == "" {
		e.Hint = what
	} else {
		e.Hint = what + ": " + e.Hint
	}
	return e
}
