package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
)

// Idempotency keys let a client send a write twice (a tablet replaying its
// offline queue, a script retrying after a timeout) and get one effect: the
// first answer is kept per user and key, and given back to the second.
const (
	// IdempotencyHeader is the request header that carries the key.
	IdempotencyHeader = "Idempotency-Key"
	// IdempotencyKeyMax is the longest key accepted, in characters.
	IdempotencyKeyMax = 100
	// IdempotencyKept is how long an answer is kept for replays.
	IdempotencyKept = 24 * time.Hour
	// IdempotencyLease is how long a request may run under its key. One
	// still "in progress" after that died with its server, its answer
	// neither stored nor its key released: whether it took effect is not
	// known, so the key is not run again (that could be a second effect)
	// but answered Interrupted until it expires. Far longer than any
	// request may run (serve's write timeout is two minutes).
	IdempotencyLease = 10 * time.Minute
)

// CheckIdempotencyKey refuses a key that is empty, longer than
// IdempotencyKeyMax, or holds anything but visible ASCII (0x21 to 0x7E):
// Malformed, naming the header.
func CheckIdempotencyKey(key string) error {
	bad := func(msg string) error {
		return &ordi.Error{Kind: ordi.Malformed, Message: "En-tête " + IdempotencyHeader + " invalide : " + msg,
			Fields: []ordi.FieldError{{Field: IdempotencyHeader, Message: msg}}}
	}
	switch {
	case key == "":
		return bad(fmt.Sprintf("donnez une clé de 1 à %d caractères ASCII visibles.", IdempotencyKeyMax))
	case len(key) > IdempotencyKeyMax:
		return bad(fmt.Sprintf("%d caractères au plus.", IdempotencyKeyMax))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return bad("seuls les caractères ASCII visibles sont admis (ni espace, ni accent, ni caractère de contrôle).")
		}
	}
	return nil
}

// RequestHash is what identifies a request under a key: its method, its
// path with its query, and its body. The same key sent with another request
// is refused rather than answered with the first one's answer.
func RequestHash(method, uri string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(uri))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// StoredResponse is the answer kept under a key.
type StoredResponse struct {
	Status      int
	ContentType string
	// Headers are the few headers a replay must carry too (Location of a
	// form's redirect, HX-Redirect, Content-Disposition).
	Headers map[string]string
	Body    []byte
}

// ClaimState is what a claim found.
type ClaimState int

const (
	// Claimed: the key is this request's; run it, then Store or Release.
	Claimed ClaimState = iota + 1
	// Replay: the same request was answered; Response is its answer.
	Replay
	// InProgress: the same request is running now, sent by another
	// connection; wait and claim again, or give up.
	InProgress
	// Interrupted: the same request was claimed more than
	// IdempotencyLease ago and never answered (its server stopped): it may
	// or may not have taken effect. The client checks, and sends a new key.
	Interrupted
)

// IdempotencyClaim is the outcome of ClaimIdempotencyKey.
type IdempotencyClaim struct {
	State    ClaimState
	Response StoredResponse // Replay only
	id       int64
	owner    string
}

const (
	keyInProgress = "in_progress"
	keyDone       = "done"
)

