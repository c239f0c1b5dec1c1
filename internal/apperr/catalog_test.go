package apperr_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lectern-platform/lectern/internal/apperr"
	"github.com/lectern-platform/lectern/internal/i18n"
)

const (
	module     = "github.com/lectern-platform/lectern"
	apperrPath = module + "/internal/apperr"
)

// idArg says which argument of each apperr function or method is the message
// id; the key/value arguments follow it.
var idArg = map[string]int{
	"NotFound": 0, "Conflict": 0, "Unauthorized": 0, "Forbidden": 0,
	"TooMany": 1, "Invalid": 1, "Add": 1, "WithField": 1, "Message": 0,
}

// noMessage are the ids that may be empty, one line each with the reason: the
// per-address rate limit's 429 has no message of its own (the status's is shown).
var noMessage = map[string]bool{"internal/web/ratelimit.go": true}

// use is one message id found in the source, with the keys its call site gives.
type use struct {
	id   string
	keys []string // nil when the key/value pairs are not literal (kv...)
	pos  string
}

// listed is one package of the module, with its export data and files.
type listed struct {
	path, dir string
	files     []string
	importsIt bool
}

// moduleExports compiles the module and returns where the compiler left each
// package's export data, and the module's own packages, so their files can be
// type-checked as the compiler sees them (as internal/architecture does).
func moduleExports(t *testing.T) (map[string]string, []listed) {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-f",
		"{{.ImportPath}}\t{{.Export}}\t{{.Dir}}\t{{join .GoFiles \",\"}}\t{{join .Imports \",\"}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	var own []listed
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 {
			continue
		}
		if f[1] != "" {
			exports[f[0]] = f[1]
		}
		if strings.HasPrefix(f[0], module+"/") && f[0] != apperrPath && f[3] != "" {
			own = append(own, listed{path: f[0], dir: f[2], files: strings.Split(f[3], ","),
				importsIt: slices.Contains(strings.Split(f[4], ","), apperrPath)})
		}
	}
	if len(own) < 10 {
		t.Fatalf("go list found %d packages; is the test running inside the module?", len(own))
	}
	return exports, own
}

