package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
)

// formReplays are the page forms the tablet's offline queue sends again
// when the network comes back; like every POST, PUT and PATCH of the API,
// they honour an Idempotency-Key (docs/api.md, docs/offline.md).
var formReplays = map[string]bool{
	"POST /u/:code/transition":     true,
	"POST /u/:code/erasures":       true,
	"POST /courses/:id/attendance": true,
}

// idempotentRoute reports whether a route honours Idempotency-Key.
func idempotentRoute(r route) bool {
	if r.allow.public {
		return false // no user to keep the answer for
	}
	switch r.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return isAPIPath(r.path) || formReplays[r.method+" "+r.path]
	}
	return false
}

const (
	// idempotencyWait bounds how long a request waits for a twin sent with
	// the same key to be answered, before answering 409.
	idempotencyWait = 5 * time.Second
	// idempotencyMaxStored is the largest answer kept for replays. A larger
	// one (a big sheet of labels) is not kept: its key is released, and a
	// replay runs again. No answer of a write the queue replays comes near.
	idempotencyMaxStored = 4 << 20
)

// replayedHeaders are the headers kept with an answer, besides its type.
var replayedHeaders = []string{"Location", "HX-Redirect", "Content-Disposition", "Retry-After"}

// idempotency runs after authorize, before checkInput. A request without the
// header passes untouched. With it, the body is read (bounded by the route's
// own limit, then given back to checkInput and the handler), the key is
// claimed for the user, and the answer is stored once written: a replay of
// the same request gets that answer with Idempotent-Replayed: true; the same
// key on another request gets 422; a twin still running is waited for, up to
// idempotencyWait, then 409. An answer of 5xx, or a panic, releases the key.
func (s *Server) idempotency(r route) gin.HandlerFunc {
	rule := bodyRuleOf(r)
	return func(c *gin.Context) {
		keys, sent := c.Request.Header[account.IdempotencyHeader]
		u, signedIn := userOf(c)
		if !sent || !signedIn {
			c.Next()
			return
		}
		key := ""
		if len(keys) == 1 {
			key = keys[0]
		}
		if err := account.CheckIdempotencyKey(key); err != nil {
			s.idempotencyFail(c, err)
			return
		}
		body, err := bufferBody(c, rule)
		if err != nil {
			s.fail(c, err)
			c.Abort()
			return
		}
		hash := account.RequestHash(c.Request.Method, c.Request.URL.RequestURI(), body)
		claim, err := s.claimKey(c.Request.Context(), u.ID, key, hash)
		if err != nil {
			s.idempotencyFail(c, err)
			return
		}
		if claim.State == account.Replay {
			replay(c, claim.Response)
			return
		}
		s.runClaimed(c, claim)
	}
}

// claimKey claims the key, waiting while a twin request holds it.
func (s *Server) claimKey(ctx context.Context, userID int64, key, hash string) (account.IdempotencyClaim, error) {
	deadline := time.Now().Add(s.idemWait)
	pause := 10 * time.Millisecond
	for {
		claim, err := s.cfg.Accounts.ClaimIdempotencyKey(ctx, userID, key, hash)
		if err == nil && claim.State == account.Interrupted {
			return claim, ordi.Errorf(ordi.Conflict, "Requête interrompue : la requête envoyée avec cette clé %s n'a pas reçu de réponse "+
				"(arrêt du serveur) ; elle a pu prendre effet ou non. Vérifiez, puis renvoyez-la avec une nouvelle clé si besoin.", account.IdempotencyHeader)
		}
		if err != nil || claim.State != account.InProgress {
			return claim, err
		}
		if !time.Now().Add(pause).Before(deadline) {
			return claim, ordi.Errorf(ordi.Conflict, "Requête identique en cours : la même clé %s est déjà en traitement ; réessayez dans un instant.",
				account.IdempotencyHeader)
		}
		select {
		case <-ctx.Done():
			return claim, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// runClaimed runs the rest of the chain and stores its answer, or releases
// the key when the server failed.
func (s *Server) runClaimed(c *gin.Context, claim account.IdempotencyClaim) {
	// Stored or released even when the client has gone: the effect took
	// place, and its answer is what the client's retry will want.
	ctx := context.WithoutCancel(c.Request.Context())
	rec := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rec
	defer func() {
		if v := recover(); v != nil {
			c.Writer = rec.ResponseWriter
			if err := s.cfg.Accounts.ReleaseIdempotencyKey(ctx, claim); err != nil {
				s.log.ErrorContext(ctx, "idempotency release", "request_id", requestID(c), "error", err)
			}
			panic(v)
		}
	}()
	c.Next()
	c.Writer = rec.ResponseWriter
	status := rec.Status()
	var err error
	if status >= 500 || rec.overflow {
		err = s.cfg.Accounts.ReleaseIdempotencyKey(ctx, claim)
	} else {
		h := rec.Header()
		stored := account.StoredResponse{Status: status, ContentType: h.Get("Content-Type"), Body: rec.body.Bytes()}
		for _, name := range replayedHeaders {
			if v := h.Get(name); v != "" {
				if stored.Headers == nil {
					stored.Headers = map[string]string{}
				}
				stored.Headers[name] = v
			}
		}
		err = s.cfg.Accounts.StoreIdempotentResponse(ctx, claim, stored)
	}
	if err != nil {
		// The answer is already on its way; a replay will find the key
		// in progress until its lease ends.
		s.log.ErrorContext(ctx, "idempotency store", "request_id", requestID(c), "error", err)
	}
}

// replay answers with a stored answer.
func replay(c *gin.Context, r account.StoredResponse) {
	h := c.Writer.Header()
	for name, v := range r.Headers {
		h.Set(name, v)
	}
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	}
	h.Set("Idempotent-Replayed", "true")
	c.Writer.WriteHeader(r.Status)
	c.Writer.Write(r.Body)
	c.Abort()
}

// idempotencyFail answers a refused key with a problem document, page or
// API alike: only a program (the tablet's queue, an integration) sends the
// header, never a plain form.
func (s *Server) idempotencyFail(c *gin.Context, err error) {
	p := problemOf(err)
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "idempotency", "route", c.FullPath(), "request_id", requestID(c), "error", err)
	}
	c.Error(err)
	writeProblem(c.Writer, p)
	c.Abort()
}

// bufferBody reads the whole body, up to the route's limit, and puts it back
// for checkInput and the handler.
func bufferBody(c *gin.Context, rule bodyRule) ([]byte, error) {
	req := c.Request
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, req.Body, rule.limit))
	if err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return nil, bodyError(err, rule)
		}
		return nil, &ordi.Error{Kind: ordi.Malformed, Message: "Le contenu envoyé n'a pas pu être lu.", Err: err}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// recordingWriter copies what the handler writes, up to
// idempotencyMaxStored, while sending it on.
type recordingWriter struct {
	gin.ResponseWriter
	body     bytes.Buffer
	overflow bool
}

func (w *recordingWriter) keep(n int) bool {
	if w.overflow || w.body.Len()+n > idempotencyMaxStored {
		w.overflow = true
		w.body = bytes.Buffer{}
		return false
	}
	return true
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.keep(len(b)) {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) WriteString(s string) (int, error) {
	if w.keep(len(s)) {
		w.body.WriteString(s)
	}
	return w.ResponseWriter.WriteString(s)
}
