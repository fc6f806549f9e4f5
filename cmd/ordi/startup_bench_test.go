package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup measures the release binary (built as the Dockerfile
// does) starting on an empty SQLite file, migrations included, until it
// listens; then its resident memory once idle (DESIGN §7: ≤ 1 s, ≤ 40 MB).
//
//	go test ./cmd/ordi -run '^$' -bench Startup -benchtime 5x
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "ordi")
	build := exec.Command("go", "build", "-trimpath", "-tags", "nomsgpack", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	var startups, rss []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "ordi.db")
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--database-url", db)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() && !strings.Contains(sc.Text(), "écoute sur") {
		}
		startups = append(startups, float64(time.Since(start).Milliseconds()))
		go func() {
			for sc.Scan() {
			}
		}()
		time.Sleep(2 * time.Second) // idle
		rss = append(rss, vmRSSMB(b, cmd.Process.Pid))
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
	b.ReportMetric(median(startups), "startup-ms")
	b.ReportMetric(median(rss), "idle-rss-MB")
}

func vmRSSMB(b *testing.B, pid int) float64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
