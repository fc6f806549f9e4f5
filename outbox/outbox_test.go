package outbox_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"gorm.io/gorm"

	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/outbox"
)

// receiver is a real SMTP server on loopback (go-smtp) that keeps the
// messages it accepted; fail decides, per DATA command, to misbehave.
type receiver struct {
	mu    sync.Mutex
	got   []string // raw messages accepted
	calls int
	fail  func(call int, c *smtp.Conn, r io.Reader) error
	addr  string
}

func (rv *receiver) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{rv: rv, c: c}, nil
}

type session struct {
	rv *receiver
	c  *smtp.Conn
}

func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	s.rv.mu.Lock()
	s.rv.calls++
	call := s.rv.calls
	s.rv.mu.Unlock()
	if s.rv.fail != nil {
		if err := s.rv.fail(call, s.c, r); err != nil {
			return err
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.rv.mu.Lock()
	s.rv.got = append(s.rv.got, string(b))
	s.rv.mu.Unlock()
	return nil
}

func (rv *receiver) messages() []string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]string(nil), rv.got...)
}

func startReceiver(t *testing.T, rv *receiver) *outbox.SMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(rv)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s, err := outbox.ParseURL("smtp://"+l.Addr().String()+"?tls=none", "ordi@example.org")
	if err != nil {
		t.Fatal(err)
	}
	s.Timeout = 2 * time.Second
	return s
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func enqueue(t *testing.T, db *gorm.DB, now time.Time, n int) []outbox.Message {
	t.Helper()
	var out []outbox.Message
	err := db.Transaction(func(tx *gorm.DB) error {
		for i := 0; i < n; i++ {
			m, err := outbox.Enqueue(tx, outbox.Mail{Kind: "test", To: "as@example.org", Subject: "Famille F-0042 : éligible",
				Text: "La famille F-0042 est éligible.\nhttps://ordi.example.org/families/42"}, now)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func state(t *testing.T, db *gorm.DB, id int64) outbox.Message {
	t.Helper()
	var m outbox.Message
	if err := db.First(&m, id).Error; err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOutboxDeliversWithStableMessageID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		rv := &receiver{}
		s := startReceiver(t, rv)
		clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		// A rolled-back change leaves no message behind.
		_ = db.Transaction(func(tx *gorm.DB) error {
			if _, err := outbox.Enqueue(tx, outbox.Mail{To: "x@example.org", Subject: "s", Text: "t"}, clk.Now()); err != nil {
				t.Fatal(err)
			}
			return errors.New("rollback")
		})
		m := enqueue(t, db, clk.Now(), 1)[0]
		// Without a sender (no ORDI_SMTP_URL) the message waits.
		idle := &outbox.Worker{DB: db, Name: "idle", Now: clk.Now}
		if n, err := idle.RunOnce(context.Background()); err != nil || n != 0 {
			t.Fatalf("no sender: sent %d, %v", n, err)
		}
		w := &outbox.Worker{DB: db, Sender: s, Name: "w1", Now: clk.Now}
		if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("sent %d, %v", n, err)
		}
		got := rv.messages()
		if len(got) != 1 {
			t.Fatalf("received %d messages, want 1 (the rolled-back one must not exist)", len(got))
		}
		if !strings.Contains(got[0], "Message-ID: "+m.MessageID) || !strings.Contains(got[0], "text/plain") {
			t.Fatalf("message lacks its Message-ID %s or its text part:\n%s", m.MessageID, got[0])
		}
		if st := state(t, db, m.ID); st.State != outbox.Sent || st.SentAt == nil {
			t.Fatalf("state %q after delivery", st.State)
		}
		if n, _ := w.RunOnce(context.Background()); n != 0 || len(rv.messages()) != 1 {
			t.Fatal("a sent message was sent again")
		}
		c, err := outbox.Counts(context.Background(), db)
		if err != nil || c[outbox.Sent] != 1 || c[outbox.Pending] != 0 {
			t.Fatalf("counts %v, %v", c, err)
		}
	})
}

// Each misbehaviour of the server is retried after its backoff, and ends
// with exactly one delivered message.
func TestOutboxRetriesMisbehavingServer(t *testing.T) {
	cases := map[string]func(call int, c *smtp.Conn, r io.Reader) error{
		"refusing": func(call int, _ *smtp.Conn, _ io.Reader) error {
			if call <= 2 {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
			}
			return nil
		},
		"hanging": func(call int, _ *smtp.Conn, r io.Reader) error {
			if call == 1 {
				io.Copy(io.Discard, r)
				time.Sleep(3 * time.Second) // longer than the sender's timeout
				return &smtp.SMTPError{Code: 451, Message: "too late"}
			}
			return nil
		},
		"closing mid-message": func(call int, c *smtp.Conn, r io.Reader) error {
			if call == 1 {
				io.CopyN(io.Discard, r, 10)
				c.Close()
				return errors.New("closed")
			}
			return nil
		},
	}
	for name, fail := range cases {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
				rv := &receiver{fail: fail}
				s := startReceiver(t, rv)
				clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
				m := enqueue(t, db, clk.Now(), 1)[0]
				w := &outbox.Worker{DB: db, Sender: s, Name: "w1", Now: clk.Now}
				for i := 0; i < 5 && state(t, db, m.ID).State == outbox.Pending; i++ {
					if _, err := w.RunOnce(context.Background()); err != nil {
						t.Fatal(err)
					}
					st := state(t, db, m.ID)
					if st.State == outbox.Pending {
						if st.LastError == "" {
							t.Fatal("a failed attempt left no error")
						}
						// Not retried before its backoff.
						if n, _ := w.RunOnce(context.Background()); n != 0 {
							t.Fatal("retried before the backoff")
						}
						clk.Add(outbox.Backoff(st.Attempts))
					}
				}
				if st := state(t, db, m.ID); st.State != outbox.Sent {
					t.Fatalf("state %q, last error %q", st.State, st.LastError)
				}
				if got := rv.messages(); len(got) != 1 || !strings.Contains(got[0], m.MessageID) {
					t.Fatalf("delivered %d messages, want exactly 1", len(got))
				}
			})
		})
	}
}

