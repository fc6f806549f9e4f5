package certificates_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

// TestStoredInputsRenderTheSameBytes: a certificate rendered from its
// stored inputs (the renderer's values through JSON, as the database keeps
// them between the commit and the rendering) is byte for byte the document
// rendered from the values themselves. A field added to a document that
// does not survive the trip fails here.
func TestStoredInputsRenderTheSameBytes(t *testing.T) {
	for name, tc := range map[string]struct {
		kind certificates.Kind
		doc  any
		want func() ([]byte, error)
	}{
		"handover": {certificates.KindHandover, handover(t), func() ([]byte, error) {
			var b bytes.Buffer
			err := certificates.RenderHandover(&b, handover(t))
			return b.Bytes(), err
		}},
		"donor": {certificates.KindDonor, donorCertificate(40), func() ([]byte, error) {
			var b bytes.Buffer
			err := certificates.RenderDonor(&b, donorCertificate(40))
			return b.Bytes(), err
		}},
	} {
		t.Run(name, func(t *testing.T) {
			input, err := json.Marshal(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := certificates.RenderStored(tc.kind, string(input))
			if err != nil {
				t.Fatal(err)
			}
			want, err := tc.want()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the stored inputs render other bytes than the document's values")
			}
		})
	}
	if _, err := certificates.RenderStored(certificates.KindHandover, "{not json"); err == nil {
		t.Fatal("unreadable inputs rendered")
	}
}

// certificateRow is what the database holds of a certificate.
type certificateRow struct {
	SHA256      string
	PDFBytes    int
	RenderInput *string
}

func rowOf(t *testing.T, db *gorm.DB, number string) certificateRow {
	t.Helper()
	var r certificateRow
	if err := db.Raw("SELECT sha256, LENGTH(pdf) AS pdf_bytes, render_input FROM certificates WHERE number = ?", number).Scan(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

// TestIssuedCertificatesKeepNoInputs: once issued, a certificate holds its
// PDF and hash, and no longer the inputs it was rendered from (they hold
// the signatory's name and signature).
func TestIssuedCertificatesKeepNoInputs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		cert, err := w.svc.Handover(ctx, w.vol, w.reservation("Famille Gelée").ID, certificates.HandoverInput{SignatoryName: canary, Signature: signature(t)})
		if err != nil {
			t.Fatal(err)
		}
		w.unit(toReady...)
		donor, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []certificates.Certificate{cert, donor} {
			sum := sha256.Sum256(c.PDF)
			row := rowOf(t, db, c.Number)
			if c.Pending() || row.RenderInput != nil || row.SHA256 != hex.EncodeToString(sum[:]) || row.PDFBytes != len(c.PDF) || len(c.PDF) == 0 {
				t.Fatalf("%s: pending %v, row %+v", c.Number, c.Pending(), row)
			}
		}
	})
}

// TestHandoverSurvivesAFailedRendering: the PDF is rendered after the
// handover's commit. When that rendering fails or panics (or the process
// dies then: the database is left the same), the handover stands with its
// number, the certificate waits with its inputs, and its first download
// renders it from them: the same bytes every time after, verifiable.
func TestHandoverSurvivesAFailedRendering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		failures := map[string]func(certificates.Kind, string) ([]byte, error){
			"error": func(certificates.Kind, string) ([]byte, error) { return nil, errors.New("disque plein") },
			"panic": func(certificates.Kind, string) ([]byte, error) { panic("glyphe inconnu") },
		}
		var pending []certificates.Certificate
		for _, name := range []string{"error", "panic"} {
			certificates.SetRenderer(w.svc, failures[name])
			r := w.reservation("Famille " + name)
			cert, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: canary, Signature: signature(t)})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !cert.Pending() || len(cert.PDF) != 0 {
				t.Fatalf("%s: certificate %s not pending", name, cert.Number)
			}
			u, _ := w.inv.Unit(ctx, w.staff, string(r.UnitCode))
			h, _ := w.alloc.Household(ctx, w.staff, r.HouseholdID)
			rv, _ := w.alloc.Reservation(ctx, w.staff, r.ID)
			if u.Status != inventory.StatusHandedOver || h.Status != allocation.StatusEquipped || rv.Status != allocation.ReservationHandedOver {
				t.Fatalf("%s: unit %s, family %s, reservation %s", name, u.Status, h.Status, rv.Status)
			}
			if row := rowOf(t, db, cert.Number); row.RenderInput == nil || row.SHA256 != "" || row.PDFBytes != 0 {
				t.Fatalf("%s: row %+v", name, row)
			}
			// Still failing: the download says so, and nothing is stored.
			if _, err := w.svc.Certificate(ctx, w.vol, cert.Number); err == nil {
				t.Fatalf("%s: a download rendered with a failing renderer", name)
			}
			pending = append(pending, cert)
		}
		if got := sequenceValue(t, db, "REM"); got != 2 {
			t.Fatalf("REM sequence at %d, want 2: one number per handover, none lost", got)
		}
		certificates.SetRenderer(w.svc, nil)
		for _, cert := range pending {
			got, err := w.svc.Certificate(ctx, w.vol, cert.Number)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(got.PDF)
			if got.Pending() || !bytes.HasPrefix(got.PDF, []byte("%PDF-")) || got.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("%s after repair: pending %v, %d bytes", cert.Number, got.Pending(), len(got.PDF))
			}
			if row := rowOf(t, db, cert.Number); row.RenderInput != nil || row.SHA256 != got.SHA256 {
				t.Fatalf("%s: row after repair %+v", cert.Number, row)
			}
			again, err := w.svc.Certificate(ctx, w.staff, cert.Number)
			if err != nil || !bytes.Equal(again.PDF, got.PDF) {
				t.Fatalf("%s: second download differs (%v)", cert.Number, err)
			}
			if v, err := w.svc.Verify(ctx, cert.Number); err != nil || v.SHA256 != got.SHA256 {
				t.Fatalf("%s: verify %+v %v", cert.Number, v, err)
			}
		}
	})
}

