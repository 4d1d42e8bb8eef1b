//go:build cgo

package athenafake

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/portcullis-sec/portcullis/internal/athena"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// LoadStats counts what Load put in a table.
type LoadStats struct {
	Objects int
	Rows    int64
	Bytes   int64 // stored (compressed) bytes: what Athena would scan
}

// Load reads trail files (paths as for a local hunt: files or the
// AWSLogs/… layout) into database.table, one row per record, with the
// partition values of the object's path (account, region, day folder) and
// its name in "$path". Objects whose path says no account, region or day
// take them from each record (recipientAccountId, awsRegion, eventTime).
func (db *DB) Load(ctx context.Context, database, name string, paths ...string) (LoadStats, error) {
	t := db.table(database, name)
	if t == nil {
		return LoadStats{}, fmt.Errorf("load: no table %s.%s", database, name)
	}
	var objs []source.Object
	if _, err := source.Walk(ctx, paths, source.Filter{}, func(o source.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		return LoadStats{}, fmt.Errorf("load: %w", err)
	}
	conn, err := db.conn.Connect(ctx)
	if err != nil {
		return LoadStats{}, fmt.Errorf("duckdb: connect: %w", err)
	}
	defer conn.Close()
	app, err := duckdb.NewAppenderFromConn(conn, t.database, t.name)
	if err != nil {
		return LoadStats{}, fmt.Errorf("duckdb: appender for %s.%s: %w", database, name, err)
	}
	var st LoadStats
	sizes := map[[3]string]int64{}
	sd := newSerde(t.columns)
	vals := make([]driver.Value, len(t.columns)+len(t.partitions)+1)
	cols := make([]any, len(t.columns))
	var buf bytes.Buffer
	var rd cloudtrail.ObjectReader
	for _, o := range objs {
		data, err := readObject(ctx, &rd, o, &buf)
		if err != nil {
			app.Close()
			return st, err
		}
		st.Objects++
		st.Bytes += o.Size
		objParts := map[[3]string]bool{}
		err = cloudtrail.Split(data, func(i int, rec []byte) error {
			if err := sd.row(rec, cols); err != nil {
				return fmt.Errorf("%s: record %d: %w", o.Name, i, err)
			}
			p := partitionOf(o.Key, cols, t.columns)
			objParts[p] = true
			for j, v := range cols {
				vals[j] = v
			}
			for j, pc := range t.partitions {
				vals[len(cols)+j] = partValue(pc.Name, p)
			}
			vals[len(vals)-1] = o.Name
			st.Rows++
			return app.AppendRow(vals...)
		})
		if err != nil {
			app.Close()
			return st, fmt.Errorf("load %s: %w", o.Name, err)
		}
		// An object's bytes count once per partition it fed (one, for
		// objects in the org-trail layout).
		for p := range objParts {
			sizes[p] += o.Size
		}
	}
	if err := app.Close(); err != nil {
		return st, fmt.Errorf("duckdb: append to %s.%s: %w", database, name, err)
	}
	for p, n := range sizes {
		if _, err := db.sql.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s.%s VALUES (?, ?, ?, ?)`, metaSchema, quote(partTable(t.database, t.name))), p[0], p[1], p[2], n); err != nil {
			return st, fmt.Errorf("duckdb: partition sizes: %w", err)
		}
	}
	return st, nil
}

func readObject(ctx context.Context, rd *cloudtrail.ObjectReader, o source.Object, buf *bytes.Buffer) ([]byte, error) {
	rc, err := o.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("load: open %s: %w", o.Name, err)
	}
	defer rc.Close()
	data, err := rd.Read(rc, o.Name, buf)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return data, nil
}

// partitionOf returns (account, region, day) for a record: from the path
// when it says, else from the record.
func partitionOf(k source.Key, vals []any, cols []athena.Column) [3]string {
	field := func(name string) string {
		for i, c := range cols {
			if c.Name == name {
				if s, ok := vals[i].(string); ok {
					return s
				}
			}
		}
		return ""
	}
	p := [3]string{k.Account, k.Region, ""}
	if !k.Day.IsZero() {
		p[2] = k.Day.Format("2006/01/02")
	}
	if p[0] == "" {
		p[0] = field("recipientaccountid")
	}
	if p[1] == "" {
		p[1] = field("awsregion")
	}
	if p[2] == "" {
		if t, err := cloudtrail.ParseTime(field("eventtime")); err == nil {
			p[2] = t.Format("2006/01/02")
		}
	}
	return p
}

func partValue(name string, p [3]string) any {
	switch name {
	case athena.PartAccount:
		return p[0]
	case athena.PartRegion:
		return p[1]
	case athena.PartTimestamp:
		return p[2]
	}
	return nil
}
