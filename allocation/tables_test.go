package allocation_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// foreignTables are the tables other packages own: account (partners,
// users…), inventory (units…), certificates, audit, settings, numbering.
var foreignTables = []string{"partners", "users", "api_tokens", "sessions", "login_attempts", "donors", "donations", "units",
	"erasures", "unit_events", "certificates", "audit_events", "settings", "sequences"}

// allowedReads are the other packages' tables allocation reads by name, as
// docs/architecture.md lists them: partners (a nomination's partner exists;
// its name in an export and on an attestation), users (a course's trainer),
// units (the ready units for matching; code, kind and model beside each
// reservation). Writes go through the owning package
// (inventory.MoveForAllocation, audit.Record, numbering.Next).
var allowedReads = []string{"partners", "users", "units"}

// TestReadsAcrossPackagesAreListed fails when allocation names another
// package's table in SQL where docs/architecture.md does not allow it, or
// writes one.
func TestReadsAcrossPackagesAreListed(t *testing.T) {
	names := strings.Join(foreignTables, "|")
	read := regexp.MustCompile(`(?i)^(` + names + `)$|\b(from|join)\s+(` + names + `)\b|\b(` + names + `)\.[a-z_]+`)
	write := regexp.MustCompile(`(?i)\b(update|insert\s+into|delete\s+from)\s+(` + names + `)\b`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if m := write.FindString(s); m != "" {
				t.Errorf("%s writes another package's table: %q", file, m)
			}
			for _, m := range read.FindAllStringSubmatch(s, -1) {
				table := strings.ToLower(m[1] + m[3] + m[4])
				if !slices.Contains(allowedReads, table) {
					t.Errorf("%s reads %s, which docs/architecture.md does not allow: %q", file, table, s)
				}
				if !slices.Contains(seen, table) {
					seen = append(seen, table)
				}
			}
			return true
		})
	}
	// The list stays true: every allowed read still exists.
	for _, table := range allowedReads {
		if !slices.Contains(seen, table) {
			t.Errorf("allocation no longer reads %s: remove it from the list and from docs/architecture.md", table)
		}
	}
}