// TestPendingCertificateRenderedOnVerify: the public verification of a
// certificate left pending renders it first, so that it shows the hash of
// the bytes every later download returns.
func TestPendingCertificateRenderedOnVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		w.unit(toReady...)
		certificates.SetRenderer(w.svc, func(certificates.Kind, string) ([]byte, error) { return nil, errors.New("arrêt") })
		cert, err := w.svc.IssueDonorCertificate(ctx, w.staff, w.donation)
		if err != nil || !cert.Pending() {
			t.Fatalf("donor certificate %s pending %v: %v", cert.Number, cert.Pending(), err)
		}
		certificates.SetRenderer(w.svc, nil)
		v, err := w.svc.Verify(ctx, cert.Number)
		if err != nil || v.SHA256 == "" {
			t.Fatalf("verify %+v %v", v, err)
		}
		got, err := w.svc.Certificate(ctx, w.staff, cert.Number)
		sum := sha256.Sum256(got.PDF)
		if err != nil || hex.EncodeToString(sum[:]) != v.SHA256 {
			t.Fatalf("download after verification: %v", err)
		}
	})
}

// TestConcurrentRepairs: many readers of one pending certificate at once
// all get the same bytes, and the database keeps them.
func TestConcurrentRepairs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		certificates.SetRenderer(w.svc, func(certificates.Kind, string) ([]byte, error) { return nil, errors.New("arrêt") })
		cert, err := w.svc.Handover(ctx, w.vol, w.reservation("Famille Attendue").ID, certificates.HandoverInput{SignatoryName: "Signataire"})
		if err != nil || !cert.Pending() {
			t.Fatalf("%s pending %v: %v", cert.Number, cert.Pending(), err)
		}
		certificates.SetRenderer(w.svc, nil)
		const readers = 16
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			pdfs  = make([][]byte, readers)
		)
		for i := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := w.svc.Certificate(ctx, w.staff, cert.Number)
				if err != nil {
					t.Errorf("reader %d: %v", i, err)
					return
				}
				pdfs[i] = c.PDF
			}()
		}
		close(start)
		wg.Wait()
		for i := range pdfs {
			if len(pdfs[i]) == 0 || !bytes.Equal(pdfs[i], pdfs[0]) {
				t.Fatalf("reader %d got other bytes", i)
			}
		}
		if row := rowOf(t, db, cert.Number); row.RenderInput != nil || row.PDFBytes != len(pdfs[0]) {
			t.Fatalf("row %+v", row)
		}
	})
}

// TestRendersAreBounded: however many handovers are recorded at once, the
// service renders no more PDFs at a time than it has slots for (the cores),
// so that the rendering does not starve the transactions of CPU.
func TestRendersAreBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		const n = 6
		rs := make([]allocation.ReservationView, n)
		for i := range rs {
			rs[i] = w.reservation(fmt.Sprintf("Famille %d", i))
		}
		certificates.SetRenderSlots(w.svc, 1)
		var inside, most atomic.Int32
		certificates.SetRenderer(w.svc, func(k certificates.Kind, input string) ([]byte, error) {
			now := inside.Add(1)
			defer inside.Add(-1)
			for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond) // the rendering's work, not a synchronisation
			return certificates.RenderStored(k, input)
		})
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := w.svc.Handover(ctx, w.vol, rs[i].ID, certificates.HandoverInput{SignatoryName: "Signataire"})
				if err != nil || c.Pending() {
					t.Errorf("handover %d: pending %v, %v", i, c.Pending(), err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if m := most.Load(); m != 1 {
			t.Fatalf("%d PDFs rendered at once, want 1", m)
		}
	})
}

// TestErasureFreezesAPendingAttestation: a family whose attestation is still
// pending (its renderer failed) is erased: the attestation is rendered from
// its inputs first, so it exists, and the inputs, which hold the
// signatory's name and signature, are gone. While the renderer still fails,
// the erasure waits (409) rather than lose the attestation or keep the name.
func TestErasureFreezesAPendingAttestation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newWorld(t, db)
		certificates.SetRenderer(w.svc, func(certificates.Kind, string) ([]byte, error) { return nil, errors.New("disque plein") })
		r := w.reservation("Famille Pendante")
		cert, err := w.svc.Handover(ctx, w.vol, r.ID, certificates.HandoverInput{SignatoryName: canary, Signature: signature(t)})
		if err != nil || !cert.Pending() {
			t.Fatalf("handover: %v, pending %v", err, cert.Pending())
		}
		h, err := w.alloc.Household(ctx, w.staff, r.HouseholdID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, h.Reference); ordi.KindOf(err) != ordi.Conflict {
			t.Fatalf("erasure with the renderer failing: %v, want Conflict", err)
		}
		if got, _ := w.alloc.Household(ctx, w.staff, h.ID); got.ErasedAt != nil {
			t.Fatal("the refused erasure erased the family")
		}
		certificates.SetRenderer(w.svc, nil)
		if _, err := w.svc.EraseHousehold(ctx, w.admin, h.ID, h.Reference); err != nil {
			t.Fatal(err)
		}
		if row := rowOf(t, db, cert.Number); row.RenderInput != nil || row.SHA256 == "" || row.PDFBytes == 0 {
			t.Fatalf("after the erasure the attestation is %+v, want frozen without inputs", row)
		}
		got, err := w.svc.Certificate(ctx, w.staff, cert.Number)
		if err != nil || len(got.PDF) == 0 {
			t.Fatalf("attestation after the erasure: %v", err)
		}
	})
}