// A process killed between the server's acceptance and the mark: the claim
// expires, the message is sent again with the same Message-ID. Never lost.
func TestOutboxCrashBetweenSendAndMark(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		rv := &receiver{}
		s := startReceiver(t, rv)
		clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		m := enqueue(t, db, clk.Now(), 1)[0]
		claimed, err := outbox.Claim(context.Background(), db, "dead", 10, clk.Now())
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		if err := s.Send(context.Background(), claimed[0]); err != nil {
			t.Fatal(err)
		}
		// "dead" never marks. Another worker does not take it while the
		// claim holds…
		w := &outbox.Worker{DB: db, Sender: s, Name: "w2", Now: clk.Now}
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatal("a claimed message was taken by another worker")
		}
		// …but does once it expired.
		clk.Add(outbox.Lease + time.Second)
		if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("after the lease: sent %d, %v", n, err)
		}
		got := rv.messages()
		if len(got) != 2 || !strings.Contains(got[0], m.MessageID) || !strings.Contains(got[1], m.MessageID) {
			t.Fatalf("want the message twice with Message-ID %s, got %d", m.MessageID, len(got))
		}
		// The dead worker's late mark changes nothing.
		if err := outbox.MarkSent(context.Background(), db, m.ID, "dead", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if st := state(t, db, m.ID); st.State != outbox.Sent || st.Attempts != 1 {
			t.Fatalf("state %q attempts %d", st.State, st.Attempts)
		}
	})
}

// Two instances on one PostgreSQL database share 200 queued messages: each
// is sent exactly once.
func TestOutboxTwoWorkersOnPostgres(t *testing.T) {
	for _, d := range dbtest.Dialects() {
		if d != database.Postgres {
			continue
		}
		t.Run(string(d), func(t *testing.T) {
			db := dbtest.Open(t, d)
			rv := &receiver{}
			s := startReceiver(t, rv)
			now := time.Now()
			msgs := enqueue(t, db, now, 200)
			var wg sync.WaitGroup
			sentBy := make([]int, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w := &outbox.Worker{DB: db, Sender: s, Name: []string{"a", "b"}[i], Batch: 7}
					for {
						n, err := w.RunOnce(context.Background())
						if err != nil {
							t.Error(err)
							return
						}
						if n == 0 {
							return
						}
						sentBy[i] += n
					}
				}()
			}
			wg.Wait()
			got := rv.messages()
			if len(got) != 200 {
				t.Fatalf("received %d messages, want 200 (a: %d, b: %d)", len(got), sentBy[0], sentBy[1])
			}
			for _, m := range msgs {
				n := 0
				for _, g := range got {
					if strings.Contains(g, m.MessageID) {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("%s received %d times", m.MessageID, n)
				}
			}
			if sentBy[0] == 0 || sentBy[1] == 0 {
				t.Logf("one worker did all the work (a: %d, b: %d)", sentBy[0], sentBy[1])
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:99999", "smtps://h?tls=none", "smtp://h?tls=maybe", "::"} {
		if _, err := outbox.ParseURL(bad, "a@b.c"); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, good := range []string{"smtp://user:pass@mail.example.org:587", "smtps://mail.example.org", "smtp://127.0.0.1:2525?tls=none"} {
		if _, err := outbox.ParseURL(good, "a@b.c"); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}
