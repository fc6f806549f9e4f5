package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/outbox/outboxtest"
)

// TestSenderSetting: the administrators' sender address wins over the
// environment's, from the next message on; empty, the environment's is
// used.
func TestSenderSetting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		srv := outboxtest.MustServer(t)
		srv.SMTP.From = "env@example.org"
		srv.SMTP.FromFunc = func(ctx context.Context) string { return notify.Sender(ctx, db, srv.SMTP.From) }
		svc := notify.NewService(db, time.Now)
		send := func() string {
			t.Helper()
			before := len(srv.Messages())
			db.Transaction(func(tx *gorm.DB) error {
				_, err := outbox.Enqueue(tx, outbox.Mail{Kind: "test", To: "x@example.org", Subject: "s", Text: "t"}, time.Now())
				return err
			})
			got := srv.Deliver(db)
			if len(got) != before+1 {
				t.Fatalf("%d messages", len(got))
			}
			return got[len(got)-1].From
		}
		if from := send(); from != "env@example.org" {
			t.Fatalf("default sender %q", from)
		}
		if _, err := svc.SaveSettings(ctx, ordi.Actor{Role: ordi.RoleStaff, UserID: 1}, notify.Settings{From: "a@b.org"}); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("staff setting the sender: %v", err)
		}
		bad := 24
		for _, st := range []notify.Settings{{From: "pas une adresse"}, {From: "Ordi <a@b.org>"}, {DigestHour: &bad}} {
			if _, err := svc.SaveSettings(ctx, ordi.System, st); !errors.Is(err, ordi.Invalid) {
				t.Errorf("%+v accepted: %v", st, err)
			}
		}
		if _, err := svc.SaveSettings(ctx, ordi.System, notify.Settings{From: "ordi@regie.example"}); err != nil {
			t.Fatal(err)
		}
		if from := send(); from != "ordi@regie.example" {
			t.Fatalf("sender after the setting %q", from)
		}
	})
}
