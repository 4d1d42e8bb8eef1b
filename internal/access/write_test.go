package access

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/table"
)

// The writers as they were before they wrote grants from encoded parts:
// every grant resolved and every field encoded. The writers must keep
// their output byte for byte.

func writeTableRef(w io.Writer, r *Result) error {
	tw := table.New(w)
	fmt.Fprintln(tw, "USER\tACCOUNT\tPERMISSION SET\tLEVEL\tVIA")
	for i := range r.Len() {
		a := r.At(i)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cmp.Or(a.UserName, a.UserID), accountCell(a.AccountID, a.AccountName), cmp.Or(a.PermissionSetName, a.PermissionSetARN), a.Level, via(a))
	}
	return tw.Flush()
}

func writeCSVRef(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for i := range r.Len() {
		a := r.At(i)
		if err := cw.Write([]string{a.UserID, a.UserName, a.AccountID, a.AccountName, a.PermissionSetName, a.PermissionSetARN, a.Level.String(), a.Via, a.GroupID, a.GroupName}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSONRef(w io.Writer, r *Result) error {
	buf := []byte(`{"schema":"` + Schema + `","count":` + strconv.Itoa(r.Len()) + `,"access":[`)
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
		buf[len(buf)-1] = '}'
	}
	buf = append(buf, "\n]}\n"...)
	_, err := w.Write(buf)
	return err
}

// oddNames gives a synthetic model names that test every writer's
// escaping, quoting and alignment: quotes, commas, line breaks, tabs,
// wide and combining characters, tabwriter's escape byte, leading spaces,
// empty names.
func oddNames(m *idc.Model, names []string) {
	i := 0
	next := func() string { i++; return names[i%len(names)] }
	for _, k := range slices.Sorted(maps.Keys(m.Users)) {
		m.Users[k].UserName = next()
	}
	for _, k := range slices.Sorted(maps.Keys(m.Groups)) {
		m.Groups[k].DisplayName = next()
	}
	for _, k := range slices.Sorted(maps.Keys(m.Accounts)) {
		m.Accounts[k].Name = next()
	}
	for _, k := range slices.Sorted(maps.Keys(m.PermissionSets)) {
		m.PermissionSets[k].Name = next()
	}
}

func TestWritersKeepTheirOutput(t *testing.T) {
	plain := []string{"alice", "", "Zoë Ünïcode", "日本語の名前", "e\u0301", "a\"quote", "back\\slash", "<tag>&amp;", "comma,name", " leading space", `\.`, "\u2028sep", "x\x01y"}
	withTab := append([]string{"tab\there", "line\nbreak", "cr\rlf", "esc\xffape", "\vvt\f"}, plain...)
	models := map[string]*idc.Model{
		"synthetic": idc.Synthetic(11, 60, 8, 6, 9, 120),
		"plain":     idc.Synthetic(12, 40, 6, 5, 7, 90),
		"tabs":      idc.Synthetic(13, 40, 6, 5, 7, 90),
		"empty":     idc.New("file"),
	}
	oddNames(models["plain"], plain)
	oddNames(models["tabs"], withTab)
	graphs := map[string]*Graph{"fixture": fixture(t)}
	for name, m := range models {
		graphs[name] = Compute(m)
	}
	writers := []struct {
		name      string
		got, want func(io.Writer, *Result) error
	}{{"table", WriteTable, writeTableRef}, {"csv", WriteCSV, writeCSVRef}, {"json", WriteJSON, writeJSONRef}}
	for gname, g := range graphs {
		results := map[string]*Result{"all": g.All()}
		if len(g.users) > 0 {
			results["user"], _ = g.WhatCanReach(g.users[len(g.users)/2].ID)
			results["account-admin"], _ = g.WhoCanReach(g.accounts[0].ID, true)
			results["none"] = &Result{g: g}
		}
		for rname, r := range results {
			for _, w := range writers {
				var got, want bytes.Buffer
				if err := w.got(&got, r); err != nil {
					t.Fatal(err)
				}
				if err := w.want(&want, r); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("%s %s %s: output changed\ngot:\n%.1500s\nwant:\n%.1500s", gname, rname, w.name, got.Bytes(), want.Bytes())
				}
			}
		}
	}
}

// TestTableWithoutTabwriterControls: the table is aligned as it is
// written unless a cell carries a tab or a line break (internal/table
// then lays it out).
func TestTableWithoutTabwriterControls(t *testing.T) {
	m := idc.Synthetic(14, 20, 4, 3, 4, 30)
	if measureTable(Compute(m).All()).odd {
		t.Error("plain names go through internal/table")
	}
	oddNames(m, []string{"tab\there"})
	if !measureTable(Compute(m).All()).odd {
		t.Error("a tab in a name does not go through internal/table")
	}
}
