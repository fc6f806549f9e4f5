package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ordi-app/ordi"
)

// TestRetryAfter checks that 429 and 503 answers say when to come back: the
// error's own wait rounded up to whole seconds, or the default.
func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter string
	}{
		{"UnavailableOwnWait", &ordi.Error{Kind: ordi.Unavailable, Message: "plus tard", RetryAfter: 1500 * time.Millisecond}, 503, "2"},
		{"UnavailableDefault", ordi.Errorf(ordi.Unavailable, "plus tard"), 503, "5"},
		{"RateLimited", &ordi.Error{Kind: ordi.RateLimited, Message: "doucement", RetryAfter: 90 * time.Second}, 429, "90"},
		{"ConflictNone", ordi.Errorf(ordi.Conflict, "non"), 409, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeProblem(rec, problemOf(tt.err))
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
			var p map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p["status"] != float64(tt.status) {
				t.Errorf("body %s (%v)", rec.Body, err)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
			}
		})
	}
	if got := problemOf(ordi.Errorf(ordi.Unavailable, "x")).Title; got != title(http.StatusServiceUnavailable) {
		t.Errorf("title %q", got)
	}
}
