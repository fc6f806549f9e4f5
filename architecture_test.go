package ordi_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/ordi-app/ordi"

// imports returns, for every package directory of the module, the imports
// of its non-test Go files.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !slices.Contains(out[pkg], p) {
				out[pkg] = append(out[pkg], p)
			}
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}

// TestImportRules enforces the one-way dependencies of docs/architecture.md.
func TestImportRules(t *testing.T) {
	all := imports(t)
	if len(all) < 8 {
		t.Fatalf("found only %d packages: %v", len(all), all)
	}
	domain := []string{".", "account", "audit", "settings", "numbering", "inventory", "allocation", "aftercare", "labels", "certificates", "pdfdoc", "database", "migrations", "app", "notify", "outbox"}
	for pkg, imps := range all {
		top := strings.SplitN(pkg, "/", 2)[0]
		for _, imp := range imps {
			// Gin and net/http stay at the edge.
			if slices.Contains(domain, top) && hasPrefixAny(imp, "github.com/gin-gonic/gin", "net/http") {
				t.Errorf("%s imports %s: only web may speak HTTP", pkg, imp)
			}
			// The web layer never touches the database directly.
			if top == "web" && hasPrefixAny(imp, "gorm.io", module+"/database") {
				t.Errorf("web package %s imports %s: go through a domain service", pkg, imp)
			}
			// The wiring over a database (app) serves the commands only: the
			// web server gets its services through web.Config (web's tests
			// use app too, but test files are not read here).
			if hasPrefixAny(imp, module+"/app") && top != "cmd" {
				t.Errorf("%s imports %s: only cmd wires services over a database", pkg, imp)
			}
			// Nothing imports the edge.
			if hasPrefixAny(imp, module+"/web", module+"/cmd") && top != "web" && top != "cmd" {
				t.Errorf("%s imports %s", pkg, imp)
			}
			// Renderers are leaves: plain values in, PDF out.
			if (top == "labels" || top == "pdfdoc") && hasPrefixAny(imp, "gorm.io", module+"/database", module+"/inventory", module+"/allocation", module+"/account") {
				t.Errorf("renderer %s imports %s", pkg, imp)
			}
			// The shared error kinds import nothing of Ordi.
			if pkg == "." && strings.HasPrefix(imp, module) {
				t.Errorf("root package imports %s", imp)
			}
			// The workbench's probe is a client of the server, run on a
			// donated computer: it speaks HTTP and imports nothing of Ordi.
			if top == "probe" && strings.HasPrefix(imp, module) {
				t.Errorf("%s imports %s: the probe is a client, it knows the server by its API only", pkg, imp)
			}
			// Inventory does not know about families.
			if top == "inventory" && hasPrefixAny(imp, module+"/allocation", module+"/certificates") {
				t.Errorf("%s imports %s: inventory must not depend on allocation", pkg, imp)
			}
		}
	}
}
