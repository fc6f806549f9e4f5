package certificates

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/numbering"
)

// A numbered certificate is issued in two steps, so that no PDF is rendered
// while its number's lock (and, on SQLite, the database's write lock) is
// held:
//
//  1. the transaction that makes the change (a handover, a correction, a
//     donor's certificate) prepares the document, takes the number last and
//     writes the certificate's row with the document's inputs — the
//     renderer's plain values, as JSON, in render_input — and no PDF yet;
//  2. after the commit, the PDF is rendered from those inputs and stored,
//     with its SHA-256, by a conditional update that also clears the inputs.
//
// Rendering is deterministic, so when the second step does not happen (the
// process dies in between, the renderer or the database fails), rendering
// again from the stored inputs gives the very bytes it would have given: the
// next read of the certificate (its download, its verification) does it.

// takeNumber takes the next number of kind's yearly series inside tx. Call
// it last in the transaction: the number's lock is held until the commit.
func takeNumber(tx *gorm.DB, kind Kind, now time.Time) (string, error) {
	seq, err := numbering.Next(tx, kind.series(), now.Year())
	if err != nil {
		return "", err
	}
	return numbering.Format(kind.series(), now.Year(), seq), nil
}

// insertPending writes the row of a certificate whose PDF is not rendered
// yet: step 1. doc is the renderer's input (Handover, DonorCertificate).
func (s *Service) insertPending(tx *gorm.DB, a ordi.Actor, number string, kind Kind, at time.Time, doc any, public PublicView, details string, donationID, reservationID *int64) (Certificate, error) {
	input, err := json.Marshal(doc)
	if err != nil {
		return Certificate{}, fmt.Errorf("inputs of %s: %w", number, err)
	}
	in := string(input)
	pub, _ := json.Marshal(public)
	c := Certificate{Number: number, Kind: kind, IssuedAt: at, IssuedByName: a.Name, DonationID: donationID, ReservationID: reservationID,
		PDF: []byte{}, Public: string(pub), Details: details, RenderInput: &in}
	if a.UserID != 0 {
		id := a.UserID
		c.IssuedByID = &id
	}
	if err := tx.Create(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Certificate{}, ordi.Errorf(ordi.Conflict, "Un certificat existe déjà pour cette remise.")
		}
		return Certificate{}, fmt.Errorf("store certificate: %w", err)
	}
	return c, nil
}

// renderStored renders a certificate's PDF from its stored inputs.
func renderStored(kind Kind, input string) ([]byte, error) {
	var (
		buf bytes.Buffer
		err error
	)
	switch kind {
	case KindHandover:
		var doc Handover
		if err := json.Unmarshal([]byte(input), &doc); err != nil {
			return nil, fmt.Errorf("inputs of a handover certificate: %w", err)
		}
		err = RenderHandover(&buf, doc)
	case KindDonor:
		var doc DonorCertificate
		if err := json.Unmarshal([]byte(input), &doc); err != nil {
			return nil, fmt.Errorf("inputs of a donor certificate: %w", err)
		}
		err = RenderDonor(&buf, doc)
	default:
		return nil, fmt.Errorf("render certificate: unknown kind %q", kind)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// freeze renders a pending certificate from its inputs and stores the PDF,
// its SHA-256 and the public view's hash, clearing the inputs: step 2, or
// its repair. A frozen certificate is returned as it is. Of two freezes of
// one certificate, one stores the bytes and the other reads them (they are
// the same bytes).
func (s *Service) freeze(ctx context.Context, c Certificate) (Certificate, error) {
	if !c.Pending() {
		return c, nil
	}
	cols, err := s.frozenColumns(c)
	if err != nil {
		return c, err
	}
	// The change is committed: a client that goes away must not leave its
	// certificate unrendered.
	db := s.db.WithContext(context.WithoutCancel(ctx))
	res := db.Model(&Certificate{}).Where("id = ? AND render_input IS NOT NULL", c.ID).Updates(cols)
	if res.Error != nil {
		return c, fmt.Errorf("freeze certificate %s: %w", c.Number, res.Error)
	}
	if res.RowsAffected == 0 {
		return s.find(ctx, c.Number)
	}
	c.PDF, c.SHA256, c.Public, c.RenderInput = cols["pdf"].([]byte), cols["sha256"].(string), cols["public"].(string), nil
	return c, nil
}

// frozenColumns renders a pending certificate from its inputs and returns
// the columns that freeze it: the PDF, its SHA-256, the public view with
// the hash, and the inputs cleared.
func (s *Service) frozenColumns(c Certificate) (map[string]any, error) {
	s.renders <- struct{}{}
	pdf, err := s.renderSafely(c.Kind, *c.RenderInput)
	<-s.renders
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Number, err)
	}
	sum := sha256.Sum256(pdf)
	hash := hex.EncodeToString(sum[:])
	var public PublicView
	if err := json.Unmarshal([]byte(c.Public), &public); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Number, err)
	}
	public.SHA256 = hash
	pub, _ := json.Marshal(public)
	return map[string]any{"pdf": pdf, "sha256": hash, "public": string(pub), "render_input": nil}, nil
}

// renderSafely renders from stored inputs. A renderer that panics is an
// error here, not a crash: the change the certificate documents is already
// committed, and its answer must say so.
func (s *Service) renderSafely(kind Kind, input string) (pdf []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render %s certificate: panic: %v", kind, r)
		}
	}()
	return s.render(kind, input)
}

// freezeIssued is step 2 right after the commit of step 1. It does not
// fail: the certificate exists and its number is taken, so when rendering
// fails the certificate is returned pending, and its next read renders it.
func (s *Service) freezeIssued(ctx context.Context, c Certificate) Certificate {
	if frozen, err := s.freeze(ctx, c); err == nil {
		return frozen
	}
	return c
}
