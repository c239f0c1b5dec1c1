package architecture

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/lectern-platform/lectern"

// layer is what a package is for; the table below says which layers it may import.
type layer string

const (
	layerCmd    layer = "cmd"    // main packages: flags, subcommands, wiring
	layerWeb    layer = "web"    // HTTP: routes, handlers, templates
	layerDomain layer = "domain" // the rules: auth, schedule, attempt, certify, mail, …
	layerStore  layer = "store"  // GORM models, queries, migrations
	layerLeaf   layer = "leaf"   // pure helpers and embedded files: no rules, no database
)

// allowed is the direction table. Only non-test code counts: tests in web may
// import store to arrange data (a test is not a shortcut users can take), and
// test packages of a domain may import each other's helpers.
var allowed = map[layer][]layer{
	layerCmd:    {layerWeb, layerDomain, layerStore, layerLeaf},
	layerWeb:    {layerDomain, layerLeaf}, // never store: web talks to domain services
	layerDomain: {layerDomain, layerStore, layerLeaf},
	layerStore:  {layerLeaf},
	layerLeaf:   {layerLeaf},
}

// leaves are the packages that know neither the database nor any rule.
var leaves = []string{
	"courses", "deploy", "static", "templates",
	"internal/apperr", "internal/course", "internal/csvx", "internal/i18n",
	"internal/ical", "internal/keyfile", "internal/metrics", "internal/qrcode",
	"internal/quiz", "internal/secrets", "internal/typeset",
}

// layerOf places a package. Any other internal package is domain until the table
// says otherwise: a new package is held to the domain's rules from its first
// commit (no web, no cmd; store may not import it).
func layerOf(rel string) layer {
	switch {
	case strings.HasPrefix(rel, "cmd/"):
		return layerCmd
	case rel == "internal/web" || strings.HasPrefix(rel, "internal/web/"):
		return layerWeb
	case rel == "internal/store" || strings.HasPrefix(rel, "internal/store/"):
		return layerStore
	case slices.Contains(leaves, rel):
		return layerLeaf
	}
	return layerDomain
}

// onlyIn names third-party packages that one layer keeps to itself.
var onlyIn = map[string][]layer{
	"gorm.io/":                    {layerStore},
	"github.com/labstack/echo/v4": {layerWeb, layerCmd},
}

type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string // non-test files only
	Imports    []string
	Error      *struct{ Err string }
}

// exceptions are imports allowed for now, file by file ("internal/web/x.go
// imports internal/store"). None are left: web.New takes the App (internal/app)
// since issue 20 item 2, and no file of web imports store.
var exceptions = map[string]bool{}

// listPackages runs go list on the whole module: what the compiler sees, not
// what a grep of import lines would guess.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Dir,GoFiles,Imports,Error", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; is the test running inside the module?", len(pkgs))
	}
	return pkgs
}

