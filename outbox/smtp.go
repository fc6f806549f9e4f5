package outbox

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// Sender delivers one message; an error means it was not accepted.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through the server of ORDI_SMTP_URL.
type SMTP struct {
	host     string
	port     int
	user     string
	pass     string
	implicit bool // smtps://
	noTLS    bool // smtp://…?tls=none: a local relay only
	From     string
	// FromFunc, when set, gives the sender address at each send (the
	// administrators' setting), From being its default.
	FromFunc func(context.Context) string
	Timeout  time.Duration
}

// ParseURL reads ORDI_SMTP_URL: smtp://[user:pass@]host[:port] (STARTTLS
// required, port 587 by default), smtps://… (implicit TLS, port 465), and
// smtp://…?tls=none for a relay on the same machine (no TLS). An error is
// one line naming what is wrong.
func ParseURL(raw, from string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("ORDI_SMTP_URL n'est pas une adresse (smtp://hôte:587 ou smtps://hôte)")
	}
	s := &SMTP{From: from, Timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("ORDI_SMTP_URL : schéma %q inconnu, utilisez smtp:// (STARTTLS) ou smtps:// (TLS)", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, fmt.Errorf("ORDI_SMTP_URL : le nom du serveur manque")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("ORDI_SMTP_URL : port %q invalide", p)
		}
		s.port = n
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	switch tls := u.Query().Get("tls"); tls {
	case "":
	case "none":
		if s.implicit {
			return nil, fmt.Errorf("ORDI_SMTP_URL : tls=none contredit smtps://")
		}
		s.noTLS = true
	default:
		return nil, fmt.Errorf("ORDI_SMTP_URL : tls=%q inconnu (seul tls=none existe)", tls)
	}
	return s, nil
}

// Send delivers m with its stable Message-ID, a plain-text part, an HTML
// alternative when there is one, and its attachment.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	from := s.From
	if s.FromFunc != nil {
		from = s.FromFunc(ctx)
	}
	if err := msg.From(from); err != nil {
		return fmt.Errorf("sender address: %w", err)
	}
	if err := msg.To(m.Recipient); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(trimAngles(m.MessageID))
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.BodyText)
	if m.BodyHTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.BodyHTML)
	}
	if m.AttachmentName != "" {
		if err := msg.AttachReader(m.AttachmentName, bytes.NewReader(m.Attachment)); err != nil {
			return err
		}
	}
	opts := []mail.Option{mail.WithPort(s.port), mail.WithTimeout(s.Timeout)}
	switch {
	case s.implicit:
		opts = append(opts, mail.WithSSL())
	case s.noTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.user), mail.WithPassword(s.pass))
	}
	c, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, msg)
}

func trimAngles(id string) string {
	if len(id) >= 2 && id[0] == '<' && id[len(id)-1] == '>' {
		return id[1 : len(id)-1]
	}
	return id
}
