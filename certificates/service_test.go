package certificates_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/numbering"
)

var ctx = context.Background()

type world struct {
	t        testing.TB
	db       *gorm.DB
	inv      *inventory.Service
	alloc    *allocation.Service
	svc      *certificates.Service
	admin    ordi.Actor
	staff    ordi.Actor
	vol      ordi.Actor
	trainer  ordi.Actor
	sw       ordi.Actor
	donation int64
	course   int64
	clock    atomic.Int64 // the services' time, in Unix nanoseconds
}

func now() time.Time { return time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC) }

// now is the world's clock, which starts at now() and moves with advance.
func (w *world) now() time.Time { return time.Unix(0, w.clock.Load()).UTC() }

func (w *world) advance(d time.Duration) { w.clock.Add(int64(d)) }

func newWorld(t testing.TB, db *gorm.DB) *world {
	w := &world{t: t, db: db}
	w.clock.Store(now().UnixNano())
	acc := account.NewService(db, w.now)
	w.inv = inventory.NewService(db, w.now)
	w.alloc = allocation.NewService(db, w.inv, w.now)
	w.svc = certificates.NewService(db, w.inv, w.alloc, "https://ordi.regie.example", w.now)
	p, _ := acc.CreatePartner(ctx, ordi.System, account.NewPartner{Name: "CCAS de Roubaix", Kind: account.PartnerCCAS})
	mk := func(email string, role ordi.Role, partner int64) ordi.Actor {
		u, err := acc.CreateUser(ctx, ordi.System, account.NewUser{Email: email, Name: email, Role: role, PartnerID: partner, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	w.staff, w.vol, w.sw = mk("staff@x.org", ordi.RoleStaff, 0), mk("vol@x.org", ordi.RoleVolunteer, 0), mk("sw@x.org", ordi.RoleSocialWorker, p.ID)
	w.admin, w.trainer = mk("admin@x.org", ordi.RoleAdmin, 0), mk("trainer@x.org", ordi.RoleTrainer, 0)
	if _, err := w.svc.SetIssuer(ctx, w.admin, certificates.Issuer{Name: "Régie Roubaix-Est", SIRET: "21750001600019", Address: "1 rue Haute\n59100 Roubaix", WarrantyMonths: 3}); err != nil {
		t.Fatal(err)
	}
	donor, _ := w.inv.CreateDonor(ctx, w.staff, inventory.NewDonor{Name: "Entreprise Généreuse", Kind: inventory.DonorCompany})
	d, err := w.inv.CreateDonation(ctx, w.staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	w.donation = d.ID
	c, err := w.alloc.CreateCourse(ctx, w.staff, allocation.NewCourse{Title: "Premiers pas", SessionDates: []string{"2026-10-05"}, RequiredSessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.course = c.ID
	return w
}

func (w *world) unit(path ...inventory.Status) inventory.Unit {
	w.t.Helper()
	weight := 1.8
	u, err := w.inv.CreateUnit(ctx, w.staff, inventory.NewUnit{DonationID: w.donation, UnitSpec: inventory.UnitSpec{
		Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "T480", SerialNumber: "PF" + fmt.Sprint(time.Now().UnixNano()%1e6), RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD, WeightKG: &weight}})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, st := range path {
		if st == inventory.StatusWiped || st == inventory.StatusDismantled {
			if _, err := w.inv.RecordErasure(ctx, w.staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "NVMe Sanitize", Tool: "nvme-cli", DriveSerial: "S3Z" + string(u.Code), Result: inventory.ErasurePassed}); err != nil {
				w.t.Fatal(err)
			}
		}
		in := inventory.TransitionInput{}
		if st == inventory.StatusRecycled {
			in.Outlet, in.OutletReference = "Ecologic", "BE-1"
		}
		if u, err = w.inv.Transition(ctx, w.staff, string(u.Code), st, in); err != nil {
			w.t.Fatal(err)
		}
	}
	return u
}

var toReady = []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady}

// reservation returns an active reservation of a new ready unit for a new
// trained family named name.
func (w *world) reservation(name string) allocation.ReservationView {
	w.t.Helper()
	h, err := w.alloc.Nominate(ctx, w.sw, allocation.NewHousehold{ContactName: name, Commune: "Roubaix", QPV: true, Adults: 1, Need: allocation.NeedAny, Consent: true, IncomeBracket: "QF1"})
	if err != nil {
		w.t.Fatal(err)
	}
	w.alloc.Decide(ctx, w.staff, h.ID, true, "")
	if err := w.alloc.Enroll(ctx, w.staff, w.course, h.ID); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.alloc.RecordAttendance(ctx, w.staff, w.course, allocation.Mark{HouseholdID: h.ID, Session: 1, Present: true}); err != nil {
		w.t.Fatal(err)
	}
	u := w.unit(toReady...)
	r, err := w.alloc.Reserve(ctx, w.staff, h.ID, string(u.Code))
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func sequenceValue(t *testing.T, db *gorm.DB, series string) int {
	var v int
	db.Raw("SELECT COALESCE(MAX(value), 0) FROM sequences WHERE series = ?", series).Scan(&v)
	return v
}

func TestHandoverIssuesAFrozenCertificate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r := w.reservation(canary)
		cert, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: canary, Signature: signature(t), Accessories: []string{"chargeur", " ", "souris"}})
		if err != nil {
			t.Fatal(err)
		}
		if cert.Number != "REM-2026-0001" || cert.Kind != certificates.KindHandover {
			t.Fatalf("certificate %s %s", cert.Number, cert.Kind)
		}
		sum := sha256.Sum256(cert.PDF)
		if cert.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatal("stored hash does not match the bytes")
		}
		// Unit, family and reservation moved together.
		u, _ := w.inv.Unit(ctx, w.staff, string(r.UnitCode))
		h, _ := w.alloc.Household(ctx, w.staff, r.HouseholdID)
		rv, _ := w.alloc.Reservation(ctx, w.staff, r.ID)
		if u.Status != inventory.StatusHandedOver || h.Status != allocation.StatusEquipped || rv.Status != allocation.ReservationHandedOver {
			t.Fatalf("after handover: unit %s, family %s, reservation %s", u.Status, h.Status, rv.Status)
		}
		// The download is the frozen bytes.
		got, err := w.svc.Certificate(ctx, w.vol, strings.ToLower(cert.Number))
		if err != nil || string(got.PDF) != string(cert.PDF) {
			t.Fatalf("download differs: %v", err)
		}
		// The public view holds the unit, never the family.
		v, err := w.svc.Verify(ctx, cert.Number)
		if err != nil || len(v.Units) != 1 || v.Units[0].Code != string(r.UnitCode) || v.SHA256 != cert.SHA256 || v.Issuer != "Régie Roubaix-Est" {
			t.Fatalf("verify %+v %v", v, err)
		}
		if strings.Contains(fmt.Sprintf("%+v", v), "Canari") || strings.Contains(fmt.Sprintf("%+v", v), h.Reference) {
			t.Fatal("the public view discloses the family")
		}
		// A second handover of the same reservation: 409, no number consumed.
		if _, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: "X"}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("second handover: %v", err)
		}
		if v := sequenceValue(t, db, "REM"); v != 1 {
			t.Fatalf("REM sequence at %d after a refused handover", v)
		}
	})
}

func TestHandoverRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r := w.reservation("Famille A")
		for name, in := range map[string]certificates.HandoverInput{
			"no signatory":   {SignatoryName: "  "},
			"not a PNG":      {SignatoryName: "A", Signature: []byte("<svg/>")},
			"signature 2 MB": {SignatoryName: "A", Signature: append(signature(t), make([]byte, 2<<20)...)},
			"long accessory": {SignatoryName: "A", Accessories: []string{strings.Repeat("x", 200)}},
		} {
			t.Run(name, func(t *testing.T) {
				if _, err := w.svc.Handover(ctx, w.vol, r.ID, in); !errors.Is(err, ordi.Invalid) {
					t.Fatalf("err = %v, want Invalid", err)
				}
			})
		}
		// A cancelled reservation cannot be handed over.
		if _, err := w.alloc.Cancel(ctx, w.staff, r.ID, "absent"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: "A"}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("cancelled reservation: %v", err)
		}
		if _, err := w.svc.Handover(ctx, w.vol, 99999, certificates.HandoverInput{SignatoryName: "A"}); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("unknown reservation: %v", err)
		}
		if _, err := w.svc.Handover(ctx, w.sw, r.ID, certificates.HandoverInput{SignatoryName: "A"}); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("social worker handing over: %v", err)
		}
		var n int64
		db.Table("certificates").Count(&n)
		if n != 0 || sequenceValue(t, db, "REM") != 0 {
			t.Fatalf("refused handovers left %d certificates, sequence %d", n, sequenceValue(t, db, "REM"))
		}
	})
}