// messageUses type-checks one package and returns every message id its non-test
// code gives apperr, and one line per id that is not a string literal.
func messageUses(fset *token.FileSet, p listed, exports map[string]string) ([]use, []string, error) {
	var files []*ast.File
	for _, name := range p.files {
		f, err := parser.ParseFile(fset, filepath.Join(p.dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	if _, err := conf.Check(p.path, fset, files, info); err != nil {
		return nil, nil, err
	}
	var uses []use
	var bad []string
	where := func(n ast.Node) string {
		pos := fset.Position(n.Pos())
		return fmt.Sprintf("%s/%s:%d", strings.TrimPrefix(p.path, module+"/"), filepath.Base(pos.Filename), pos.Line)
	}
	literal := func(e ast.Expr) (string, bool) {
		tv := info.Types[e]
		if _, isLit := ast.Unparen(e).(*ast.BasicLit); !isLit || tv.Value == nil || tv.Value.Kind() != constant.String {
			return "", false
		}
		return constant.StringVal(tv.Value), true
	}
	keysOf := func(kv []ast.Expr, spread bool) []string {
		if spread {
			return nil
		}
		keys := []string{}
		for i := 0; i < len(kv); i += 2 {
			k, ok := literal(kv[i])
			if !ok {
				k = "?" // reported as a key no message has
			}
			keys = append(keys, k)
		}
		if len(kv)%2 != 0 {
			keys = append(keys, "?odd")
		}
		return keys
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				var id *ast.Ident
				switch fun := n.Fun.(type) {
				case *ast.SelectorExpr:
					id = fun.Sel
				case *ast.Ident:
					id = fun
				}
				fn, ok := info.Uses[id].(*types.Func)
				if id == nil || !ok || fn.Pkg() == nil || fn.Pkg().Path() != apperrPath {
					return true
				}
				i, ok := idArg[fn.Name()]
				if !ok || len(n.Args) <= i {
					return true
				}
				s, ok := literal(n.Args[i])
				file := strings.TrimPrefix(p.path, module+"/") + "/" + filepath.Base(fset.Position(n.Pos()).Filename)
				switch {
				case !ok:
					bad = append(bad, where(n)+": the message id given to apperr."+fn.Name()+" is not a string literal")
				case s == "" && noMessage[file]:
				case fn.Name() == "NotFound":
					uses = append(uses, use{id: "err.not_found." + s, keys: []string{}, pos: where(n)})
				default:
					uses = append(uses, use{id: s, keys: keysOf(n.Args[i+1:], n.Ellipsis.IsValid()), pos: where(n)})
				}
			case *ast.CompositeLit:
				if named, ok := info.Types[n].Type.(*types.Named); !ok || named.Obj().Pkg() == nil ||
					named.Obj().Pkg().Path() != apperrPath || named.Obj().Name() != "Msg" {
					return true
				}
				u := use{keys: []string{}, pos: where(n)}
				hasID := false
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						bad = append(bad, where(n)+": an apperr.Msg without field names")
						return true
					}
					switch kv.Key.(*ast.Ident).Name {
					case "ID":
						s, ok := literal(kv.Value)
						if !ok {
							bad = append(bad, where(n)+": an apperr.Msg's ID is not a string literal")
							return true
						}
						u.id, hasID = s, true
					case "Args":
						if args, ok := kv.Value.(*ast.CompositeLit); ok {
							u.keys = keysOf(args.Elts, false)
						} else {
							u.keys = nil
						}
					}
				}
				if hasID {
					uses = append(uses, u)
				}
			}
			return true
		})
	}
	return uses, bad, nil
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// englishErrors reads errors.en.json: each id with the placeholders of all its
// forms, and Count for a plural message (which picks the form by it, whether
// it prints it or not).
func englishErrors(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("../i18n/locales/errors.en.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("errors.en.json: %v", err)
	}
	out := map[string][]string{}
	for id, v := range raw {
		var text string
		if json.Unmarshal(v, &text) != nil {
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				t.Fatalf("errors.en.json: %s is neither a string nor plural forms: %v", id, err)
			}
			for _, f := range forms {
				text += f + " "
			}
			text += "{{.Count}}"
		}
		names := []string{}
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
		sort.Strings(names)
		out[id] = names
	}
	return out
}

