package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
)

// readyTimeout bounds GET /readyz: a load balancer probing an instance whose
// database hangs gets its 503 within it, and takes the instance out.
const readyTimeout = 2 * time.Second

// handleReady answers 200 when this instance can serve: Config.Ready (the
// database answers, with the schema this program was written for and room
// to write) succeeds within readyTimeout. Otherwise 503 with Retry-After and
// the reason in French. The check runs aside, so that even one that ignores
// its context cannot hold the probe.
func (s *Server) handleReady(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.cfg.Ready(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ordi.Errorf(ordi.Unavailable, "La base de données ne répond pas.")
	}
	if err == nil {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
		return nil
	}
	s.log.WarnContext(c.Request.Context(), "not ready", "error", err)
	p := problem{Type: "about:blank", Title: title(http.StatusServiceUnavailable), Status: http.StatusServiceUnavailable,
		Detail: ordi.MessageOf(err), retryAfter: ordi.RetryAfterOf(err)}
	if p.Detail == "" {
		p.Detail = "La base de données n'est pas prête."
	}
	if p.retryAfter <= 0 {
		p.retryAfter = defaultRetryAfter
	}
	writeProblem(c.Writer, p)
	return nil
}
