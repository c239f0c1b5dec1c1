package architecture

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// crossingAllowed names the store types web may still hold, one line each with
// the reason; today none: every value web reads or renders is a domain type.
var crossingAllowed = map[string]bool{}

// exportData compiles web and everything it imports and returns where the
// compiler left each package's export data, so that web's files can be
// type-checked as the compiler sees them, without golang.org/x/tools.
func exportData(t *testing.T) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", module+"/internal/web")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	files := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), "\t"); ok && file != "" {
			files[path] = file
		}
	}
	return files
}

// storeValues type-checks one package's files and returns, sorted, one line per
// expression whose value is a store type or carries one (through pointers,
// slices, maps, or the exported fields of a domain type), with where it is.
func storeValues(fset *token.FileSet, files []*ast.File, exports map[string]string) ([]string, error) {
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	if _, err := conf.Check(module+"/internal/web", fset, files, info); err != nil {
		return nil, err
	}
	memo := map[types.Type]string{}
	seen := map[string]bool{}
	for e, tv := range info.Types {
		if tv.IsType() {
			continue
		}
		if name := storeTypeIn(tv.Type, memo); name != "" && !crossingAllowed[name] {
			pos := fset.Position(e.Pos())
			seen[fmt.Sprintf("%s:%d: a value of %s", filepath.Base(pos.Filename), pos.Line, name)] = true
		}
	}
	var out []string
	for line := range seen {
		out = append(out, line)
	}
	sort.Strings(out)
	return out, nil
}

// storeTypeIn names the store type t is or carries ("store.User", or
// "auth.View.Row store.User" for a field), or "" for none.
func storeTypeIn(t types.Type, memo map[types.Type]string) string {
	if name, ok := memo[t]; ok {
		return name
	}
	memo[t] = "" // a type that refers to itself carries nothing more through itself
	var name string
	switch u := types.Unalias(t).(type) {
	case *types.Pointer:
		name = storeTypeIn(u.Elem(), memo)
	case *types.Slice:
		name = storeTypeIn(u.Elem(), memo)
	case *types.Array:
		name = storeTypeIn(u.Elem(), memo)
	case *types.Map:
		if name = storeTypeIn(u.Key(), memo); name == "" {
			name = storeTypeIn(u.Elem(), memo)
		}
	case *types.Named:
		obj := u.Obj()
		switch {
		case obj.Pkg() == nil:
		case obj.Pkg().Path() == module+"/internal/store":
			name = "store." + obj.Name()
		case strings.HasPrefix(obj.Pkg().Path(), module+"/"):
			if inner := storeTypeIn(u.Underlying(), memo); inner != "" {
				name = obj.Pkg().Name() + "." + obj.Name() + inner
			}
		}
	case *types.Struct:
		for i := range u.NumFields() {
			if f := u.Field(i); f.Exported() {
				if inner := storeTypeIn(f.Type(), memo); inner != "" {
					name = "." + f.Name() + " " + inner
					break
				}
			}
		}
	}
	memo[t] = name
	return name
}

// TestArchitecture_NoStoreTypesInWeb: web imports no store (the import test),
// and it must not reach storage rows the long way either — a domain method
// returning *store.TrainingSession, or a domain view with a store field, would
// make every column a part of the pages and the API. Domain packages keep
// store types to themselves and hand web their own.
func TestArchitecture_NoStoreTypesInWeb(t *testing.T) {
	exports := exportData(t)
	pkgs := listPackages(t)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range pkgs {
		if p.ImportPath != module+"/internal/web" {
			continue
		}
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	if len(files) < 10 {
		t.Fatalf("found %d files of internal/web", len(files))
	}
	found, err := storeValues(fset, files, exports)
	if err != nil {
		t.Fatalf("type-check internal/web: %v", err)
	}
	for _, line := range found {
		t.Error(line)
	}
}

// The check must be able to fail: a made-up web file holding rows directly, in
// a slice, and inside a domain type's field is reported at each.
func TestArchitecture_StoreTypesInWebAreFound(t *testing.T) {
	exports := exportData(t)
	src := `package web

import (
	"context"

	"github.com/lectern-platform/lectern/internal/attempt"
	"github.com/lectern-platform/lectern/internal/store"
)

type page struct{ Rows []store.User }

func direct(db *store.DB) error { return db.Ping(context.Background()) }

func nested() int { var p page; return len(p.Rows) }

func clean(v attempt.PaperSession) string { return v.Date }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "made_up.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	found, err := storeValues(fset, []*ast.File{f}, exports)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"made_up.go:12: a value of store.DB",
		"made_up.go:14: a value of web.page.Rows store.User",
	} {
		if !slices.Contains(found, want) {
			t.Errorf("not reported: %q (found %q)", want, found)
		}
	}
	for _, line := range found {
		if strings.HasPrefix(line, "made_up.go:16:") {
			t.Errorf("a domain view without store fields reported: %q", line)
		}
	}
}
