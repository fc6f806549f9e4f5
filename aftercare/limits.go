package aftercare

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
)

// The limits of the public form. Every report counts, whatever its code
// and whether or not it made a ticket, so that the limits answer the same
// for a known code and an unknown one.
const (
	// MaxReportsPerAddress is how many reports one client address may send
	// in AddressMemory, over all codes.
	MaxReportsPerAddress = 5
	AddressMemory        = time.Hour
	// MaxReportsPerCode is how many reports one code may receive in
	// CodeMemory, from all addresses.
	MaxReportsPerCode = 3
	CodeMemory        = 24 * time.Hour
)

// reportKey is the row a report locks while it is counted.
type reportKey struct {
	Key    string `gorm:"primaryKey"`
	SeenAt time.Time
}

func (reportKey) TableName() string { return "report_keys" }

// reportAttempt is one counted report.
type reportAttempt struct {
	ID  int64
	Key string
	At  time.Time
}

func (reportAttempt) TableName() string { return "report_attempts" }

type limitRule struct {
	key    string
	limit  int
	memory time.Duration
}

// countReport counts a report under its address and its code, or refuses it
// (RateLimited) when either is at its limit. Counting and checking are one
// step: the address's row, then the code's, are locked first (always in
// that order, so two reports cannot wait for each other).
func (s *Service) countReport(ctx context.Context, addr, code string) error {
	rules := []limitRule{
		{hashKey("addr", clientKey(addr)), MaxReportsPerAddress, AddressMemory},
		{hashKey("code", strings.ToUpper(strings.TrimSpace(code))), MaxReportsPerCode, CodeMemory},
	}
	now := s.now().UTC()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range rules {
			if err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "key"}},
				DoUpdates: clause.AssignmentColumns([]string{"seen_at"}),
			}).Create(&reportKey{Key: r.key, SeenAt: now}).Error; err != nil {
				return fmt.Errorf("lock report key: %w", err)
			}
		}
		var wait time.Duration
		for _, r := range rules {
			var oldest []reportAttempt
			if err := tx.Where("key = ? AND at > ?", r.key, now.Add(-r.memory)).Order("at DESC").Limit(r.limit).Find(&oldest).Error; err != nil {
				return fmt.Errorf("count reports: %w", err)
			}
			if len(oldest) >= r.limit {
				// The limit-th most recent report leaves the window first.
				wait = max(wait, oldest[len(oldest)-1].At.Add(r.memory).Sub(now))
			}
		}
		if wait > 0 {
			wait = (wait + time.Second - 1).Truncate(time.Second)
			return &ordi.Error{Kind: ordi.RateLimited, RetryAfter: wait,
				Message: "Trop de signalements envoyés : votre message n'a pas été enregistré. Appelez l'association, ou réessayez plus tard."}
		}
		rows := make([]reportAttempt, len(rules))
		for i, r := range rules {
			rows[i] = reportAttempt{Key: r.key, At: now}
		}
		if err := tx.Create(&rows).Error; err != nil {
			return fmt.Errorf("count report: %w", err)
		}
		// Forget what no limit remembers any more.
		return tx.Where("key IN ? AND at <= ?", []string{rules[0].key, rules[1].key}, now.Add(-CodeMemory)).Delete(&reportAttempt{}).Error
	})
}

// clientKey is the address counted: an IPv4 address, or the /64 network of
// an IPv6 one (whoever holds one address holds the whole /64).
func clientKey(addr string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}

// hashKey hashes the counted identity: the table holds no address.
func hashKey(kind, value string) string {
	sum := sha256.Sum256([]byte("report:" + kind + ":" + value))
	return hex.EncodeToString(sum[:16])
}
