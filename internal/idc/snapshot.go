package idc

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// Load reads a JSON snapshot from a file.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Read decodes a JSON snapshot; name is used in errors. The schema must be
// SnapshotSchema. References that do not resolve (an assignment to an
// unknown permission set) are kept: Validate reports them. The lookup
// index is built on the first lookup (effective access never needs it).
// A reader that can seek (a file) is decoded as it is read; any other is
// read whole first.
func Read(r io.Reader, name string) (*Model, error) {
	rs, ok := r.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		return ReadBytes(b, name)
	}
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	m, ok := decodeStream(rs)
	if !ok { // read it again, with encoding/json
		if _, err := rs.Seek(start, io.SeekStart); err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		if m, err = decodeReference(rs, name); err != nil {
			return nil, err
		}
	}
	return m.finish(name)
}

// ReadBytes is Read on a snapshot already in memory.
func ReadBytes(b []byte, name string) (*Model, error) {
	m, ok := decodeFast(b)
	if !ok {
		var err error
		if m, err = decodeReference(bytes.NewReader(b), name); err != nil {
			return nil, err
		}
	}
	return m.finish(name)
}

// ReadIfSnapshot reads b when it is plainly a portcullis snapshot: one
// JSON object with a schema and nothing but the snapshot's own keys, each
// once and spelled exactly. isSnapshot is false for anything else (a
// Terraform state, broken JSON, …), which the caller then tells apart
// itself, without b having been decoded twice in the common case.
func ReadIfSnapshot(b []byte, name string) (m *Model, isSnapshot bool, err error) {
	m, ok := decodeFast(b)
	if !ok || m.Schema == "" {
		return nil, false, nil
	}
	m, err = m.finish(name)
	return m, true, err
}

// LoadIfSnapshot is ReadIfSnapshot on a file, decoded as it is read, so
// a large snapshot is never held whole in memory. isSnapshot is false,
// with no error, when path is not a regular file that plainly holds a
// snapshot (a pipe could not be read twice): the caller then reads it and
// tells what it is, errors included.
func LoadIfSnapshot(path string) (m *Model, isSnapshot bool, err error) {
	// Stat, not open: opening a named pipe would take its writer's data.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	m, ok := decodeStream(f)
	if !ok || m.Schema == "" {
		return nil, false, nil
	}
	m, err = m.finish(path)
	return m, true, err
}

// decodeReference is the snapshot decoder of record: encoding/json, one
// object and nothing after it. decodeFast agrees with it or hands over.
// The document is read whole (encoding/json buffers it whole anyway), so
// an error can say where in it the fault is (see located).
func decodeReference(r io.Reader, name string) (*Model, error) {
	doc, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", name, located(doc, err))
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("snapshot %s: %s: unexpected data after the snapshot object", name, position(doc, valueStart(doc, end)))
	}
	return &m, nil
}

// finish checks a decoded snapshot's schema and keys.
func (m *Model) finish(name string) (*Model, error) {
	if m.Schema != SnapshotSchema {
		if m.Schema == "" {
			return nil, fmt.Errorf("snapshot %s: no schema (want %q)", name, SnapshotSchema)
		}
		return nil, fmt.Errorf("snapshot %s: schema %q is not supported (want %q)", name, m.Schema, SnapshotSchema)
	}
	if err := m.fill(name); err != nil {
		return nil, err
	}
	return m, nil
}

// fill makes nil maps usable and checks that map keys agree with the ids
// they hold (a key is the identity every lookup uses).
func (m *Model) fill(name string) error {
	if m.Accounts == nil {
		m.Accounts = map[string]*Account{}
	}
	if m.Users == nil {
		m.Users = map[string]*User{}
	}
	if m.Groups == nil {
		m.Groups = map[string]*Group{}
	}
	if m.PermissionSets == nil {
		m.PermissionSets = map[string]*PermissionSet{}
	}
	if m.Memberships == nil {
		m.Memberships = map[string][]Membership{}
	}
	if err := keyed(name, "accounts", "id", m.Accounts, func(a *Account) *string { return &a.ID }); err != nil {
		return err
	}
	if err := keyed(name, "users", "id", m.Users, func(u *User) *string { return &u.ID }); err != nil {
		return err
	}
	if err := keyed(name, "groups", "id", m.Groups, func(g *Group) *string { return &g.ID }); err != nil {
		return err
	}
	if err := keyed(name, "permission_sets", "arn", m.PermissionSets, func(ps *PermissionSet) *string { return &ps.ARN }); err != nil {
		return err
	}
	return nil
}

