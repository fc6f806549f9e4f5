package ordi_test

import (
	"runtime/debug"
	"testing"

	"github.com/ordi-app/ordi"
)

func TestServeGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	for _, c := range []struct {
		gogc string
		want int
	}{{"", ordi.GCPercent}, {"150", 100}} {
		restore := ordi.ServeGC(func(k string) string {
			if k == "GOGC" {
				return c.gogc
			}
			return ""
		})
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("GOGC=%q: GC percent %d, want %d", c.gogc, got, c.want)
		}
		debug.SetGCPercent(c.want)
		restore()
		if got := debug.SetGCPercent(100); got != 100 {
			t.Errorf("GOGC=%q: restore left %d, want 100", c.gogc, got)
		}
	}
}
