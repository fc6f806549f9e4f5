// Package outboxtest gives other packages' tests a real SMTP server on
// loopback (github.com/emersion/go-smtp) and a way to deliver the outbox to
// it, so that they read the messages as a mail client would.
package outboxtest

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi/outbox"
)

// Received is one message as the SMTP server got it, its MIME parts decoded.
type Received struct {
	From, To       string
	Subject        string
	MessageID      string
	Text           string // the text/plain part
	HTML           string // the text/html part, if any
	AttachmentName string
	Attachment     []byte
	Raw            string
}

// Server is an SMTP server on loopback keeping what it accepted.
type Server struct {
	mu   sync.Mutex
	got  []Received
	tb   testing.TB
	SMTP *outbox.SMTP // a sender to this server
	// URL is the server's ORDI_SMTP_URL (no TLS, loopback).
	URL string
}

// MustServer starts a server for the test's duration.
func MustServer(tb testing.TB) *Server {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{tb: tb}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	s.URL = "smtp://" + l.Addr().String() + "?tls=none"
	s.SMTP, err = outbox.ParseURL(s.URL, "ordi@example.org")
	if err != nil {
		tb.Fatal(err)
	}
	s.SMTP.Timeout = 5 * time.Second
	return s
}

// Deliver runs an outbox worker over db until no message is due, and
// returns every message the server holds.
func (s *Server) Deliver(db *gorm.DB) []Received {
	s.tb.Helper()
	w := &outbox.Worker{DB: db, Sender: s.SMTP, Name: "test", Now: func() time.Time { return time.Now().Add(time.Hour) }}
	for range 10 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			s.tb.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	return s.Messages()
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

// To returns the messages for one recipient.
func (s *Server) To(addr string) []Received {
	var out []Received
	for _, m := range s.Messages() {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(string(b))
	if err != nil {
		x.s.tb.Errorf("outboxtest: unreadable message: %v\n%s", err, b)
	}
	m.From, m.To = x.from, x.to
	x.s.mu.Lock()
	x.s.got = append(x.s.got, m)
	x.s.mu.Unlock()
	return nil
}

// parse reads a message's headers and walks its MIME parts.
func parse(raw string) (Received, error) {
	out := Received{Raw: raw}
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return out, err
	}
	dec := new(mime.WordDecoder)
	out.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	out.MessageID = msg.Header.Get("Message-ID")
	return out, walk(&out, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
}

func walk(out *Received, ctype, encoding, disposition string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(out, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p); err != nil {
				return err
			}
		}
	}
	b, err := decode(encoding, body)
	if err != nil {
		return err
	}
	if d, dp, err := mime.ParseMediaType(disposition); err == nil && d == "attachment" {
		out.AttachmentName, out.Attachment = dp["filename"], b
		return nil
	}
	switch mt {
	case "text/plain":
		out.Text = string(b)
	case "text/html":
		out.HTML = string(b)
	}
	return nil
}
