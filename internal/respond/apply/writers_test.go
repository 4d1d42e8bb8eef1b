package apply

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

// writeOps are the operations of an SDK client that change something:
// all but its reads (Get, Describe, List) and its Options.
func writeOps(client any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(client)
	for i := range t.NumMethod() {
		n := t.Method(i).Name
		switch {
		case n == "Options", strings.HasPrefix(n, "Get"), strings.HasPrefix(n, "Describe"), strings.HasPrefix(n, "List"):
		default:
			out[n] = true
		}
	}
	return out
}

// TestOnlyApplyWrites: outside this package, no shipped Go file that
// imports the sso-admin, identity-store or Organizations SDK calls one of
// their write operations or declares an interface with one. The
// collectors stay read-only by construction, not by review.
func TestOnlyApplyWrites(t *testing.T) {
	writes := map[string]map[string]bool{
		"github.com/aws/aws-sdk-go-v2/service/ssoadmin":      writeOps(&ssoadmin.Client{}),
		"github.com/aws/aws-sdk-go-v2/service/identitystore": writeOps(&identitystore.Client{}),
		"github.com/aws/aws-sdk-go-v2/service/organizations": writeOps(&organizations.Client{}),
	}
	if !writes["github.com/aws/aws-sdk-go-v2/service/ssoadmin"]["DeleteAccountAssignment"] {
		t.Fatal("the write set misses DeleteAccountAssignment: the SDK's method set changed")
	}
	root := moduleRoot(t)
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == self || d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		checked++
		for _, bad := range writeUses(t, path, writes) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: %s: only internal/respond/apply may write to Identity Center or Organizations", rel, bad)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files under %s", checked, root)
	}
}

// writeUses lists the write operations a file calls or declares, for the
// SDK services it imports.
func writeUses(t *testing.T, path string, writes map[string]map[string]bool) []string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ops := map[string]bool{}
	pkgs := map[string]bool{} // local names of imports: pkg.Func is not a method call
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		pkgs[name] = true
		for op := range writes[p] {
			ops[op] = true
		}
	}
	if len(ops) == 0 {
		return nil
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || !ops[sel.Sel.Name] {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && pkgs[id.Name] {
				return true
			}
			out = append(out, "calls "+sel.Sel.Name)
		case *ast.InterfaceType:
			for _, m := range n.Methods.List {
				for _, name := range m.Names {
					if ops[name.Name] {
						out = append(out, "declares "+name.Name)
					}
				}
			}
		}
		return true
	})
	return out
}

func moduleRoot(t *testing.T) string {
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
