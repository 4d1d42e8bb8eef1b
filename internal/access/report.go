package access

import (
	"fmt"
	"io"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/table"
)

// WriteBlastTable writes a blast radius for a person to read. (Blast and
// GroupRisk carry JSON tags for machine output.)
func WriteBlastTable(w io.Writer, b Blast) error {
	tw := table.New(w)
	name := b.ID
	if b.Name != "" && b.Name != b.ID {
		name = b.Name + " (" + b.ID + ")"
	}
	fmt.Fprintf(tw, "blast radius of %s\t%s\n", b.Kind, name)
	fmt.Fprintf(tw, "accounts\t%d\n", len(b.Accounts))
	fmt.Fprintf(tw, "accounts with admin\t%d\n", b.AdminAccounts)
	fmt.Fprintf(tw, "users\t%d\n", b.Users)
	fmt.Fprintf(tw, "permission sets\t%d\n", b.PermissionSets)
	fmt.Fprintf(tw, "paths\t%d\n", b.Paths)
	fmt.Fprintf(tw, "admin paths\t%d\n", b.AdminPaths)
	fmt.Fprintf(tw, "sensitive accounts\t%s\n", orNone(b.SensitiveAccounts))
	for _, n := range b.Notes {
		fmt.Fprintf(tw, "note\t%s\n", n)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write blast radius: %w", err)
	}
	return nil
}

// WriteGroupRisksTable writes LargeAdminGroups' answer.
func WriteGroupRisksTable(w io.Writer, risks []GroupRisk) error {
	tw := table.New(w)
	fmt.Fprintln(tw, "GROUP\tMEMBERS\tADMIN ACCOUNTS\tADMIN PERMISSION SETS")
	for _, r := range risks {
		name := r.GroupID
		if r.GroupName != "" {
			name = r.GroupName + " (" + r.GroupID + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", name, r.Size, len(r.AdminAccounts), strings.Join(r.PermissionSets, ", "))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write groups: %w", err)
	}
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