// TestCatalog_EveryMessageIDIsInTheEnglishCatalogue scans the module's non-test
// code for the message ids given to apperr (its constructors, Fields.Add,
// WithField, and apperr.Msg literals): each must be a string literal, be in
// errors.en.json, and give exactly the placeholders its English text has; and
// every id of errors.en.json must be used somewhere.
func TestCatalog_EveryMessageIDIsInTheEnglishCatalogue(t *testing.T) {
	english := englishErrors(t)
	exports, pkgs := moduleExports(t)
	fset := token.NewFileSet()
	used := map[string]bool{"err.fields_invalid": true} // apperr's own: Fields.Err
	var problems []string
	for _, p := range pkgs {
		if !p.importsIt {
			continue
		}
		uses, bad, err := messageUses(fset, p, exports)
		if err != nil {
			t.Fatalf("type-check %s: %v", p.path, err)
		}
		problems = append(problems, bad...)
		for _, u := range uses {
			used[u.id] = true
			want, ok := english[u.id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %s is not in errors.en.json", u.pos, u.id))
				continue
			}
			if u.keys == nil {
				continue
			}
			got := slices.Clone(u.keys)
			sort.Strings(got)
			if !slices.Equal(slices.Compact(got), want) {
				problems = append(problems, fmt.Sprintf("%s: %s gets %v, its English text has %v", u.pos, u.id, got, want))
			}
		}
	}
	for id := range english {
		if !used[id] {
			problems = append(problems, "errors.en.json: "+id+" is used nowhere")
		}
	}
	if len(used) < 100 {
		t.Errorf("found %d message ids in the source; is the scan looking at the right calls?", len(used))
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCatalog_ScanFindsWrongIDs runs the scan on a made-up package: a missing
// id, a variable id, and a placeholder the call does not fill are each found.
func TestCatalog_ScanFindsWrongIDs(t *testing.T) {
	exports, _ := moduleExports(t)
	dir := t.TempDir()
	src := `package fake

import "github.com/lectern-platform/lectern/internal/apperr"

func f(id string) []error {
	var fs apperr.Fields
	fs.Add("x", "err.fake.missing")
	return []error{apperr.Conflict(id), apperr.Invalid("y", "err.field.ids_limit"), fs.Err(),
		apperr.NotFound("session"), &apperr.Error{Msg: apperr.Msg{ID: "err.csv.empty"}}}
}
`
	if err := os.WriteFile(filepath.Join(dir, "fake.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	uses, bad, err := messageUses(token.NewFileSet(), listed{path: module + "/internal/fake", dir: dir, files: []string{"fake.go"}}, exports)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range uses {
		ids = append(ids, fmt.Sprintf("%s%v", u.id, u.keys))
	}
	sort.Strings(ids)
	want := []string{"err.csv.empty[]", "err.fake.missing[]", "err.field.ids_limit[]", "err.not_found.session[]"}
	if !slices.Equal(ids, want) {
		t.Errorf("uses = %v, want %v", ids, want)
	}
	if len(bad) != 1 || !strings.Contains(bad[0], "apperr.Conflict is not a string literal") {
		t.Errorf("non-literal ids = %v, want the Conflict(id)", bad)
	}
	english := englishErrors(t)
	if _, ok := english["err.fake.missing"]; ok {
		t.Fatal("err.fake.missing is in the catalogue")
	}
	if got := english["err.field.ids_limit"]; !slices.Equal(got, []string{"Limit"}) {
		t.Errorf("err.field.ids_limit's placeholders = %v, want [Limit] (the scan compares them with the call's keys)", got)
	}
}

// TestMsg_Rendering: Error() reads English from the catalogue, a nested message
// is localised with its parent, and ArgMap gives a nested message with its own
// arguments.
func TestMsg_Rendering(t *testing.T) {
	err := apperr.Invalid("capacity", "err.session.capacity_below_enrolled", "Count", 3)
	if got, want := err.Error(), "invalid: some fields are not valid (capacity: 3 officers are enrolled; unenrol some before lowering the capacity)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := apperr.NotFound("session").Error(), "not_found: session not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	inner := apperr.Msg{ID: "err.paper.one_letter", Args: []any{"Number", 4}}
	outer := apperr.Msg{ID: "err.paper.question_problem", Args: []any{"Number", 4, "Problem", inner}}
	if got, want := outer.In(i18n.English()), "question 4: question 4 takes one letter"; got != want {
		t.Errorf("nested = %q, want %q", got, want)
	}
	want := map[string]any{"Number": 4, "Problem": map[string]any{"id": "err.paper.one_letter", "args": map[string]any{"Number": 4}}}
	if got := outer.ArgMap(); !reflect.DeepEqual(got, want) {
		t.Errorf("ArgMap = %v, want %v", got, want)
	}
	// Without arguments of its own, a nested message is its id alone; nested
	// twice, each level keeps its own.
	bare := apperr.Msg{ID: "err.paper.question_problem", Args: []any{"Number", 2, "Problem", apperr.Msg{ID: "err.answer.too_long"}}}
	if got, want := bare.ArgMap(), map[string]any{"Number": 2, "Problem": map[string]any{"id": "err.answer.too_long"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ArgMap = %v, want %v", got, want)
	}
	deep := apperr.Msg{ID: "a", Args: []any{"X", apperr.Msg{ID: "b", Args: []any{"Y", apperr.Msg{ID: "c", Args: []any{"Z", "z"}}}}}}
	if got, want := deep.ArgMap(), map[string]any{"X": map[string]any{"id": "b", "args": map[string]any{"Y": map[string]any{"id": "c", "args": map[string]any{"Z": "z"}}}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ArgMap = %v, want %v", got, want)
	}
}