// TestConcurrentHandoversGetConsecutiveNumbers hands over 32 reservations at
// once: 32 certificates with distinct, consecutive numbers.
func TestConcurrentHandoversGetConsecutiveNumbers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		const n = 32
		rs := make([]allocation.ReservationView, n)
		for i := range rs {
			rs[i] = w.reservation(fmt.Sprintf("Famille %d", i))
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			numbers []string
			start   = make(chan struct{})
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := w.svc.Handover(ctx, w.vol, rs[i].ID, certificates.HandoverInput{SignatoryName: "Signataire"})
				if err != nil {
					t.Errorf("handover %d: %v", i, err)
					return
				}
				mu.Lock()
				numbers = append(numbers, c.Number)
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		slices.Sort(numbers)
		for i, got := range numbers {
			if want := numbering.Format("REM", 2026, i+1); got != want {
				t.Fatalf("numbers %v: want REM-2026-0001 … %d, consecutive and distinct", numbers, n)
			}
		}
		if len(numbers) != n {
			t.Fatalf("%d certificates, want %d", len(numbers), n)
		}
	})
}

func TestDonorCertificate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		reused := w.unit(toReady...)
		recycled := w.unit(inventory.StatusDiagnosed, inventory.StatusDismantled, inventory.StatusRecycled)
		pending := w.unit(inventory.StatusDiagnosed)
		_, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict {
			t.Fatalf("with a pending unit: %v", err)
		}
		if codes, _ := e.Extra["pending"].([]string); len(codes) != 1 || codes[0] != string(pending.Code) {
			t.Fatalf("pending = %v", e.Extra["pending"])
		}
		if sequenceValue(t, db, "DON") != 0 {
			t.Fatal("a refused certificate consumed a number")
		}
		for _, st := range []inventory.Status{inventory.StatusDismantled} {
			w.inv.RecordErasure(ctx, w.staff, string(pending.Code), inventory.NewErasure{Category: inventory.ErasureDestroy, Technique: "Broyage", Result: inventory.ErasurePassed})
			if _, err := w.inv.Transition(ctx, w.staff, string(pending.Code), st, inventory.TransitionInput{}); err != nil {
				t.Fatal(err)
			}
		}
		first, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := w.svc.Verify(ctx, first.Number)
		if first.Number != "DON-2026-0001" || len(v.Units) != 3 || v.SupersededBy != "" {
			t.Fatalf("first %s %+v", first.Number, v)
		}
		outcomes := map[string]string{}
		for _, u := range v.Units {
			outcomes[u.Code] = u.Outcome
		}
		if outcomes[string(reused.Code)] != "Prêt au réemploi" || !strings.HasPrefix(outcomes[string(recycled.Code)], "Recyclé") {
			t.Fatalf("outcomes %v", outcomes)
		}
		if strings.Contains(fmt.Sprintf("%+v", v), "Entreprise Généreuse") {
			t.Fatal("the public page names the donor")
		}
		// A re-issue gets a new number; the old one says superseded.
		// A donor certificate is re-issued from its donation, not corrected
		// as an attestation.
		if _, err := w.svc.ReissueHandover(ctx, w.staff, first.Number, certificates.HandoverInput{SignatoryName: "A"}, "x"); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("correcting a donor certificate as an attestation: %v", err)
		}
		second, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil || second.Number != "DON-2026-0002" {
			t.Fatalf("re-issue %s %v", second.Number, err)
		}
		old, _ := w.svc.Verify(ctx, first.Number)
		if old.SupersededBy != second.Number {
			t.Fatalf("old certificate superseded by %q", old.SupersededBy)
		}
		if _, err := w.svc.IssueDonorCertificate(ctx, w.vol, w.donation); !errors.Is(err, ordi.Forbidden) {
			t.Fatalf("volunteer issuing: %v", err)
		}
		if _, err := w.svc.Certificate(ctx, w.vol, second.Number); !errors.Is(err, ordi.NotFound) {
			t.Fatalf("volunteer reading a donor certificate: %v", err)
		}
		list, err := w.svc.Certificates(ctx, w.staff, certificates.CertificateFilter{DonationID: w.donation})
		if err != nil || len(list) != 2 || list[0].PDF != nil {
			t.Fatalf("list %d %v", len(list), err)
		}
	})
}

