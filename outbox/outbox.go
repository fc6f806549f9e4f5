// Package outbox is Ordi's transactional outbox for e-mail: a message is
// written by Enqueue inside the database transaction of the change that
// causes it, so that it exists if and only if the change committed, and a
// Worker sends it later, retrying with backoff. Delivery is at least once:
// each message carries a stable Message-ID, and a duplicate can only come
// from a crash between the SMTP server's acceptance and the mark.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi/database"
)

// States of a message.
const (
	Pending = "pending"
	Sent    = "sent"
	Failed  = "failed"
)

const (
	// MaxAttempts is how many sends are tried before a message is Failed.
	MaxAttempts = 12
	// Lease is how long a claim holds a message: a worker that dies holding
	// it (between send and mark) lets another send it again after Lease.
	Lease = 5 * time.Minute
	// MaxBackoff bounds the wait between two attempts.
	MaxBackoff = time.Hour
	// FirstBackoff is the wait after the first failure; it doubles after
	// each.
	FirstBackoff = 30 * time.Second
)

// Message is one e-mail in the outbox.
type Message struct {
	ID             int64 `gorm:"primaryKey"`
	MessageID      string
	Kind           string
	Recipient      string
	Subject        string
	BodyText       string
	BodyHTML       string
	AttachmentName string
	Attachment     []byte
	State          string
	Attempts       int
	LastError      string
	NextAttemptAt  time.Time
	LockedUntil    *time.Time
	LockedBy       string
	CreatedAt      time.Time
	SentAt         *time.Time
}

// TableName maps Message to its table.
func (Message) TableName() string { return "outbox_messages" }

// Mail is what a domain service asks to send.
type Mail struct {
	Kind           string // e.g. "eligibility", "password_reset"
	To             string
	Subject        string
	Text           string // the plain-text part, required
	HTML           string // optional HTML alternative
	AttachmentName string
	Attachment     []byte
	// AwaitAttachment holds the message for Lease, until Attach gives it
	// its attachment (a document rendered after the commit); past Lease it
	// is sent as it is.
	AwaitAttachment bool
}

// Domain is the right-hand side of generated Message-IDs.
var Domain = "ordi.invalid"

// Enqueue writes m into the outbox within tx, the transaction of the change
// that causes it: the message is sent if and only if tx commits. It returns
// the stored message with its Message-ID.
func Enqueue(tx *gorm.DB, m Mail, now time.Time) (Message, error) {
	if strings.TrimSpace(m.To) == "" || strings.ContainsAny(m.To, "\r\n") {
		return Message{}, errors.New("outbox: no valid recipient")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return Message{}, errors.New("outbox: subject holds a line break")
	}
	if m.Text == "" {
		return Message{}, errors.New("outbox: a message needs its plain-text part")
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Message{}, err
	}
	now = now.UTC()
	due := now
	if m.AwaitAttachment {
		due = now.Add(Lease)
	}
	msg := Message{
		MessageID: "<" + hex.EncodeToString(b[:]) + "@" + Domain + ">",
		Kind:      m.Kind, Recipient: strings.TrimSpace(m.To), Subject: m.Subject,
		BodyText: m.Text, BodyHTML: m.HTML, AttachmentName: m.AttachmentName, Attachment: m.Attachment,
		State: Pending, NextAttemptAt: due, CreatedAt: now,
	}
	if err := tx.Create(&msg).Error; err != nil {
		return Message{}, fmt.Errorf("outbox: enqueue: %w", err)
	}
	return msg, nil
}

// Attach gives a pending message, enqueued with AwaitAttachment, its
// attachment, and makes it due now.
func Attach(ctx context.Context, db *gorm.DB, id int64, name string, data []byte, now time.Time) error {
	err := db.WithContext(ctx).Model(&Message{}).Where("id = ? AND state = ? AND locked_by = ?", id, Pending, "").
		Updates(map[string]any{"attachment_name": name, "attachment": data, "next_attempt_at": now.UTC()}).Error
	if err != nil {
		return fmt.Errorf("outbox: attach to %d: %w", id, err)
	}
	return nil
}

// Claim takes up to limit due messages for worker until now+Lease. On
// PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED, so that
// several instances share the work; on both engines the claim itself is a
// conditional update, so a message is never held by two workers at once.
func Claim(ctx context.Context, db *gorm.DB, worker string, limit int, now time.Time) ([]Message, error) {
	now = now.UTC()
	until := now.Add(Lease)
	var claimed []Message
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Message{}).Select("id").
			Where("state = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)", Pending, now, now).
			Order("next_attempt_at, id").Limit(limit)
		if database.DialectOf(db) == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var ids []int64
		if err := q.Find(&ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			res := tx.Model(&Message{}).
				Where("id = ? AND state = ? AND (locked_until IS NULL OR locked_until < ?)", id, Pending, now).
				Updates(map[string]any{"locked_until": until, "locked_by": worker})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				var m Message
				if err := tx.First(&m, id).Error; err != nil {
					return err
				}
				claimed = append(claimed, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	return claimed, nil
}

// MarkSent records that m was accepted by the SMTP server. It only touches
// a message still claimed by worker.
func MarkSent(ctx context.Context, db *gorm.DB, id int64, worker string, now time.Time) error {
	now = now.UTC()
	return db.WithContext(ctx).Model(&Message{}).Where("id = ? AND locked_by = ? AND state = ?", id, worker, Pending).
		Updates(map[string]any{"state": Sent, "sent_at": now, "locked_until": nil, "locked_by": "",
			"attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
}

// MarkFailed records a failed attempt: the message is tried again after a
// backoff that doubles each time, or becomes Failed after MaxAttempts.
func MarkFailed(ctx context.Context, db *gorm.DB, m Message, worker string, sendErr error, now time.Time) error {
	now = now.UTC()
	attempts := m.Attempts + 1
	state := Pending
	if attempts >= MaxAttempts {
		state = Failed
	}
	msg := sendErr.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return db.WithContext(ctx).Model(&Message{}).Where("id = ? AND locked_by = ? AND state = ?", m.ID, worker, Pending).
		Updates(map[string]any{"state": state, "attempts": attempts, "last_error": msg,
			"next_attempt_at": now.Add(Backoff(attempts)), "locked_until": nil, "locked_by": ""}).Error
}

// Backoff is the wait after the given number of failed attempts.
func Backoff(attempts int) time.Duration {
	d := FirstBackoff
	for i := 1; i < attempts && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// Counts gives the number of messages per state.
func Counts(ctx context.Context, db *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	if err := db.WithContext(ctx).Model(&Message{}).Select("state, count(*) AS n").Group("state").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]int64{Pending: 0, Sent: 0, Failed: 0}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// Recent lists the latest messages of a state (all states when empty),
// newest first, without their bodies.
func Recent(ctx context.Context, db *gorm.DB, state string, limit int) ([]Message, error) {
	q := db.WithContext(ctx).Model(&Message{}).
		Select("id, message_id, kind, recipient, subject, state, attempts, last_error, next_attempt_at, created_at, sent_at").
		Order("id DESC").Limit(limit)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	var out []Message
	return out, q.Find(&out).Error
}
