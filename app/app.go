// Package app wires Ordi's domain services over one database, in the one
// place that knows how they depend on one another: `ordi serve` and `ordi
// demo` use it, and so do the web tests, so that what they test is what
// runs. It lives outside web because web may not touch the database or
// GORM, and outside cmd/ordi because web's tests cannot import a command.
package app

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/aftercare"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/reports"
)

// Services are the domain services web.Config takes, over one database.
type Services struct {
	Accounts     *account.Service
	Sessions     *account.SessionStore
	Inventory    *inventory.Service
	Allocation   *allocation.Service
	Certificates *certificates.Service
	Reports      *reports.Service
	// Aftercare runs the public page of handed-over units and the tickets.
	Aftercare *aftercare.Service
	Mail      *notify.Service
	// Notifier writes the messages (the staff's digest, from ordi serve).
	Notifier *notify.Notifier
	// Ready checks the database and its migrations, for /readyz.
	Ready func(context.Context) error
}

// New builds the services over db. baseURL is the public address printed in
// documents' QR codes; now is the clock every service reads.
func New(db *gorm.DB, baseURL string, now func() time.Time) Services {
	inv := inventory.NewService(db, now)
	alloc := allocation.NewService(db, inv, now)
	mail := notify.New(baseURL)
	alloc.NotifyBy(mail)
	certs := certificates.NewService(db, inv, alloc, baseURL, now)
	certs.NotifyBy(mail)
	after := aftercare.NewService(db, inv, alloc, now)
	certs.AlsoErase(after.EraseFamily)
	// An erasure also neutralises the API's kept answers naming the family.
	certs.AlsoErase(func(ctx context.Context, tx *gorm.DB, h allocation.Household, _ []int64) error {
		return account.ForgetAnswersAbout(ctx, tx, h.Reference)
	})
	accounts := account.NewService(db, now)
	accounts.NotifyBy(mail)
	return Services{
		Accounts:     accounts,
		Sessions:     account.NewSessionStore(db, now),
		Inventory:    inv,
		Allocation:   alloc,
		Certificates: certs,
		Reports:      reports.NewService(db, now),
		Aftercare:    after,
		Mail:         notify.NewService(db, now),
		Notifier:     mail,
		Ready:        func(ctx context.Context) error { return database.Check(ctx, db) },
	}
}
