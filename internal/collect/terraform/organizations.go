package terraform

import (
	"fmt"
	"strings"
)

// orgAccount: id (the account id), name, email, status, parent_id.
func orgAccount(b *builder, a *attrs) error {
	id, ok, err := a.req("id")
	if err != nil || !ok {
		return err
	}
	return b.accountFrom(a, a.m, id, "")
}

func (b *builder) accountFrom(a *attrs, obj map[string]any, id, prefix string) error {
	acct := b.account(id, a.src())
	acct.Source = a.src()
	for _, f := range []field{{"name", &acct.Name}, {"email", &acct.Email}, {"status", &acct.Status}} {
		s, err := strIn(a, obj, f.key, prefix+f.key)
		if err != nil {
			return err
		}
		if s != "" {
			*f.dst = s
		}
	}
	parent, err := strIn(a, obj, "parent_id", prefix+"parent_id")
	if parent != "" {
		b.parents[id] = parent
	}
	return err
}

// orgUnit: id, name, parent_id.
func orgUnit(b *builder, a *attrs) error {
	id, ok, err := a.req("id")
	if err != nil || !ok {
		return err
	}
	name, err := a.str("name")
	if err != nil {
		return err
	}
	parent, err := a.str("parent_id")
	b.ous[id] = ou{name: name, parent: parent}
	return err
}

// organization (resource and data source): master_account_id, roots [{id}],
// accounts [{id, name, email, status}].
func organization(b *builder, a *attrs) error {
	mgmt, err := a.str("master_account_id")
	if err != nil {
		return err
	}
	if mgmt != "" {
		b.m.ManagementAccountID = mgmt
		b.account(mgmt, a.src()).Management = true
	}
	roots, err := a.objects("roots")
	if err != nil {
		return err
	}
	for i, r := range roots {
		id, err := strIn(a, r, "id", fmt.Sprintf("roots[%d].id", i))
		if err != nil {
			return err
		}
		b.roots[id] = true
	}
	accts, err := a.objects("accounts")
	if err != nil {
		return err
	}
	for i, o := range accts {
		field := fmt.Sprintf("accounts[%d].", i)
		id, err := strIn(a, o, "id", field+"id")
		if err != nil {
			return err
		}
		if id == "" {
			return a.errf(field+"id", "missing")
		}
		if err := b.accountFrom(a, o, id, field); err != nil {
			return err
		}
	}
	return nil
}

// delegatedAdmin: account_id, service_principal; only sso.amazonaws.com
// matters here.
func delegatedAdmin(b *builder, a *attrs) error {
	sp, err := a.str("service_principal")
	if err != nil || sp != "sso.amazonaws.com" {
		return err
	}
	id, ok, err := a.req("account_id")
	if err != nil || !ok {
		return err
	}
	b.m.DelegatedAdminID = id
	b.account(id, a.src()).DelegatedAdmin = true
	return nil
}

// ouPaths turns parent ids into "Root/Workloads/Prod". Parents outside
// the file leave the path empty rather than guessed.
func (b *builder) ouPaths() {
	for id, parent := range b.parents {
		var parts []string
		for depth := 0; depth < 10; depth++ { // OUs nest at most 5 deep; stop on cycles
			if b.roots[parent] || strings.HasPrefix(parent, "r-") {
				parts = append(parts, "Root")
				break
			}
			u, ok := b.ous[parent]
			if !ok {
				parts = nil
				break
			}
			parts = append(parts, u.name)
			parent = u.parent
		}
		if len(parts) == 0 || parts[len(parts)-1] != "Root" {
			continue
		}
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
		if acct, ok := b.m.Accounts[id]; ok {
			acct.OUPath = strings.Join(parts, "/")
		}
	}
}