func TestVerifyUnknown(t *testing.T) {
	w := newWorld(t, dbtest.OpenSQLite(t))
	for _, n := range []string{"", "REM-2026-9999", "nope", "DON-26-1", "REM-2026-0001; DROP TABLE"} {
		if _, err := w.svc.Verify(ctx, n); !errors.Is(err, ordi.NotFound) {
			t.Errorf("Verify(%q) = %v, want NotFound", n, err)
		}
	}
}

func TestIssuerSettings(t *testing.T) {
	w := newWorld(t, dbtest.OpenSQLite(t))
	if _, err := w.svc.SetIssuer(ctx, w.staff, certificates.Issuer{Name: "X"}); !errors.Is(err, ordi.Forbidden) {
		t.Fatalf("staff setting the identity: %v", err)
	}
	admin := ordi.Actor{Role: ordi.RoleAdmin, Name: "A"}
	for name, i := range map[string]certificates.Issuer{
		"no name":   {Name: ""},
		"bad SIRET": {Name: "X", SIRET: "12345678901234"},
		"bad logo":  {Name: "X", Logo: []byte("GIF89a")},
	} {
		if _, err := w.svc.SetIssuer(ctx, admin, i); !errors.Is(err, ordi.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	got, _ := w.svc.Issuer(ctx)
	if got.Name != "Régie Roubaix-Est" {
		t.Fatalf("issuer %+v", got)
	}
}

// TestReissueHandover corrects an attestation: the family signs again, the
// correction gets the next number, the old one says it was superseded, and
// refused corrections change nothing and consume no number.
func TestReissueHandover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		r := w.reservation("Famille Corrigée")
		first, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: "Mme Corigée", Accessories: []string{"chargeur"}})
		if err != nil {
			t.Fatal(err)
		}
		good := certificates.HandoverInput{SignatoryName: "Mme Corrigée", Signature: signature(t), Accessories: []string{"chargeur", "souris"}}
		for name, tc := range map[string]struct {
			actor  ordi.Actor
			number string
			in     certificates.HandoverInput
			reason string
			kind   ordi.Kind
		}{
			"volunteer":      {w.vol, first.Number, good, "nom mal orthographié", ordi.Forbidden},
			"no reason":      {w.staff, first.Number, good, "  ", ordi.Invalid},
			"no signatory":   {w.staff, first.Number, certificates.HandoverInput{}, "nom", ordi.Invalid},
			"not a PNG":      {w.staff, first.Number, certificates.HandoverInput{SignatoryName: "A", Signature: []byte("GIF89a")}, "nom", ordi.Invalid},
			"unknown number": {w.staff, "REM-2026-0999", good, "nom", ordi.NotFound},
		} {
			t.Run(name, func(t *testing.T) {
				if _, err := w.svc.ReissueHandover(ctx, tc.actor, tc.number, tc.in, tc.reason); !errors.Is(err, tc.kind) {
					t.Fatalf("err = %v, want %v", err, tc.kind)
				}
			})
		}
		if v := sequenceValue(t, db, "REM"); v != 1 {
			t.Fatalf("refused corrections moved the sequence to %d", v)
		}
		second, err := w.svc.ReissueHandover(ctx, w.staff, first.Number, good, "nom mal orthographié, souris oubliée")
		if err != nil {
			t.Fatal(err)
		}
		if second.Number != "REM-2026-0002" || second.ReservationID == nil || *second.ReservationID != r.ID || string(second.PDF) == string(first.PDF) {
			t.Fatalf("correction %s for reservation %v", second.Number, second.ReservationID)
		}
		old, err := w.svc.Verify(ctx, first.Number)
		if err != nil || old.SupersededBy != second.Number {
			t.Fatalf("old attestation's public view %+v %v", old, err)
		}
		if cur, _ := w.svc.Verify(ctx, second.Number); cur.SupersededBy != "" || len(cur.Units) != 1 || cur.Units[0].Code != string(r.UnitCode) {
			t.Fatalf("new attestation's public view %+v", cur)
		}
		// The superseded one cannot be corrected again; the current one can.
		if _, err := w.svc.ReissueHandover(ctx, w.staff, first.Number, good, "encore"); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("correcting a superseded attestation: %v", err)
		}
		if v := sequenceValue(t, db, "REM"); v != 2 {
			t.Fatalf("a refused correction moved the sequence to %d", v)
		}
		if third, err := w.svc.ReissueHandover(ctx, w.staff, second.Number, good, "lieu"); err != nil || third.Number != "REM-2026-0003" {
			t.Fatalf("second correction: %v %v", third.Number, err)
		}
	})
}
