package ordi

import "runtime/debug"

// GCPercent is the garbage collector's growth target `ordi serve` runs with
// unless GOGC is set. The server's live heap is small (about 10 MB under
// load), so with Go's default of 100 it collects every few megabytes of
// requests or label codes; at 400 it collects a quarter as often for a few
// tens of megabytes more at peak (docs/decisions.md).
const GCPercent = 400

// ServeGC sets the collector to GCPercent unless GOGC (read through getenv)
// chooses otherwise, and returns what undoes it. `ordi serve` calls it at
// start-up; the benchmarks and load harnesses call it too, so that they
// measure what production runs.
func ServeGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}
