package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// sweepSignal is a log handler that reports retentionLoop's sweeps.
type sweepSignal struct {
	slog.Handler
	swept chan string
}

func (h sweepSignal) Handle(_ context.Context, r slog.Record) error {
	h.swept <- r.Message
	return nil
}

func (h sweepSignal) Enabled(context.Context, slog.Level) bool { return true }

// TestRetentionLoopErasesAttestations: the retention sweep of ordi serve is
// the whole erasure, so an expired family's attestation loses its
// signatory's name with the family's file.
func TestRetentionLoopErasesAttestations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		long := time.Now().AddDate(-allocation.RetentionYears-1, 0, 0)
		then := func() time.Time { return long }
		inv := inventory.NewService(db, then)
		alloc := allocation.NewService(db, inv, then)
		certs := certificates.NewService(db, inv, alloc, "http://ordi.test", then)
		partner, err := account.NewService(db, then).CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS", Kind: account.PartnerCCAS})
		if err != nil {
			t.Fatal(err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// A family equipped, and its attestation signed, years ago.
		h, err := alloc.Nominate(ctx, ordi.System, allocation.NewHousehold{ContactName: "Mme Ancienne", Commune: "Roubaix", QPV: true,
			Adults: 1, Need: allocation.NeedAny, Consent: true, PartnerID: partner.ID})
		must(err)
		_, err = alloc.Decide(ctx, ordi.System, h.ID, true, "")
		must(err)
		course, err := alloc.CreateCourse(ctx, ordi.System, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{long.Format("2006-01-02")}, RequiredSessions: 1})
		must(err)
		must(alloc.Enroll(ctx, ordi.System, course.ID, h.ID))
		_, err = alloc.RecordAttendance(ctx, ordi.System, course.ID, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true})
		must(err)
		donor, err := inv.CreateDonor(ctx, ordi.System, inventory.NewDonor{Name: "Entreprise", Kind: inventory.DonorCompany})
		must(err)
		donation, err := inv.CreateDonation(ctx, ordi.System, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: long.Format("2006-01-02")})
		must(err)
		u, err := inv.CreateUnit(ctx, ordi.System, inventory.NewUnit{DonationID: donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindLaptop}})
		must(err)
		for _, to := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
			_, err = inv.Transition(ctx, ordi.System, string(u.Code), to, inventory.TransitionInput{})
			must(err)
		}
		r, err := alloc.Reserve(ctx, ordi.System, h.ID, string(u.Code))
		must(err)
		_, err = certs.Handover(ctx, ordi.System, r.ID, certificates.HandoverInput{SignatoryName: "Mme Ancienne Signataire"})
		must(err)

		loopCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		signal := sweepSignal{swept: make(chan string, 1)}
		go func() {
			defer close(done)
			retentionLoop(loopCtx, certificates.NewService(db, inv, allocation.NewService(db, inv, time.Now), "http://ordi.test", time.Now), slog.New(signal), time.Hour)
		}()
		select {
		case msg := <-signal.swept:
			if !strings.Contains(msg, "effacés") {
				t.Fatalf("the sweep logged %q", msg)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the retention sweep did not report within 30 s")
		}
		stop()
		<-done
		var details []string
		must(db.Table("certificates").Pluck("details", &details).Error)
		if len(details) != 1 || strings.Contains(details[0], "Signataire") {
			t.Fatalf("after the retention sweep the attestation's details are %q", details)
		}
	})
}