type idempotencyKey struct {
	ID          int64
	UserID      int64
	Key         string
	RequestHash string
	State       string
	Owner       string
	Status      int
	ContentType string
	Headers     string
	Body        []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

func (idempotencyKey) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey takes key for userID's request of the given hash, or
// says why not. The claim is an insert under the unique (user_id, key)
// constraint, alone in its own statement: of two requests sent at once, the
// database lets exactly one insert, and the other finds its row. The same
// key with another request is Invalid, naming the header.
func (s *Service) ClaimIdempotencyKey(ctx context.Context, userID int64, key, hash string) (IdempotencyClaim, error) {
	db := s.db.WithContext(ctx)
	now := s.now()
	owner := newOwner()
	row := idempotencyKey{UserID: userID, Key: key, RequestHash: hash, State: keyInProgress, Owner: owner,
		CreatedAt: now, ExpiresAt: now.Add(IdempotencyKept)}
	inserted, err := s.insertClaim(ctx, &row)
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	if inserted {
		return IdempotencyClaim{State: Claimed, id: row.ID, owner: owner}, nil
	}
	var found idempotencyKey
	err = db.Where("user_id = ? AND key = ?", userID, key).Take(&found).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Released or swept between the insert and the read: the key
		// is free, the caller asks again.
		return IdempotencyClaim{State: InProgress}, nil
	}
	if err != nil {
		return IdempotencyClaim{}, fmt.Errorf("find idempotency key: %w", err)
	}
	expired := !found.ExpiresAt.After(now)
	if !expired && found.RequestHash != hash {
		msg := "cette clé a déjà servi pour une autre requête : envoyez une nouvelle clé pour une requête différente."
		return IdempotencyClaim{}, &ordi.Error{Kind: ordi.Invalid, Message: "En-tête " + IdempotencyHeader + " : " + msg,
			Fields: []ordi.FieldError{{Field: IdempotencyHeader, Message: msg}}}
	}
	if expired {
		// Taken over by a conditional update: of several requests doing
		// it at once, the one that still sees the old owner wins.
		var res *gorm.DB
		err := s.lightWrite(ctx, func(tx *gorm.DB) error {
			res = tx.Model(&idempotencyKey{}).Where("id = ? AND owner = ?", found.ID, found.Owner).Updates(map[string]any{
				"request_hash": hash, "state": keyInProgress, "owner": owner, "status": 0, "content_type": "",
				"headers": "", "body": nil, "created_at": now, "expires_at": now.Add(IdempotencyKept),
			})
			return res.Error
		})
		if err != nil {
			return IdempotencyClaim{}, fmt.Errorf("take over idempotency key: %w", err)
		}
		if res.RowsAffected == 1 {
			return IdempotencyClaim{State: Claimed, id: found.ID, owner: owner}, nil
		}
		return IdempotencyClaim{State: InProgress}, nil
	}
	if found.State == keyInProgress && !found.CreatedAt.After(now.Add(-IdempotencyLease)) {
		return IdempotencyClaim{State: Interrupted}, nil
	}
	if found.State == keyInProgress {
		return IdempotencyClaim{State: InProgress}, nil
	}
	stored := StoredResponse{Status: found.Status, ContentType: found.ContentType, Body: found.Body}
	if found.Headers != "" {
		if err := json.Unmarshal([]byte(found.Headers), &stored.Headers); err != nil {
			return IdempotencyClaim{}, fmt.Errorf("idempotency key %d headers: %w", found.ID, err)
		}
	}
	return IdempotencyClaim{State: Replay, Response: stored}, nil
}

