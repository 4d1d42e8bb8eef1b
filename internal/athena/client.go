package athena

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// API is the part of the Athena API a hunt calls; each method names the
// IAM actions it needs (README: "Organization scale: hunt on Athena").
type API interface {
	// athena:StartQueryExecution; the query itself needs glue:GetTable,
	// s3:GetObject/ListBucket on the trail and s3:PutObject on the results.
	StartQueryExecution(context.Context, *sdk.StartQueryExecutionInput, ...func(*sdk.Options)) (*sdk.StartQueryExecutionOutput, error)
	// athena:GetQueryExecution
	GetQueryExecution(context.Context, *sdk.GetQueryExecutionInput, ...func(*sdk.Options)) (*sdk.GetQueryExecutionOutput, error)
	// athena:GetQueryResults, s3:GetObject on the results
	GetQueryResults(context.Context, *sdk.GetQueryResultsInput, ...func(*sdk.Options)) (*sdk.GetQueryResultsOutput, error)
	// athena:StopQueryExecution
	StopQueryExecution(context.Context, *sdk.StopQueryExecutionInput, ...func(*sdk.Options)) (*sdk.StopQueryExecutionOutput, error)
	// athena:GetTableMetadata, glue:GetTable
	GetTableMetadata(context.Context, *sdk.GetTableMetadataInput, ...func(*sdk.Options)) (*sdk.GetTableMetadataOutput, error)
}

// Actions are the IAM actions a hunt on Athena needs, for the README and
// error messages.
var Actions = []string{
	"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
	"athena:StopQueryExecution", "athena:GetTableMetadata", "glue:GetTable", "glue:GetDatabase",
	"s3:GetObject and s3:ListBucket on the trail bucket",
	"s3:GetBucketLocation, s3:PutObject and s3:GetObject on the query results location",
}

// Runner runs queries in one workgroup.
type Runner struct {
	API            API
	Workgroup      string // "" = the account's primary workgroup
	OutputLocation string // "" = the workgroup's result location
	Catalog        string // "" = AwsDataCatalog
	Database       string
	// PageSize is GetQueryResults' MaxResults (Athena allows up to 1000).
	PageSize int32
	// PollMin and PollMax bound the backoff between GetQueryExecution
	// calls (defaults 250ms and 5s).
	PollMin, PollMax time.Duration
	// Progress, when set, hears of each state change and page.
	Progress func(Status)
}

// Status is what a query did.
type Status struct {
	QueryID     string
	State       string // QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
	DataScanned int64  // bytes, as billed
	EngineTime  time.Duration
	Rows        int64 // data rows returned so far
	Pages       int
}

func (r *Runner) catalog() string {
	if r.Catalog == "" {
		return "AwsDataCatalog"
	}
	return r.Catalog
}

// Describe reads the table's columns and partition keys, so the query
// selects only columns the table has and prunes on the partitions it has.
func (r *Runner) Describe(ctx context.Context, table string) (Table, map[string]string, error) {
	out, err := r.API.GetTableMetadata(ctx, &sdk.GetTableMetadataInput{
		CatalogName: aws.String(r.catalog()), DatabaseName: aws.String(r.Database), TableName: aws.String(table),
		WorkGroup: optional(r.Workgroup),
	})
	if err != nil {
		return Table{}, nil, apiError("GetTableMetadata", fmt.Sprintf("table %s.%s", r.Database, table), err)
	}
	t := Table{Catalog: r.Catalog, Database: r.Database, Name: table, PartitionKeys: []string{}}
	md := out.TableMetadata
	if md == nil {
		return Table{}, nil, fmt.Errorf("athena: GetTableMetadata for %s.%s returned no table", r.Database, table)
	}
	for _, c := range md.Columns {
		t.Columns = append(t.Columns, Column{Name: strings.ToLower(aws.ToString(c.Name)), Type: aws.ToString(c.Type)})
	}
	for _, c := range md.PartitionKeys {
		t.PartitionKeys = append(t.PartitionKeys, strings.ToLower(aws.ToString(c.Name)))
	}
	for _, c := range t.Columns {
		std := slices.IndexFunc(Columns, func(s Column) bool { return s.Name == c.Name })
		if std < 0 {
			continue
		}
		if _, err := ParseType(c.Type); err != nil {
			return Table{}, nil, fmt.Errorf("athena: table %s.%s column %s: %w", r.Database, table, c.Name, err)
		}
		if MustParseType(c.Type).Complex() != MustParseType(Columns[std].Type).Complex() {
			return Table{}, nil, fmt.Errorf("athena: table %s.%s column %s is %s, want %s (the standard CloudTrail table; see portcullis athena ddl)",
				r.Database, table, c.Name, c.Type, Columns[std].Type)
		}
	}
	return t, md.Parameters, nil
}

// Run starts the query, waits for it, and hands each data row to fn in
// order, one page in memory at a time. When ctx ends while the query is
// queued or running, the query is stopped (StopQueryExecution).
func (r *Runner) Run(ctx context.Context, sql string, fn func(Row) error) (Status, error) {
	var st Status
	err := r.run(ctx, sql, &st, fn)
	return st, err
}

