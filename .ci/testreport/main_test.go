package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// fixtureRun runs go test -json on testdata/fixture, a module whose
// packages pass, skip (t.Skip and a SKIP line), fail, crash and do not
// compile, as the real go command reports them.
// The package that does not compile runs alone: beside it, go test may
// report the others as unbuilt too.
func fixtureRun(t *testing.T) []byte {
	t.Helper()
	var stream []byte
	for _, pkgs := range [][]string{{"./good", "./bad", "./crash"}, {"./broken"}} {
		cmd := exec.Command("go", append([]string{"test", "-json", "-count=1", "-bench", ".", "-benchtime", "1x"}, pkgs...)...)
		cmd.Dir = "testdata/fixture"
		cmd.Env = append(cmd.Environ(), "GOWORK=off", "GOFLAGS=")
		out, err := cmd.Output()
		if _, failed := err.(*exec.ExitError); err != nil && !failed {
			t.Fatalf("go test: %v", err)
		}
		stream = append(stream, out...)
	}
	return stream
}

// only keeps the events of the given packages.
func only(stream []byte, pkgs ...string) []byte {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(stream, []byte("\n")) {
		for _, p := range pkgs {
			if bytes.Contains(line, []byte(`"Package":"`+p+`"`)) {
				out.Write(line)
			}
		}
	}
	return out.Bytes()
}

func runReport(t *testing.T, stream []byte, allowed map[string]bool) (string, bool) {
	t.Helper()
	var out bytes.Buffer
	r := newReport(&out, allowed)
	if err := r.read(bytes.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	ok := r.summary()
	return out.String(), ok
}

func TestReport(t *testing.T) {
	stream := fixtureRun(t)

	t.Run("FailuresAndSkips", func(t *testing.T) {
		out, ok := runReport(t, stream, nil)
		if ok {
			t.Fatalf("a run with failures and skips succeeded:\n%s", out)
		}
		for _, want := range []string{
			"boom: the widget is broken",       // a failed test's output
			"panic: kaboom",                    // a crash
			"about to crash",                   // the crashed test's own log
			"declared and not used",            // a build failure
			"BenchmarkOnce-2", "42.00 answers", // a benchmark's figures
			"UNEXPECTED fixture/good TestSkipped: good_test.go:12: no camera here",
			"UNEXPECTED fixture/good PostgreSQL: ORDI_TEST_POSTGRES_DSN is not set",
			"Failed packages:", "fixture/bad", "fixture/crash", "fixture/broken",
			"\n5 passed, 2 failed, 2 skipped\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("UnexpectedSkipAlone", func(t *testing.T) {
		out, ok := runReport(t, only(stream, "fixture/good"), map[string]bool{"fixture/good TestSkipped": true})
		if ok || !strings.Contains(out, "1 unexpected skips") || !strings.Contains(out, "UNEXPECTED fixture/good PostgreSQL") {
			t.Fatalf("a SKIP line outside the allow-list passed:\n%s", out)
		}
		out, ok = runReport(t, only(stream, "fixture/good"), map[string]bool{"fixture/good PostgreSQL": true})
		if ok || !strings.Contains(out, "UNEXPECTED fixture/good TestSkipped") {
			t.Fatalf("a skipped test outside the allow-list passed:\n%s", out)
		}
	})
	t.Run("AllowedSkips", func(t *testing.T) {
		out, ok := runReport(t, only(stream, "fixture/good"), map[string]bool{"fixture/good TestSkipped": true, "fixture/good PostgreSQL": true})
		if !ok || !strings.Contains(out, "\n4 passed, 0 failed, 2 skipped\n") || strings.Contains(out, "UNEXPECTED") {
			t.Fatalf("a clean run with allowed skips failed:\n%s", out)
		}
	})
	t.Run("NothingRan", func(t *testing.T) {
		out, ok := runReport(t, nil, nil)
		if ok || !strings.Contains(out, "no test ran") {
			t.Fatalf("an empty run succeeded:\n%s", out)
		}
	})
}

// TestBenchmarkLineInPieces counts a benchmark's result line that test2json
// sent in pieces, credited to the benchmark or to the package, as it does
// by turns (the name is written before the benchmark runs, the figures after).
func TestBenchmarkLineInPieces(t *testing.T) {
	event := func(test, output string) string {
		return `{"Action":"output","Package":"p","Test":"` + test + `","Output":"` + output + `"}` + "\n"
	}
	for name, stream := range map[string]string{
		"whole":           event("BenchmarkOnce", `BenchmarkOnce-2   \t       1\t      2425 ns/op\n`),
		"to the package":  event("", `BenchmarkOnce-2   \t       1\t      2425 ns/op\n`),
		"in two pieces":   event("BenchmarkOnce", `BenchmarkOnce-2   \t`) + event("", `       1\t      2425 ns/op\t        42.00 answers\n`),
		"in three pieces": event("", `Bench`) + event("BenchmarkOnce", `markOnce-2   \t`) + event("BenchmarkOnce", `1\t2425 ns/op\n`),
	} {
		if out, ok := runReport(t, []byte(stream), nil); !ok || !strings.Contains(out, "\n1 passed, 0 failed, 0 skipped\n") {
			t.Errorf("%s: not counted as one benchmark:\n%s", name, out)
		}
	}
}

func TestReadAllowList(t *testing.T) {
	got, err := readAllowList(strings.NewReader("# why each is allowed\n\nexample.org/p TestX/sub # no GPU\n"))
	if err != nil || len(got) != 1 || !got["example.org/p TestX/sub"] {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := readAllowList(strings.NewReader("example.org/p\n")); err == nil {
		t.Fatal("a line without a name was accepted")
	}
}

// TestBenchmarksOnly checks a benchmark-only run (go test -run '^$' -bench):
// benchmarks have no pass event, yet the run is not empty.
func TestBenchmarksOnly(t *testing.T) {
	cmd := exec.Command("go", "test", "-json", "-count=1", "-run", "^$", "-bench", ".", "-benchtime", "1x", "./good")
	cmd.Dir = "testdata/fixture"
	cmd.Env = append(cmd.Environ(), "GOWORK=off", "GOFLAGS=")
	stream, err := cmd.Output()
	if err != nil {
		t.Fatalf("go test: %v\n%s", err, stream)
	}
	out, ok := runReport(t, stream, nil)
	if !ok || !strings.Contains(out, "\n1 passed, 0 failed, 0 skipped\n") {
		t.Fatalf("a benchmark run was not a success of one:\n%s", out)
	}
}