// StoreIdempotentResponse keeps the answer of a claimed request for replays.
func (s *Service) StoreIdempotentResponse(ctx context.Context, c IdempotencyClaim, r StoredResponse) error {
	if c.State != Claimed {
		return fmt.Errorf("store idempotent response: key not claimed")
	}
	headers := ""
	if len(r.Headers) > 0 {
		b, err := json.Marshal(r.Headers)
		if err != nil {
			return err
		}
		headers = string(b)
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	var err error
	if s.db.Dialector.Name() == "postgres" {
		// One statement, one round trip (lightWrite would take four).
		err = s.db.WithContext(ctx).Exec(pgLight+`UPDATE idempotency_keys SET state = ?, status = ?, content_type = ?, headers = ?, body = ?
			FROM light WHERE id = ? AND owner = ? AND state = ?`,
			keyDone, r.Status, r.ContentType, headers, body, c.id, c.owner, keyInProgress).Error
	} else {
		err = s.lightWrite(ctx, func(tx *gorm.DB) error {
			return tx.Model(&idempotencyKey{}).
				Where("id = ? AND owner = ? AND state = ?", c.id, c.owner, keyInProgress).
				Updates(map[string]any{"state": keyDone, "status": r.Status, "content_type": r.ContentType, "headers": headers, "body": body}).Error
		})
	}
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey frees a claimed key whose request failed on the
// server's side (5xx, panic): nothing was answered that a retry should
// get back, so the retry runs again.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, c IdempotencyClaim) error {
	if c.State != Claimed {
		return nil
	}
	err := s.db.WithContext(ctx).Where("id = ? AND owner = ? AND state = ?", c.id, c.owner, keyInProgress).
		Delete(&idempotencyKey{}).Error
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// SweepIdempotencyKeys deletes the keys past their 24 hours, and returns how
// many. Purge calls it.
func (s *Service) SweepIdempotencyKeys(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", s.now()).Delete(&idempotencyKey{})
	if res.Error != nil {
		return 0, fmt.Errorf("sweep idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// pgLight begins a PostgreSQL statement that commits without waiting for its
// WAL flush, as lightWrite does, in one round trip: set_config(…, true) holds
// for the statement's own transaction, whose commit reads it.
const pgLight = "WITH light AS (SELECT set_config('synchronous_commit', 'off', true)) "

// insertClaim inserts a claim unless the user's key is taken, and reports
// whether it did.
func (s *Service) insertClaim(ctx context.Context, row *idempotencyKey) (bool, error) {
	if s.db.Dialector.Name() == "postgres" {
		var ids []int64
		err := s.db.WithContext(ctx).Raw(pgLight+`INSERT INTO idempotency_keys (user_id, key, request_hash, state, owner, created_at, expires_at)
			SELECT ?::bigint, ?::text, ?::text, ?::text, ?::text, ?::timestamptz, ?::timestamptz FROM light
			ON CONFLICT (user_id, key) DO NOTHING RETURNING id`,
			row.UserID, row.Key, row.RequestHash, row.State, row.Owner, row.CreatedAt, row.ExpiresAt).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return false, err
		}
		row.ID = ids[0]
		return true, nil
	}
	var res *gorm.DB
	err := s.lightWrite(ctx, func(tx *gorm.DB) error {
		res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
		return res.Error
	})
	return err == nil && res.RowsAffected == 1, err
}

// lightWrite runs fn without waiting for the disk at commit: PostgreSQL's
// synchronous_commit off for its transaction, SQLite's synchronous NORMAL for
// its statement (the database runs synchronous FULL otherwise). Used for the
// claims and answers of idempotency keys only, which stay safe without it:
// both databases write their log in order, so the request's own effect,
// committed durably after its claim, makes the claim durable with it; and an
// answer lost in a crash of the database leaves its key in progress, which
// after IdempotencyLease answers Interrupted and is never run again. What it
// saves is two waits for the disk on every write sent with a key
// (BenchmarkIdempotency).
func (s *Service) lightWrite(ctx context.Context, fn func(tx *gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	switch db.Dialector.Name() {
	case "postgres":
		return db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SET LOCAL synchronous_commit TO OFF").Error; err != nil {
				return err
			}
			return fn(tx)
		})
	case "sqlite":
		return db.Connection(func(conn *gorm.DB) error {
			if err := conn.Exec("PRAGMA synchronous = NORMAL").Error; err != nil {
				return err
			}
			err := fn(conn)
			// Put back even when the request was cancelled meanwhile.
			if rerr := conn.WithContext(context.WithoutCancel(ctx)).Exec("PRAGMA synchronous = FULL").Error; rerr != nil {
				// A connection left in NORMAL must not serve other
				// writes: ErrBadConn from Raw has the pool close it.
				if sc, ok := conn.Statement.ConnPool.(*sql.Conn); ok {
					sc.Raw(func(any) error { return driver.ErrBadConn })
				}
				return errors.Join(err, rerr)
			}
			return err
		})
	}
	return fn(db)
}

func newOwner() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ErasedAnswer is what a replay gets, once the family it was about is
// erased, in place of a kept answer that held its file.
var ErasedAnswer = StoredResponse{
	Status:      410, // Gone
	ContentType: "application/problem+json",
	Body: []byte(`{"type":"about:blank","title":"Données effacées","status":410,` +
		`"detail":"Les données de cette famille ont été effacées, et la réponse gardée pour cette clé avec elles. Rien n'a été refait."}`),
}

// ForgetAnswersAbout replaces, inside an erasure's transaction tx, every
// kept answer naming the family whose reference is given (its reference
// as a JSON string: a nomination's answer, an edit's, a decision's, each
// carrying the whole file) by ErasedAnswer. The key stays taken, so a
// replay still has no second effect: it is told the family was erased.
// An answer names no family in a column of its own, hence the search in
// the bodies, bounded by the 24 hours answers are kept.
func ForgetAnswersAbout(ctx context.Context, tx *gorm.DB, reference string) error {
	needle := `"` + reference + `"`
	contains := "position(convert_to(?, 'UTF8') in body) > 0"
	if tx.Dialector.Name() == "sqlite" {
		contains = "instr(CAST(body AS BLOB), CAST(? AS BLOB)) > 0"
	}
	err := tx.WithContext(ctx).Model(&idempotencyKey{}).Where("state = ? AND "+contains, keyDone, needle).
		Updates(map[string]any{"status": ErasedAnswer.Status, "content_type": ErasedAnswer.ContentType, "headers": "", "body": ErasedAnswer.Body}).Error
	if err != nil {
		return fmt.Errorf("forget kept answers about %s: %w", reference, err)
	}
	return nil
}