// Validate reports references that do not resolve and values outside the
// API's vocabulary. The model stays usable: these are findings about the
// source, not reasons to refuse it.
func (m *Model) Validate() []error {
	var errs []error
	for i, a := range m.Assignments {
		where := fmt.Sprintf("assignments[%d] (%s)", i, a.Source)
		if _, ok := m.PermissionSets[a.PermissionSetARN]; !ok {
			errs = append(errs, fmt.Errorf("%s: unknown permission set %q", where, a.PermissionSetARN))
		}
		switch a.PrincipalType {
		case "USER":
			if _, ok := m.Users[a.PrincipalID]; !ok {
				errs = append(errs, fmt.Errorf("%s: unknown user %q", where, a.PrincipalID))
			}
		case "GROUP":
			if _, ok := m.Groups[a.PrincipalID]; !ok {
				errs = append(errs, fmt.Errorf("%s: unknown group %q", where, a.PrincipalID))
			}
		default:
			errs = append(errs, fmt.Errorf("%s: principal_type %q is not USER or GROUP", where, a.PrincipalType))
		}
		if a.AccountID == "" {
			errs = append(errs, fmt.Errorf("%s: no account_id", where))
		}
	}
	for _, g := range slices.Sorted(maps.Keys(m.Memberships)) {
		if _, ok := m.Groups[g]; !ok {
			errs = append(errs, fmt.Errorf("memberships[%q]: unknown group", g))
		}
		for _, mb := range m.Memberships[g] {
			if _, ok := m.Users[mb.UserID]; !ok {
				errs = append(errs, fmt.Errorf("memberships[%q]: unknown user %q", g, mb.UserID))
			}
		}
	}
	if m.DelegatedAdminID != "" && m.DelegatedAdminID == m.ManagementAccountID {
		errs = append(errs, fmt.Errorf("delegated_admin_account_id %s is the management account", m.DelegatedAdminID))
	}
	return errs
}

// Write encodes the model as an indented snapshot. Output is deterministic:
// maps are sorted by key (encoding/json does that), and assignments,
// memberships and every list inside a permission set are sorted. The model
// itself is not reordered.
func (m *Model) Write(w io.Writer) error {
	out := struct {
		Schema string `json:"schema"` // first, so a reader sees the version at once
		*Model
		PermissionSets map[string]*PermissionSet `json:"permission_sets"`
		Assignments    []Assignment              `json:"assignments"`
		Memberships    map[string][]Membership   `json:"memberships"`
		Missing        []string                  `json:"missing,omitempty"`
		Unknown        []string                  `json:"unknown,omitempty"`
	}{Model: m, Schema: m.Schema}
	if out.Schema == "" {
		out.Schema = SnapshotSchema
	}
	out.PermissionSets = make(map[string]*PermissionSet, len(m.PermissionSets))
	for k, ps := range m.PermissionSets {
		c := *ps
		c.ManagedPolicies = sortedCopy(ps.ManagedPolicies, strings.Compare)
		c.ProvisionedTo = sortedCopy(ps.ProvisionedTo, strings.Compare)
		c.CustomerManagedPolicies = sortedCopy(ps.CustomerManagedPolicies, func(a, b PolicyRef) int {
			return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Name, b.Name))
		})
		out.PermissionSets[k] = &c
	}
	out.Assignments = sortedCopy(m.Assignments, compareAssignments)
	if out.Assignments == nil {
		out.Assignments = []Assignment{}
	}
	out.Memberships = make(map[string][]Membership, len(m.Memberships))
	for g, ms := range m.Memberships {
		out.Memberships[g] = sortedCopy(ms, compareMemberships)
	}
	out.Missing = sortedCopy(m.Missing, strings.Compare)
	out.Unknown = sortedCopy(m.Unknown, strings.Compare)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// compareAssignments and compareMemberships are the orders Write uses.
func compareAssignments(a, b Assignment) int {
	return cmp.Or(strings.Compare(a.AccountID, b.AccountID), strings.Compare(a.PermissionSetARN, b.PermissionSetARN),
		strings.Compare(a.PrincipalType, b.PrincipalType), strings.Compare(a.PrincipalID, b.PrincipalID))
}

func compareMemberships(a, b Membership) int {
	return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.MembershipID, b.MembershipID))
}

func sortedCopy[T any](s []T, less func(a, b T) int) []T {
	if s == nil {
		return nil
	}
	c := slices.Clone(s)
	slices.SortStableFunc(c, less)
	return c
}

// keyed checks that every entry of a map keyed by id is present and carries
// that id (filling it in when the entry leaves it out). Of several bad
// entries it names the first by key, so the error is the same every run.
func keyed[V any](name, field, idName string, m map[string]*V, id func(*V) *string) error {
	var (
		err    error
		badKey string
	)
	for k, v := range m {
		var e error
		switch {
		case v == nil:
			e = fmt.Errorf("snapshot %s: %s[%q]: null", name, field, k)
		case *id(v) == "":
			*id(v) = k
		case *id(v) != k:
			e = fmt.Errorf("snapshot %s: %s[%q]: %s is %q", name, field, k, idName, *id(v))
		}
		if e != nil && (err == nil || k < badKey) {
			err, badKey = e, k
		}
	}
	return err
}
