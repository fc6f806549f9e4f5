// Command testreport reads `go test -json` on standard input, prints what a
// person needs (failures with their output, one line per package, benchmark
// results, every skip with its reason) and exits non-zero when a test or a
// build failed, when nothing ran, or when anything was skipped that the
// allow-list does not name.
//
// A skip is a skipped test or benchmark, or a line "SKIP: WHAT: WHY" printed
// by a test (database/dbtest prints one when PostgreSQL is not configured).
// The allow-list holds one "PACKAGE NAME" per line, NAME being the skipped
// test's full name (TestX/sub) or the WHAT of a SKIP line; # starts a comment.
//
//	go test -json ./... 2>&1 | go run ./.ci/testreport -allow .ci/skips-allowed
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
)

func main() {
	allowFile := flag.String("allow", "", "file listing the skips that are expected (PACKAGE NAME per line)")
	flag.Parse()
	allowed := map[string]bool{}
	if *allowFile != "" {
		f, err := os.Open(*allowFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
		allowed, err = readAllowList(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			os.Exit(2)
		}
	}
	r := newReport(os.Stdout, allowed)
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	if !r.summary() {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build events (go 1.24+) name the package here
	Test       string
	Output     string
}

// benchResult matches a benchmark's result line: name, iterations, ns/op.
var benchResult = regexp.MustCompile(`^Benchmark\S*\s+\d+\s+[0-9.]+ ns/op`)

// skip is one skipped test, benchmark or SKIP line.
type skip struct {
	pkg, name, reason string
}

func (s skip) key() string { return s.pkg + " " + s.name }

// report accumulates the events of one run.
type report struct {
	w       io.Writer
	allowed map[string]bool

	output         map[string][]string // (package, test) → output lines, until the test ends
	partial        map[string]string   // package → its output's last, unfinished line
	passed, failed int
	failedPackages []string
	skips          []skip
}

func newReport(w io.Writer, allowed map[string]bool) *report {
	return &report{w: w, allowed: allowed, output: map[string][]string{}, partial: map[string]string{}}
}

// readAllowList reads "PACKAGE NAME" lines, ignoring blank lines and comments.
func readAllowList(r io.Reader) (map[string]bool, error) {
	out := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		switch len(f) {
		case 0:
			continue
		case 2:
			out[f[0]+" "+f[1]] = true
		default:
			return nil, fmt.Errorf("allow-list line %d: want PACKAGE NAME, got %q", n, sc.Text())
		}
	}
	return out, sc.Err()
}

// read consumes the stream. Lines that are not JSON (the go command's own
// messages) are printed as they come; a failure among them also makes go
// test exit non-zero, which the caller checks.
func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(r.w, "%s\n", line)
			continue
		}
		r.event(e)
	}
	return sc.Err()
}

func (r *report) event(e event) {
	if e.Package == "" {
		e.Package = e.ImportPath
	}
	key := e.Package + "\x00" + e.Test
	switch e.Action {
	case "output", "build-output":
		r.lines(e.Package, e.Output)
		switch {
		case e.Test == "":
			// Package-level lines: "ok  pkg 1.2s", "FAIL pkg", benchmark headers.
			if e.Output != "PASS\n" {
				fmt.Fprint(r.w, e.Output)
			}
		case strings.HasPrefix(e.Test, "Benchmark") && !strings.HasPrefix(e.Output, "=== ") && !strings.HasPrefix(e.Output, "--- "):
			// A benchmark's result line is its figure: show it.
			fmt.Fprint(r.w, e.Output)
		default:
			r.output[key] = append(r.output[key], e.Output)
		}
	case "pass":
		if e.Test != "" {
			r.passed++
		}
		delete(r.output, key)
	case "fail":
		if e.Test == "" {
			r.failedPackages = append(r.failedPackages, e.Package)
			// Tests cut short by a crash or a timeout never end: show them.
			prefix := e.Package + "\x00"
			for _, k := range slices.Sorted(maps.Keys(r.output)) {
				if strings.HasPrefix(k, prefix) && k != prefix {
					fmt.Fprint(r.w, strings.Join(r.output[k], ""))
					delete(r.output, k)
				}
			}
			break
		}
		r.failed++
		fmt.Fprint(r.w, strings.Join(r.output[key], ""))
		delete(r.output, key)
	case "skip":
		if e.Test != "" {
			r.skips = append(r.skips, skip{e.Package, e.Test, skipReason(r.output[key])})
		}
		delete(r.output, key)
	}
}

// lines reads a package's output as whole lines: test2json sends a line in
// pieces when it is written in pieces (a benchmark's name, then its result),
// and may credit the pieces to different tests.
func (r *report) lines(pkg, output string) {
	text := r.partial[pkg] + output
	for {
		line, rest, complete := strings.Cut(text, "\n")
		if !complete {
			r.partial[pkg] = text
			return
		}
		text = rest
		if s, ok := strings.CutPrefix(line, "SKIP: "); ok {
			what, why, _ := strings.Cut(s, ": ")
			r.skips = append(r.skips, skip{pkg, what, why})
		}
		// A passing benchmark has no "pass" event: its result line is its success.
		if benchResult.MatchString(line) {
			r.passed++
		}
	}
}

// skipReason keeps the message of t.Skip from a skipped test's output.
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		msg = append(msg, l)
	}
	return strings.Join(msg, " ")
}

// summary prints the skips and the closing counts, and reports whether the
// run is a success.
func (r *report) summary() bool {
	ok := len(r.failedPackages) == 0 && r.failed == 0
	unexpected := 0
	if len(r.skips) > 0 {
		fmt.Fprintln(r.w, "\nSkipped:")
		for _, s := range r.skips {
			mark := "UNEXPECTED"
			if r.allowed[s.key()] {
				mark = "allowed"
			} else {
				unexpected++
			}
			fmt.Fprintf(r.w, "  %-10s %s %s: %s\n", mark, s.pkg, s.name, s.reason)
		}
	}
	if len(r.failedPackages) > 0 {
		fmt.Fprintf(r.w, "\nFailed packages: %s\n", strings.Join(r.failedPackages, " "))
	}
	if unexpected > 0 {
		fmt.Fprintf(r.w, "\n%d unexpected skips: make them run, or list them in the allow-list with a reason\n", unexpected)
		ok = false
	}
	if r.passed == 0 && r.failed == 0 {
		fmt.Fprintln(r.w, "\nno test ran")
		ok = false
	}
	fmt.Fprintf(r.w, "\n%d passed, %d failed, %d skipped\n", r.passed, r.failed, len(r.skips))
	return ok
}
