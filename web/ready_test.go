package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
)

// TestReadyzDeadline checks that /readyz answers 503 with Retry-After within
// its deadline when the readiness check hangs, whether or not the check
// honours its context; and that it passes on the check's reason.
func TestReadyzDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	for name, tc := range map[string]struct {
		ready  func(context.Context) error
		detail string
		retry  string
	}{
		"honours its context": {ready: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
			detail: "La base de données", retry: "5"},
		"ignores its context": {ready: func(context.Context) error { <-release; return nil },
			detail: "ne répond pas", retry: "5"},
		"says why": {ready: func(context.Context) error {
			return &ordi.Error{Kind: ordi.Unavailable, Message: "Le disque de la base de données est plein.", RetryAfter: time.Minute}
		}, detail: "disque", retry: "60"},
	} {
		t.Run(name, func(t *testing.T) {
			app := newTestApp(t, dbtest.OpenSQLite(t), func(c *Config) { c.Ready = tc.ready })
			start := time.Now()
			res, err := http.Get(app.url("/readyz"))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			took := time.Since(start)
			b, _ := io.ReadAll(res.Body)
			body := string(b)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != tc.retry || !strings.Contains(body, tc.detail) {
				t.Fatalf("GET /readyz: %d, Retry-After %q, %s; want 503, %s, %q", res.StatusCode, res.Header.Get("Retry-After"), body, tc.retry, tc.detail)
			}
			if took > readyTimeout+time.Second {
				t.Fatalf("GET /readyz took %v, want at most %v", took, readyTimeout+time.Second)
			}
		})
	}
}
