package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/numbering"
)

// takeNumbers takes n numbers of series in the database at rawURL and
// returns the last.
func takeNumbers(t *testing.T, rawURL, series string, n int) (int, error) {
	t.Helper()
	db, err := database.Open(context.Background(), rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	last := 0
	for range n {
		err := db.Transaction(func(tx *gorm.DB) error {
			var err error
			last, err = numbering.Next(tx, series, time.Now().Year())
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return last, nil
}

// TestBackupAndRestore follows the README: a copy made by `ordi backup`
// while the workshop goes on issuing numbers, then restored, numbers
// nothing until `ordi numbering advance`, and after it never gives again a
// number the lost database issued.
func TestBackupAndRestore(t *testing.T) {
	live := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, database.SQLite)}
	if _, _, err := runCmd(t, live, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	takeNumbers(t, live["ORDI_DATABASE_URL"], "REM", 3)
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	if out, _, err := runCmd(t, live, "", "backup", "--to", copyPath); err != nil || !strings.Contains(out, "numbering advance") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, live, "", "backup", "--to", copyPath); err == nil || !strings.Contains(errorLine(err), "existe déjà") {
		t.Fatalf("backup over an existing file: %v", err)
	}
	// The workshop goes on: REM 4 to 7 are printed, then the disk dies.
	if last, err := takeNumbers(t, live["ORDI_DATABASE_URL"], "REM", 4); err != nil || last != 7 {
		t.Fatalf("live database after the backup: %d, %v", last, err)
	}

	restored := map[string]string{"ORDI_DATABASE_URL": copyPath}
	if _, err := takeNumbers(t, copyPath, "REM", 1); !errors.Is(err, numbering.ErrHeld) {
		t.Fatalf("restored copy before advance: %v, want ErrHeld", err)
	}
	if out, _, err := runCmd(t, restored, "", "numbering", "status"); err != nil || !strings.Contains(out, "suspendue") {
		t.Fatalf("numbering status on the restored copy: %v\n%s", err, out)
	}
	s := startServer(t, restored)
	pollUntil(t, 5*time.Second, "serve warns that numbering is held", func() bool {
		return strings.Contains(s.stderr.String(), "numérotation suspendue")
	})
	if err := s.shutdown(t); err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	out, _, err := runCmd(t, restored, "", "numbering", "advance", "--gap", "50")
	if err != nil || !strings.Contains(out, fmt.Sprintf("REM-%d-0054", year)) || !strings.Contains(out, "nouvelle sauvegarde") {
		t.Fatalf("numbering advance: %v\n%s\nwant REM-%d-0054 next", err, out, year)
	}
	if last, err := takeNumbers(t, copyPath, "REM", 1); err != nil || last != 54 {
		t.Fatalf("restored copy after advance: %d, %v; want 54, past the lost 4 to 7", last, err)
	}
}

// TestNumberingAdvance declares a restore without a marker (a PostgreSQL
// dump, a copied file) on both engines.
func TestNumberingAdvance(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"ORDI_DATABASE_URL": dbtest.URL(t, d)}
			if _, _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			takeNumbers(t, vars["ORDI_DATABASE_URL"], "F", 2)
			out, _, err := runCmd(t, vars, "", "numbering", "advance")
			want := numbering.Format("F", time.Now().Year(), 2+1+numbering.DefaultGap)
			if err != nil || !strings.Contains(out, want) || !strings.Contains(out, "active") {
				t.Fatalf("numbering advance: %v\n%s\nwant %s next", err, out, want)
			}
			for _, args := range [][]string{{"numbering"}, {"numbering", "sideways"}, {"numbering", "advance", "--gap", "-1"}} {
				if _, _, err := runCmd(t, vars, "", args...); err == nil || strings.Contains(errorLine(err), "\n") {
					t.Errorf("%v: %v, want a one-line refusal", args, err)
				}
			}
			if d == database.Postgres {
				if _, _, err := runCmd(t, vars, "", "backup", "--to", filepath.Join(t.TempDir(), "x.db")); err == nil || !strings.Contains(errorLine(err), "pg_dump") {
					t.Errorf("backup on PostgreSQL: %v, want a pointer to pg_dump", err)
				}
			}
		})
	}
	for _, args := range [][]string{{"backup", "--help"}, {"numbering", "--help"}, {"numbering", "advance", "--help"}, {"numbering", "status", "--help"}} {
		if out, _, err := runCmd(t, nil, "", args...); err != nil || !strings.Contains(out, "ordi") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
}
