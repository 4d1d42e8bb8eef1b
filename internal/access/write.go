package access

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/portcullis-sec/portcullis/internal/table"
)

// WriteTable writes a human-readable table.
func WriteTable(w io.Writer, r *Result) error {
	tw := table.New(w)
	fmt.Fprintln(tw, "USER\tACCOUNT\tPERMISSION SET\tLEVEL\tVIA")
	for i := range r.Len() {
		a := r.At(i)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cmp.Or(a.UserName, a.UserID), account(a), cmp.Or(a.PermissionSetName, a.PermissionSetARN), a.Level, via(a))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write access table: %w", err)
	}
	return nil
}

func account(a Access) string {
	if a.AccountName == "" {
		return a.AccountID
	}
	return a.AccountID + " (" + a.AccountName + ")"
}

func via(a Access) string {
	if a.Via == ViaDirect {
		return ViaDirect
	}
	return "group " + cmp.Or(a.GroupName, a.GroupID)
}

// csvHeader is the auditor's access-review layout.
var csvHeader = []string{"user_id", "user_name", "account_id", "account_name", "permission_set", "permission_set_arn", "level", "via", "group_id", "group_name"}

// WriteCSV writes one row per grant for access reviews.
func WriteCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write access csv: %w", err)
	}
	row := make([]string, len(csvHeader))
	for i := range r.Len() {
		a := r.At(i)
		row[0], row[1], row[2], row[3] = a.UserID, a.UserName, a.AccountID, a.AccountName
		row[4], row[5], row[6], row[7] = a.PermissionSetName, a.PermissionSetARN, a.Level.String(), a.Via
		row[8], row[9] = a.GroupID, a.GroupName
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write access csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write access csv: %w", err)
	}
	return nil
}

// WriteJSON writes {"schema", "count", "access": [Access…]}, one grant per
// line inside the array so that line tools can still cope. It is encoded
// by hand: a large organization has millions of grants, and reflection
// would dominate the run time.
func WriteJSON(w io.Writer, r *Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := make([]byte, 0, 1024)
	buf = append(buf, `{"schema":"`+Schema+`","count":`...)
	buf = strconv.AppendInt(buf, int64(r.Len()), 10)
	buf = append(buf, `,"access":[`...)
	for i := range r.Len() {
		a := r.At(i)
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n{"...)
		buf = appendField(buf, "user_id", a.UserID, true)
		buf = appendField(buf, "user_name", a.UserName, false)
		buf = appendField(buf, "account_id", a.AccountID, true)
		buf = appendField(buf, "account_name", a.AccountName, false)
		buf = appendField(buf, "permission_set_arn", a.PermissionSetARN, true)
		buf = appendField(buf, "permission_set_name", a.PermissionSetName, false)
		buf = appendField(buf, "level", a.Level.String(), true)
		buf = appendField(buf, "via", a.Via, true)
		buf = appendField(buf, "group_id", a.GroupID, false)
		buf = appendField(buf, "group_name", a.GroupName, false)
		buf[len(buf)-1] = '}' // replaces the last field's comma
		if len(buf) > 32<<10 {
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("write access json: %w", err)
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "\n]}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("write access json: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write access json: %w", err)
	}
	return nil
}

// appendField writes "key":"value", (omitting empty optional values).
func appendField(buf []byte, key, val string, always bool) []byte {
	if val == "" && !always {
		return buf
	}
	buf = append(buf, '"')
	buf = append(buf, key...)
	buf = append(buf, `":`...)
	buf = appendString(buf, val)
	return append(buf, ',')
}

// appendString appends a JSON string. Plain ASCII, the common case for ids
// and names, is copied as is; anything else goes through encoding/json.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false) // < > & stay readable
			_ = enc.Encode(s)        // a string always encodes
			return append(buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
