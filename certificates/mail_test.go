package certificates_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/notify"
	"github.com/ordi-app/ordi/outbox"
	"github.com/ordi-app/ordi/outbox/outboxtest"
)

// mailWorld is a world whose services write their messages.
func mailWorld(t *testing.T, db *gorm.DB) *world {
	w := newWorld(t, db)
	n := notify.New("https://ordi.regie.example")
	w.alloc.NotifyBy(n)
	w.svc.NotifyBy(n)
	return w
}

// TestSocialWorkerMails follows a family from its nomination to its
// handover: its social worker receives, through a real SMTP server, one
// message per step, each naming the family by its reference and linking to
// its file, never with its name or phone.
func TestSocialWorkerMails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		w := mailWorld(t, db)
		h, err := w.alloc.Nominate(ctx, w.sw, allocation.NewHousehold{ContactName: canary, Phone: "0612345678", Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.alloc.Decide(ctx, w.staff, h.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.alloc.Enroll(ctx, w.staff, w.course, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.alloc.RecordAttendance(ctx, w.staff, w.course, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true}); err != nil {
			t.Fatal(err)
		}
		u := w.unit(toReady...)
		r, err := w.alloc.Reserve(ctx, w.staff, h.ID, string(u.Code))
		if err != nil {
			t.Fatal(err)
		}
		// The same day saved twice is one message.
		for range 2 {
			if _, err := w.alloc.SetAppointment(ctx, w.vol, r.ID, "2026-11-27"); err != nil {
				t.Fatal(err)
			}
		}
		// A refused handover (no signatory) writes nothing.
		if _, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{}); err == nil {
			t.Fatal("handover without a signatory accepted")
		}
		if _, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: canary, Signature: signature(t)}); err != nil {
			t.Fatal(err)
		}
		got := srv.Deliver(db)
		want := []string{
			"Famille " + h.Reference + " : éligible au dispositif",
			"Famille " + h.Reference + " : formation terminée",
			"Famille " + h.Reference + " : ordinateur réservé",
			"Famille " + h.Reference + " : rendez-vous de remise le 27/11/2026",
			"Famille " + h.Reference + " : ordinateur remis",
		}
		if len(got) != len(want) {
			t.Fatalf("%d messages, want %d: %+v", len(got), len(want), got)
		}
		link := "https://ordi.regie.example/families/" + strconv.FormatInt(h.ID, 10)
		for i, m := range got {
			if m.To != "sw@x.org" || m.Subject != want[i] {
				t.Errorf("message %d to %s: %q, want %q", i, m.To, m.Subject, want[i])
			}
			if !strings.Contains(m.Text, h.Reference) || !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, `href="`+link+`"`) {
				t.Errorf("message %d lacks the reference or the link:\n%s", i, m.Text)
			}
			if strings.Contains(m.Raw, canary) || strings.Contains(m.Raw, "0612345678") || strings.Contains(m.Text, "Roubaix") {
				t.Errorf("message %d discloses the family:\n%s", i, m.Raw)
			}
		}
		if !strings.Contains(got[2].Text, "pas encore fixé") || !strings.Contains(got[1].Text, "Premiers pas") {
			t.Errorf("reservation or course text:\n%s\n%s", got[2].Text, got[1].Text)
		}
	})
}

// TestSocialWorkerChoosesMessages: a kind turned off is not written; the
// others still are; a refusal names no reason in the mail.
func TestSocialWorkerChoosesMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		w := mailWorld(t, db)
		prefs := notify.NewService(db, w.now)
		if _, err := prefs.SetPreferences(ctx, w.sw, []string{notify.Handover, "digest"}); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("a social worker choosing the staff digest: %v", err)
		}
		p, err := prefs.SetPreferences(ctx, w.sw, []string{notify.Handover})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range p {
			if x.Receive != (x.Key == notify.Handover) {
				t.Errorf("preference %s = %v", x.Key, x.Receive)
			}
		}
		h, _ := w.alloc.Nominate(ctx, w.sw, allocation.NewHousehold{ContactName: "A", Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
		if _, err := w.alloc.Decide(ctx, w.staff, h.ID, false, "Revenus au-dessus du plafond"); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Deliver(db)); n != 0 {
			t.Fatalf("%d messages after turning eligibility off", n)
		}
		if _, err := prefs.SetPreferences(ctx, w.sw, []string{notify.Eligibility}); err != nil {
			t.Fatal(err)
		}
		h2, _ := w.alloc.Nominate(ctx, w.sw, allocation.NewHousehold{ContactName: "B", Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
		if _, err := w.alloc.Decide(ctx, w.staff, h2.ID, false, "Revenus au-dessus du plafond"); err != nil {
			t.Fatal(err)
		}
		got := srv.Deliver(db)
		if len(got) != 1 || !strings.Contains(got[0].Subject, "non retenue") || strings.Contains(got[0].Text, "plafond") {
			t.Fatalf("refusal messages: %+v", got)
		}
	})
}

