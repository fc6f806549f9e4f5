package dbtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const childEnv = "ORDI_DBTEST_CHILD"

// TestDialectsSkipLine runs this test binary again, with and without
// PostgresEnv, asking for the dialects three times: without PostgreSQL the
// SKIP line is printed exactly once, with it never.
func TestDialectsSkipLine(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		for range 3 {
			Dialects()
		}
		return
	}
	for _, c := range []struct {
		dsn  string
		want int
	}{{"", 1}, {"postgres://nobody@127.0.0.1:1/none", 0}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDialectsSkipLine$", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"=1", PostgresEnv+"="+c.dsn)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		if got := strings.Count(string(out), "\n"+SkipLine+"\n"); got != c.want {
			t.Errorf("%s=%q: %d SKIP lines, want %d:\n%s", PostgresEnv, c.dsn, got, c.want, out)
		}
	}
}
