package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// A form sent after its session ended (the idle timeout of a shared tablet)
// is not lost: its fields are kept in the new, anonymous session, the login
// page says why it is asked, and once the same person is signed in again
// the page the form came from shows it filled in, ready to be checked and
// sent. It is given back, never replayed:
//   - the person who signs in may not be the one who typed it (a shared
//     tablet): the fields are given back only to the account the ended
//     session belonged to, and dropped for anybody else;
//   - sending it again is a fresh, same-origin POST, checked like any other
//     (cross-origin protection, role, version of the record), by a person
//     who sees what is sent; a stored request completed by the login POST
//     would act on data the user no longer sees, maybe hours later.
//
// Passwords are never kept, nor file uploads; the kept fields live in the
// session table until the new session ends, like any session data.
const (
	sessionEnded   = "ended"          // the login page says the session expired
	pendingAuthor  = "pending_author" // user id of the ended session
	pendingAction  = "pending_action" // path the form was posted to
	pendingFields  = "pending_fields" // its fields, URL-encoded
	pendingPage    = "pending_page"   // the page the form was on
	pendingMaxBody = 64 << 10
)

// noteEndedSession is called when a browser request finds no valid session.
// If the request carries the cookie of a session that ended, the login page
// will say so, and a form it posted is kept for its author.
func (s *Server) noteEndedSession(c *gin.Context) {
	if !s.sessionLoaded(c) {
		return
	}
	author := s.endedSessionUser(c)
	if author == 0 {
		return
	}
	ctx := c.Request.Context()
	s.sessions.Put(ctx, sessionEnded, true)
	if c.Request.Method != http.MethodPost {
		return
	}
	page := refererPage(c.Request, s.cfg.BaseURL)
	fields, ok := keptFields(c.Request)
	if page == "" || !ok {
		return
	}
	s.sessions.Put(ctx, pendingAuthor, author)
	s.sessions.Put(ctx, pendingAction, c.Request.URL.Path)
	s.sessions.Put(ctx, pendingFields, fields.Encode())
	s.sessions.Put(ctx, pendingPage, page)
}

// endedSessionUser returns the user id of the ended session whose cookie the
// request carries, 0 when there is none.
func (s *Server) endedSessionUser(c *gin.Context) int64 {
	ck, err := c.Request.Cookie(s.sessions.Cookie.Name)
	if err != nil || ck.Value == "" || s.cfg.Sessions == nil {
		return 0
	}
	b, found, err := s.cfg.Sessions.FindEndedCtx(c.Request.Context(), ck.Value)
	if err != nil || !found {
		return 0
	}
	_, values, err := s.sessions.Codec.Decode(b)
	if err != nil {
		return 0
	}
	id, _ := values[sessionUserID].(int64)
	return id
}

// keptFields reads a URL-encoded form body, bounded, without its passwords.
func keptFields(r *http.Request) (url.Values, bool) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") || r.ContentLength > pendingMaxBody {
		return nil, false
	}
	r.Body = http.MaxBytesReader(nil, r.Body, pendingMaxBody)
	if err := r.ParseForm(); err != nil {
		return nil, false
	}
	kept := url.Values{}
	for k, v := range r.PostForm {
		if !strings.Contains(strings.ToLower(k), "password") {
			kept[k] = v
		}
	}
	return kept, len(kept) > 0
}

// refererPage is the path and query of the page a form was sent from, when
// it is a page of this site; "" otherwise.
func refererPage(r *http.Request, base *url.URL) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host == "" || (ref.Host != r.Host && (base == nil || ref.Host != base.Host)) {
		return ""
	}
	page := safeNext(ref.RequestURI())
	if page == "/login" || strings.HasPrefix(page, "/login?") {
		return ""
	}
	return page
}

// loginNotice is the login page's word on why it is asked, and where to go
// after it when the address does not say.
func (s *Server) loginNotice(c *gin.Context) (notice, next string) {
	if !s.sessionLoaded(c) || !s.sessions.GetBool(c.Request.Context(), sessionEnded) {
		return "", ""
	}
	notice = fmt.Sprintf("Votre session a pris fin après %s sans activité : reconnectez-vous pour continuer.", idleWords(s.cfg.SessionIdleTimeout.Minutes()))
	if page := s.sessions.GetString(c.Request.Context(), pendingPage); page != "" {
		notice += " Ce que vous aviez saisi est conservé : il sera remis dans le formulaire, à vérifier puis à envoyer de nouveau."
		next = page
	}
	return notice, next
}

// idleWords says a number of minutes in French.
func idleWords(minutes float64) string {
	if minutes < 1 {
		return "moins d'une minute"
	}
	n := int(minutes)
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// keepPendingFor runs after a sign-in: the kept form stays for its author,
// and is dropped for anybody else.
func (s *Server) keepPendingFor(c *gin.Context, userID int64) (kept bool) {
	ctx := c.Request.Context()
	s.sessions.Remove(ctx, sessionEnded)
	if s.sessions.GetInt64(ctx, pendingAuthor) == userID && s.sessions.GetString(ctx, pendingFields) != "" {
		return true
	}
	for _, k := range []string{pendingAuthor, pendingAction, pendingFields, pendingPage} {
		s.sessions.Remove(ctx, k)
	}
	return false
}

// pendingForm is a kept form given back to the page it came from; app.js
// fills the form posting to Action with Fields.
type pendingForm struct {
	Action string
	Fields string
}

// takePendingForm returns the kept form when the signed-in user is its
// author and this is the page it came from, and forgets it.
func (s *Server) takePendingForm(c *gin.Context, userID int64) *pendingForm {
	ctx := c.Request.Context()
	if c.Request.Method != http.MethodGet || s.sessions.GetInt64(ctx, pendingAuthor) != userID ||
		s.sessions.GetString(ctx, pendingPage) != c.Request.URL.RequestURI() {
		return nil
	}
	p := &pendingForm{Action: s.sessions.PopString(ctx, pendingAction), Fields: s.sessions.PopString(ctx, pendingFields)}
	s.sessions.Remove(ctx, pendingAuthor)
	s.sessions.Remove(ctx, pendingPage)
	return p
}
