//go:build unix

package reports

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used so far (SQLite runs
// inside it; PostgreSQL's server does not), for benchmarks on a shared
// machine, where wall-clock time also counts the other processes' turns.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
