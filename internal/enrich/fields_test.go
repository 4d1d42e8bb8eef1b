package enrich

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README derived field table")

// TestEveryDerivedFieldIsListed reads this package's source: every
// SetDerived names its field with a literal that is in the list, and every
// listed field is set somewhere. The list cannot drift from the code.
func TestEveryDerivedFieldIsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "SetDerived" || len(call.Args) != 2 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: SetDerived with a computed name; name the field literally so it can be listed", fset.Position(call.Pos()))
				return true
			}
			field, _ := strconv.Unquote(lit.Value)
			if _, ok := LookupField(field); !ok {
				t.Errorf("%s: %s is set but not in the derived field list (fields.go)", fset.Position(call.Pos()), field)
			}
			set[field] = true
			return true
		})
	}
	seen := map[string]bool{}
	for _, f := range Fields() {
		if !set[f.Name] {
			t.Errorf("%s is listed but never set", f.Name)
		}
		if seen[f.Name] {
			t.Errorf("%s is listed twice", f.Name)
		}
		seen[f.Name] = true
		if !strings.HasPrefix(f.Name, "portcullis.") || f.Doc == "" || strings.Contains(f.Doc, "\n") {
			t.Errorf("%s: want a portcullis.* name and a one-line doc", f.Name)
		}
		switch f.Type {
		case TypeString, TypeBool, TypeNumber, TypeStringList:
		default:
			t.Errorf("%s: unknown type %q", f.Name, f.Type)
		}
	}
}

const (
	readmePath        = "../../README.md"
	fieldsBeginMarker = "<!-- fields:begin (generated; go test ./internal/enrich -run TestReadmeFieldTable -update) -->\n"
	fieldsEndMarker   = "<!-- fields:end -->"
)

// TestReadmeFieldTable keeps the README's derived field table generated
// from the list.
func TestReadmeFieldTable(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, fieldsBeginMarker), strings.Index(s, fieldsEndMarker)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the derived field table markers %q … %q", fieldsBeginMarker, fieldsEndMarker)
	}
	table := FieldsDoc()
	if s[i+len(fieldsBeginMarker):j] == table {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(s[:i+len(fieldsBeginMarker)]+table+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README derived field table is stale; run: go test ./internal/enrich -run TestReadmeFieldTable -update")
}
