package allocation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// accessLog writes the access-log entries of concurrent reads of family
// files together: one multi-row insert, so one commit, for the reads that
// arrived while earlier inserts were committing (group commit). A read gets
// its answer only once its own entry is committed, so no read goes
// unrecorded; under load the database syncs once per batch instead of once
// per read.
//
// There is no background goroutine. A caller that finds fewer than
// maxLogWriters inserts in progress writes at once: its own entry and
// whatever is queued. Otherwise it queues; when a writer is done, it hands
// the lead to the first queued caller, which writes the next batch. So a read
// waits for at most one insert before its own, and while one batch commits
// the next one is already on its way.
type accessLog struct {
	db *gorm.DB

	mu      sync.Mutex
	queue   []*logRequest
	writers int
}

type logRequest struct {
	entry audit.Entry
	done  chan logResult
}

type logResult struct {
	err  error
	lead bool // the receiver now writes the next batch
}

const (
	// maxLogWriters is how many inserts may be in flight at once.
	maxLogWriters = 1
	// maxLogBatch bounds one insert (bind variables stay far below the limits).
	maxLogBatch = 500
)

// record commits e, with others if any are waiting.
func (l *accessLog) record(ctx context.Context, e audit.Entry) error {
	r := &logRequest{entry: e, done: make(chan logResult, 1)}
	l.mu.Lock()
	if l.writers == maxLogWriters {
		l.queue = append(l.queue, r)
		l.mu.Unlock()
		res := <-r.done
		if !res.lead {
			return res.err
		}
		// Handed the lead: out of the queue, counted among the writers.
		l.mu.Lock()
	} else {
		l.writers++
	}
	n := min(len(l.queue), maxLogBatch-1)
	batch := append([]*logRequest{r}, l.queue[:n]...)
	clear(l.queue[:n])
	l.queue = l.queue[n:]
	l.mu.Unlock()

	err := l.insert(ctx, batch)
	for _, b := range batch[1:] {
		b.done <- logResult{err: err}
	}

	l.mu.Lock()
	if len(l.queue) > 0 {
		next := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		next.done <- logResult{lead: true}
	} else {
		l.writers--
	}
	l.mu.Unlock()
	return err
}

func (l *accessLog) insert(ctx context.Context, batch []*logRequest) error {
	entries := make([]audit.Entry, len(batch))
	for i, b := range batch {
		entries[i] = b.entry
	}
	// The writer's context may end while it writes others' entries: they do
	// not depend on it.
	if err := l.db.WithContext(context.WithoutCancel(ctx)).Create(&entries).Error; err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}

// familyAccesses selects the access-log entries about family id: those of
// its file (reads, exports, changes), and the exports of the families list
// whose file held its reference (AccessListExport).
func familyAccesses(db *gorm.DB, id int64) (*gorm.DB, error) {
	var refs []string
	if err := db.Model(&Household{}).Where("id = ?", id).Limit(1).Pluck("reference", &refs).Error; err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	q := db.Model(&audit.Entry{})
	if len(refs) == 0 {
		return q.Where("object_type = ? AND object_id = ?", "household", fmt.Sprint(id)), nil
	}
	// The detail is "csv : F-2026-0001 F-2026-0002": a reference is
	// preceded by a space and followed by one or by the end (F-2026-0001
	// must not match F-2026-00012).
	ref := escapeLike(refs[0])
	return q.Where("(object_type = ? AND object_id = ?) OR (action = ? AND (detail LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\'))",
		"household", fmt.Sprint(id), AccessListExport, "% "+ref, "% "+ref+" %"), nil
}

// AccessLogFilter selects access-log entries, newest first: one family's,
// by id or by reference, or every family's.
type AccessLogFilter struct {
	HouseholdID int64
	Reference   string // F-YYYY-NNNN, any case; looked up when HouseholdID is 0
	Before      int64  // entries older than this id
	Limit       int
}

// AccessEntry is an access-log entry with the reference of the family file
// it concerns, "" once that file is gone.
type AccessEntry struct {
	audit.Entry
	Reference string `json:"household_reference,omitempty"`
}

// AccessLog returns access-log entries (administrators). A reference that
// names no family is an Invalid error on the field "reference".
func (s *Service) AccessLog(ctx context.Context, a ordi.Actor, f AccessLogFilter) ([]AccessEntry, error) {
	if err := a.Require(ordi.Administer, "Le journal des accès est réservé aux administrateurs."); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	id := f.HouseholdID
	if ref := strings.ToUpper(strings.TrimSpace(f.Reference)); id == 0 && ref != "" {
		var ids []int64
		if err := db.Model(&Household{}).Where("reference = ?", ref).Limit(1).Pluck("id", &ids).Error; err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
		if len(ids) == 0 {
			return nil, &ordi.Error{Kind: ordi.Invalid, Message: "Aucun dossier ne porte cette référence.",
				Fields: []ordi.FieldError{{Field: "reference", Message: "aucune famille " + ref}}}
		}
		id = ids[0]
	}
	var entries []audit.Entry
	var err error
	if id > 0 {
		// One family's: its own entries and the list exports that named it.
		q, err := familyAccesses(db, id)
		if err != nil {
			return nil, err
		}
		if f.Before > 0 {
			q = q.Where("id < ?", f.Before)
		}
		if err := q.Order("id DESC").Limit(ordi.ListLimit(f.Limit)).Find(&entries).Error; err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
	} else if entries, err = audit.List(ctx, s.db, audit.Filter{ObjectType: "household", Before: f.Before, Limit: f.Limit}); err != nil {
		return nil, err
	}
	// The references of the families on this page, in one query.
	var ids []int64
	for _, e := range entries {
		if n, err := strconv.ParseInt(e.ObjectID, 10, 64); err == nil && !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	var refs []struct {
		ID        int64
		Reference string
	}
	if len(ids) > 0 {
		if err := db.Model(&Household{}).Where("id IN ?", ids).Select("id", "reference").Find(&refs).Error; err != nil {
			return nil, fmt.Errorf("access log: %w", err)
		}
	}
	byID := make(map[string]string, len(refs))
	for _, r := range refs {
		byID[strconv.FormatInt(r.ID, 10)] = r.Reference
	}
	out := make([]AccessEntry, len(entries))
	for i, e := range entries {
		out[i] = AccessEntry{Entry: e, Reference: byID[e.ObjectID]}
	}
	return out, nil
}