// violations returns one line per import that runs the wrong way, sorted.
func violations(pkgs []pkg) []string {
	var bad []string
	for _, p := range pkgs {
		if p.Error != nil {
			bad = append(bad, fmt.Sprintf("%s: %s", p.ImportPath, p.Error.Err))
			continue
		}
		from, ok := strings.CutPrefix(p.ImportPath, module+"/")
		if !ok {
			continue
		}
		fl := layerOf(from)
		for _, imp := range p.Imports {
			if to, ours := strings.CutPrefix(imp, module+"/"); ours {
				if tl := layerOf(to); !slices.Contains(allowed[fl], tl) {
					for _, file := range importingFiles(p, imp) {
						if !exceptions[file+" imports "+to] {
							bad = append(bad, fmt.Sprintf("%s (%s) imports %s (%s)", file, fl, to, tl))
						}
					}
				}
				continue
			}
			for prefix, layers := range onlyIn {
				if strings.HasPrefix(imp, prefix) && !slices.Contains(layers, fl) {
					bad = append(bad, fmt.Sprintf("%s (%s) imports %s, kept to %v", from, fl, imp, layers))
				}
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// importingFiles names the package's non-test files that import imp, relative to
// the module; the package's own path when its files cannot be read (a test's
// made-up graph).
func importingFiles(p pkg, imp string) []string {
	rel := strings.TrimPrefix(p.ImportPath, module+"/")
	var files []string
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
		if err != nil {
			return []string{rel}
		}
		for _, spec := range f.Imports {
			if path, _ := strconv.Unquote(spec.Path.Value); path == imp {
				files = append(files, rel+"/"+name)
			}
		}
	}
	if len(files) == 0 {
		return []string{rel}
	}
	return files
}

// cycles returns each import cycle among the module's packages once, as a path.
// The compiler refuses cycles too; this names them when go list -e lets one through.
func cycles(pkgs []pkg) []string {
	graph := map[string][]string{}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module+"/") {
				graph[p.ImportPath] = append(graph[p.ImportPath], imp)
			}
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path, found []string
	var visit func(string)
	visit = func(n string) {
		state[n] = onPath
		path = append(path, n)
		for _, m := range graph[n] {
			switch state[m] {
			case unseen:
				visit(m)
			case onPath:
				i := slices.Index(path, m)
				found = append(found, strings.Join(append(slices.Clone(path[i:]), m), " → "))
			}
		}
		path = path[:len(path)-1]
		state[n] = done
	}
	var names []string
	for n := range graph {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if state[n] == unseen {
			visit(n)
		}
	}
	return found
}

func TestArchitecture_ImportDirection(t *testing.T) {
	pkgs := listPackages(t)
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
	for _, c := range cycles(pkgs) {
		t.Errorf("import cycle: %s", c)
	}
}

// The checks themselves must be able to fail: each rule is fed a graph that
// breaks it.
func TestArchitecture_RulesCatchWrongImports(t *testing.T) {
	p := func(from string, imports ...string) pkg {
		var full []string
		for _, i := range imports {
			if strings.Contains(i, ".") {
				full = append(full, i)
			} else {
				full = append(full, module+"/"+i)
			}
		}
		return pkg{ImportPath: module + "/" + from, Imports: full}
	}
	for _, tc := range []struct {
		name string
		pkgs []pkg
		want string
	}{
		{"web imports store", []pkg{p("internal/web", "internal/store")}, "internal/web (web) imports internal/store (store)"},
		{"domain imports web", []pkg{p("internal/certify", "internal/web")}, "internal/certify (domain) imports internal/web (web)"},
		{"domain imports cmd", []pkg{p("internal/auth", "cmd/lectern")}, "internal/auth (domain) imports cmd/lectern (cmd)"},
		{"new package counts as domain", []pkg{p("internal/paper", "internal/web")}, "internal/paper (domain) imports internal/web (web)"},
		{"store imports domain", []pkg{p("internal/store", "internal/auth")}, "internal/store (store) imports internal/auth (domain)"},
		{"leaf imports store", []pkg{p("internal/quiz", "internal/store")}, "internal/quiz (leaf) imports internal/store (store)"},
		{"gorm outside store", []pkg{p("internal/schedule", "gorm.io/gorm")}, "internal/schedule (domain) imports gorm.io/gorm"},
		{"echo in a domain", []pkg{p("internal/mail", "github.com/labstack/echo/v4")}, "internal/mail (domain) imports github.com/labstack/echo/v4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(tc.pkgs)
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("violations = %q, want one starting %q", got, tc.want)
			}
		})
	}
	t.Run("allowed imports pass", func(t *testing.T) {
		ok := []pkg{
			p("cmd/lectern", "internal/web", "internal/store", "github.com/labstack/echo/v4"),
			p("internal/web", "internal/auth", "internal/course", "github.com/labstack/echo/v4"),
			p("internal/auth", "internal/store", "internal/apperr"),
			p("internal/store", "gorm.io/gorm"),
		}
		if got := violations(ok); len(got) != 0 {
			t.Errorf("violations = %q, want none", got)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		got := cycles([]pkg{p("internal/a", "internal/b"), p("internal/b", "internal/c"), p("internal/c", "internal/a")})
		want := module + "/internal/a → " + module + "/internal/b → " + module + "/internal/c → " + module + "/internal/a"
		if len(got) != 1 || got[0] != want {
			t.Errorf("cycles = %q, want [%q]", got, want)
		}
	})
}
