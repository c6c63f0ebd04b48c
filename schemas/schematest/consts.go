package schematest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ConstValues returns the values of the string constants declared with type typeName
// (`X TypeName = "value"`) in the non-test Go files of dir: a type's fixed value set, read from
// the source so that a new constant shows up in the comparison with the schema's enum.
func ConstValues(t testing.TB, dir, typeName string) []string {
	t.Helper()
	return constants(t, dir, func(_ string, typ ast.Expr) bool {
		id, ok := typ.(*ast.Ident)
		return ok && id.Name == typeName
	})
}

// ConstValuesNamed returns the values of the string constants of dir whose name starts with
// prefix ("Wave": WaveNow, WavePending, …): a value set kept in plain strings.
func ConstValuesNamed(t testing.TB, dir, prefix string) []string {
	t.Helper()
	return constants(t, dir, func(name string, _ ast.Expr) bool { return strings.HasPrefix(name, prefix) })
}

// constants returns the sorted values of the string constants of dir that match.
func constants(t testing.TB, dir string, match func(name string, typ ast.Expr) bool) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", e.Name(), err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if i >= len(vs.Names) || !match(vs.Names[i].Name, vs.Type) {
						continue
					}
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, s)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no matching string constant in %s", dir)
	}
	sort.Strings(out)
	return out
}