// TestDonorCertificateMail: the donor's contact receives the certificate's
// PDF, byte for byte, with its /verify link; a donor without an address
// gets nothing, and the certificate is issued all the same.
func TestDonorCertificateMail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		w := mailWorld(t, db)
		w.unit(toReady...)
		if _, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Deliver(db)); n != 0 {
			t.Fatalf("a donor without an address: %d messages", n)
		}
		donor, err := w.inv.CreateDonor(ctx, w.staff, inventory.NewDonor{Name: "Mairie", Kind: inventory.DonorPublicBody, Email: "dsi@mairie.example"})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := w.inv.CreateDonation(ctx, w.staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-02"})
		w.donation = d.ID
		w.unit(toReady...)
		cert, err := w.svc.IssueDonorCertificate(ctx, w.staff, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := srv.Deliver(db)
		if len(got) != 1 {
			t.Fatalf("%d messages", len(got))
		}
		m := got[0]
		if m.To != "dsi@mairie.example" || !strings.Contains(m.Subject, cert.Number) {
			t.Fatalf("to %s: %q", m.To, m.Subject)
		}
		if m.AttachmentName != cert.Number+".pdf" || !bytes.Equal(m.Attachment, cert.PDF) {
			t.Fatalf("attachment %q, %d bytes, want the certificate's %d", m.AttachmentName, len(m.Attachment), len(cert.PDF))
		}
		if !strings.Contains(m.Text, "https://ordi.regie.example/verify/"+cert.Number) {
			t.Fatalf("no /verify link:\n%s", m.Text)
		}
		var stored outbox.Message
		db.Where("kind = ?", notify.DonorCertificate).Take(&stored)
		if stored.State != outbox.Sent {
			t.Fatalf("state %s", stored.State)
		}
	})
}

// TestStaffDigest: at the hour of the settings, staff and administrators
// receive the day's figures once, whatever the number of instances; one
// who turned it off does not.
func TestStaffDigest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := outboxtest.MustServer(t)
		w := mailWorld(t, db)
		n := notify.New("https://ordi.regie.example")
		mail := notify.NewService(db, w.now)
		other := notify.NewService(db, w.now) // a second instance
		w.unit(toReady...)                    // ready
		w.reservation("A")                    // no appointment
		late := w.reservation("B")
		if _, err := w.alloc.SetAppointment(ctx, w.staff, late.ID, "2026-11-20"); err != nil {
			t.Fatal(err)
		}
		srv.Deliver(db) // the social worker's messages
		if wrote, err := mail.RunDigest(ctx, n); err != nil || wrote {
			t.Fatalf("without an hour set: %v %v", wrote, err)
		}
		hour := 16 // 15:00 in Paris now
		if _, err := mail.SaveSettings(ctx, w.admin, notify.Settings{DigestHour: &hour}); err != nil {
			t.Fatal(err)
		}
		if _, err := notify.NewService(db, w.now).SetPreferences(ctx, w.staff, nil); err != nil {
			t.Fatal(err)
		}
		if wrote, _ := mail.RunDigest(ctx, n); wrote {
			t.Fatal("written before its hour")
		}
		w.advance(26 * time.Hour) // the next day, 17:00 in Paris: B's appointment has passed
		for _, s := range []*notify.Service{mail, other, mail} {
			if _, err := s.RunDigest(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		var got []outboxtest.Received
		for _, m := range srv.Deliver(db) {
			if strings.Contains(m.Subject, "le point du") {
				got = append(got, m)
			}
		}
		if len(got) != 1 || got[0].To != "admin@x.org" || got[0].Subject != "Ordi : le point du 21/11/2026" {
			t.Fatalf("digests %+v", got)
		}
		for _, want := range []string{"1 ordinateur prêt", "1 réservation sans rendez-vous", "1 remise en retard", "https://ordi.regie.example/handovers"} {
			if !strings.Contains(got[0].Text, want) {
				t.Errorf("digest lacks %q:\n%s", want, got[0].Text)
			}
		}
	})
}