func (r *Runner) run(ctx context.Context, sql string, st *Status, fn func(Row) error) error {
	in := &sdk.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{Catalog: optional(r.Catalog), Database: aws.String(r.Database)},
		WorkGroup:             optional(r.Workgroup),
	}
	if r.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(r.OutputLocation)}
	}
	out, err := r.API.StartQueryExecution(ctx, in)
	if err != nil {
		return apiError("StartQueryExecution", "query", err)
	}
	*st = Status{QueryID: aws.ToString(out.QueryExecutionId)}
	if err := r.wait(ctx, st); err != nil {
		return err
	}
	return r.page(ctx, st, fn)
}

func (r *Runner) report(st Status) {
	if r.Progress != nil {
		r.Progress(st)
	}
}

// wait polls until the query ends, backing off from PollMin to PollMax.
func (r *Runner) wait(ctx context.Context, st *Status) error {
	delay, maxDelay := r.PollMin, r.PollMax
	if delay <= 0 {
		delay = 250 * time.Millisecond
	}
	if maxDelay <= 0 {
		maxDelay = 5 * time.Second
	}
	for {
		out, err := r.API.GetQueryExecution(ctx, &sdk.GetQueryExecutionInput{QueryExecutionId: aws.String(st.QueryID)})
		if err != nil {
			if ctx.Err() != nil {
				return r.stop(st, ctx.Err())
			}
			return apiError("GetQueryExecution", "query "+st.QueryID, err)
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return fmt.Errorf("athena: query %s: GetQueryExecution returned no status", st.QueryID)
		}
		state := string(qe.Status.State)
		if s := qe.Statistics; s != nil {
			st.DataScanned = aws.ToInt64(s.DataScannedInBytes)
			st.EngineTime = time.Duration(aws.ToInt64(s.EngineExecutionTimeInMillis)) * time.Millisecond
		}
		if state != st.State {
			st.State = state
			r.report(*st)
		}
		switch qe.Status.State {
		case types.QueryExecutionStateSucceeded:
			return nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return queryFailed(st.QueryID, state, qe.Status)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return r.stop(st, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, maxDelay)
	}
}

// stop asks Athena to stop a query the hunt no longer waits for: a
// cancelled hunt must not leave a query scanning (and billing) behind.
func (r *Runner) stop(st *Status, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.API.StopQueryExecution(ctx, &sdk.StopQueryExecutionInput{QueryExecutionId: aws.String(st.QueryID)}); err != nil {
		return fmt.Errorf("athena: query %s: %w; stopping it failed too (stop it in the console): %v", st.QueryID, cause, err)
	}
	st.State = string(types.QueryExecutionStateCancelled)
	r.report(*st)
	return fmt.Errorf("athena: query %s stopped: %w", st.QueryID, cause)
}

// page reads the results page by page; the first row of the first page
// is the header, as Athena returns it for a SELECT.
func (r *Runner) page(ctx context.Context, st *Status, fn func(Row) error) error {
	size := r.PageSize
	if size <= 0 || size > 1000 {
		size = 1000
	}
	p := sdk.NewGetQueryResultsPaginator(r.API, &sdk.GetQueryResultsInput{QueryExecutionId: aws.String(st.QueryID), MaxResults: aws.Int32(size)})
	var labels []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return apiError("GetQueryResults", "query "+st.QueryID, err)
		}
		st.Pages++
		if out.ResultSet == nil {
			continue
		}
		rows := out.ResultSet.Rows
		if st.Pages == 1 {
			if md := out.ResultSet.ResultSetMetadata; md != nil {
				for _, c := range md.ColumnInfo {
					labels = append(labels, aws.ToString(c.Name))
				}
			}
			if len(rows) > 0 && isHeader(rows[0], labels) {
				rows = rows[1:]
			}
		}
		for _, row := range rows {
			vals := make(Row, len(row.Data))
			for i, d := range row.Data {
				vals[i] = d.VarCharValue
			}
			st.Rows++
			if err := fn(vals); err != nil {
				return err
			}
		}
		r.report(*st)
	}
	return nil
}

func isHeader(row types.Row, labels []string) bool {
	if len(labels) == 0 || len(row.Data) != len(labels) {
		return false
	}
	for i, d := range row.Data {
		if aws.ToString(d.VarCharValue) != labels[i] {
			return false
		}
	}
	return true
}

// errStopped ends paging when the consumer of Events stops early.
var errStopped = errors.New("consumer stopped")

// Events runs q and yields its rows as records, in the query's order.
// A row that cannot be rebuilt yields a *cloudtrail.DecodeError and the
// rest follow; any other error ends the sequence. st is filled as the
// query runs.
func (r *Runner) Events(ctx context.Context, q Query, st *Status) iter.Seq2[*cloudtrail.Event, error] {
	return func(yield func(*cloudtrail.Event, error) bool) {
		dec := NewDecoder(q)
		n := 0
		err := r.run(ctx, q.SQL, st, func(row Row) error {
			n++
			ev, err := dec.Decode(row, cloudtrail.Origin{File: "athena:" + st.QueryID, Index: n})
			if !yield(ev, err) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(nil, err)
		}
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
