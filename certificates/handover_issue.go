package certificates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
	"gorm.io/gorm"
)

// HandoverInput is what the handover desk records.
type HandoverInput struct {
	SignatoryName string
	// Signature is the PNG drawn on the tablet; nil to sign on paper.
	Signature   []byte
	Accessories []string
	Place       string
}

func (in *HandoverInput) validate() error {
	in.SignatoryName = strings.TrimSpace(in.SignatoryName)
	in.Place = strings.TrimSpace(in.Place)
	var v ordi.Validation
	switch n := len([]rune(in.SignatoryName)); {
	case n == 0:
		v.Add("signatory_name", "Indiquez le nom de la personne qui signe pour la famille.")
	case n > 120:
		v.Add("signatory_name", "Nom trop long (120 caractères au plus).")
	}
	if len([]rune(in.Place)) > maxPlace {
		v.Addf("place", "Lieu trop long (%d caractères au plus).", maxPlace)
	}
	if msg := checkSignature(in.Signature); msg != "" {
		v.Add("signature_png", msg)
	}
	var acc []string
	for _, a := range in.Accessories {
		if a = strings.TrimSpace(a); a != "" {
			if len([]rune(a)) > 80 {
				v.Add("accessories", "Accessoire décrit trop longuement (80 caractères au plus).")
				break
			}
			acc = append(acc, a)
		}
	}
	if len(acc) > maxAccessories {
		v.Addf("accessories", "%d accessoires au plus.", maxAccessories)
	}
	in.Accessories = acc
	return v.Err()
}

// maxPlace bounds the place of a handover, printed on the attestation.
const maxPlace = 200

// Handover records the handover of a reserved unit to its family, in one
// transaction: reservation closed, unit handed over, family equipped, and
// the certificate REM-YYYY-NNNN numbered with its document's inputs. Bad
// input and a closed reservation change nothing and consume no number. The
// PDF is rendered after the commit (frozen.go): should that fail, the
// handover stands and the certificate is returned pending, rendered at its
// first download.
func (s *Service) Handover(ctx context.Context, a ordi.Actor, reservationID int64, in HandoverInput) (Certificate, error) {
	if err := a.Require(ordi.HandOver, "La remise se fait par l'équipe ou un bénévole."); err != nil {
		return Certificate{}, err
	}
	if err := in.validate(); err != nil {
		return Certificate{}, err
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return Certificate{}, err
	}
	var cert Certificate
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		facts, err := s.allocation.CompleteHandover(ctx, tx, a, reservationID)
		if err != nil {
			return err
		}
		doc, err := s.handoverDocument(ctx, tx, a, facts, in, issuer)
		if err != nil {
			return err
		}
		now := s.now()
		number, err := takeNumber(tx, KindHandover, now)
		if err != nil {
			return err
		}
		if cert, err = s.insertHandover(tx, a, facts, in, doc, number, now, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, "certificate.issue", "certificate", number, "")
	})
	if err != nil {
		return Certificate{}, err
	}
	return s.freezeIssued(ctx, cert), nil
}

// handoverDocument prepares the attestation of a handed-over reservation:
// everything but its number, which is taken last.
func (s *Service) handoverDocument(ctx context.Context, tx *gorm.DB, a ordi.Actor, facts allocation.HandoverFacts, in HandoverInput, issuer Issuer) (Handover, error) {
	doc := Handover{
		Place: in.Place, Issuer: issuer,
		HouseholdReference: facts.Household.Reference, Signatory: in.SignatoryName, PartnerName: facts.PartnerName,
		Unit: unitInfo(facts.Unit), Accessories: in.Accessories, Signature: in.Signature,
	}
	if doc.Place == "" {
		doc.Place = issuerTown(issuer)
	}
	if c := facts.Course; c != nil {
		doc.Course = &CourseInfo{Title: c.Title, Dates: c.Dates, Attended: c.Attended, Sessions: len(c.Dates)}
	}
	erasures, err := s.inventory.WithTx(tx).Erasures(ctx, a, facts.Unit.ID)
	if err != nil {
		return Handover{}, err
	}
	if e := lastPassed(erasures); e != nil {
		info := erasureInfo(*e)
		doc.Erasure = &info
	}
	return doc, nil
}

// insertHandover numbers a prepared attestation and writes it pending
// (frozen.go). corrects is the number of the attestation it replaces, if
// any.
func (s *Service) insertHandover(tx *gorm.DB, a ordi.Actor, facts allocation.HandoverFacts, in HandoverInput, doc Handover, number string, now time.Time, corrects string) (Certificate, error) {
	doc.Number, doc.IssuedAt, doc.VerifyURL, doc.Replaces = number, now, s.VerifyURL(number), corrects
	u := facts.Unit
	public := PublicView{Number: number, Kind: KindHandover, KindLabel: KindHandover.Label(), IssuedAt: now, Issuer: doc.Issuer.Name,
		IssuerSIRET: doc.Issuer.SIRET, Units: []PublicUnit{{Code: string(u.Code), Model: u.Title()}}}
	d := map[string]any{"signatory": in.SignatoryName, "accessories": in.Accessories, "signed_on_tablet": in.Signature != nil}
	if corrects != "" {
		d["corrects"] = corrects
	}
	details, _ := json.Marshal(d)
	rid := facts.Reservation.ID
	return s.insertPending(tx, a, number, KindHandover, now, doc, public, string(details), nil, &rid)
}

// ReissueHandover corrects a handover attestation (a misspelt name, a
// forgotten accessory): the family signs again, the new attestation gets
// the next REM number, and the old one is marked superseded by it (the
// verify page says so). Staff only. Bad input, an unknown or already
// superseded number change nothing and consume no number. As for a
// handover, the PDF is rendered after the commit.
func (s *Service) ReissueHandover(ctx context.Context, a ordi.Actor, number string, in HandoverInput, reason string) (Certificate, error) {
	if err := a.Require(ordi.Allocate, "Une attestation se corrige par l'équipe."); err != nil {
		return Certificate{}, err
	}
	err := in.validate()
	var v ordi.Validation
	if err := v.Merge(err); err != nil {
		return Certificate{}, err
	}
	reason = strings.TrimSpace(reason)
	switch n := len([]rune(reason)); {
	case n == 0:
		v.Add("reason", "Dites ce que corrige la nouvelle attestation.")
	case n > maxReason:
		v.Addf("reason", "Motif trop long (%d caractères au plus).", maxReason)
	}
	if err := v.Err(); err != nil {
		return Certificate{}, err
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return Certificate{}, err
	}
	var cert Certificate
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old Certificate
		if err := tx.Select("id, number, kind, reservation_id, superseded_by").Where("number = ?", number).Take(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ordi.Errorf(ordi.NotFound, "Attestation inconnue.")
			}
			return err
		}
		if old.Kind != KindHandover || old.ReservationID == nil {
			return ordi.Errorf(ordi.Conflict, "%s n'est pas une attestation de remise : un certificat de don se réédite depuis la page du don.", number)
		}
		if old.SupersededBy != nil {
			return ordi.Errorf(ordi.Conflict, "L'attestation %s a déjà été remplacée par %s : corrigez celle-ci.", number, *old.SupersededBy)
		}
		facts, err := s.allocation.HandedOverFacts(ctx, tx, a, *old.ReservationID)
		if err != nil {
			return err
		}
		doc, err := s.handoverDocument(ctx, tx, a, facts, in, issuer)
		if err != nil {
			return err
		}
		now := s.now()
		next, err := takeNumber(tx, KindHandover, now)
		if err != nil {
			return err
		}
		res := tx.Model(&Certificate{}).Where("id = ? AND superseded_by IS NULL", old.ID).
			Updates(map[string]any{"superseded_by": next, "superseded_at": now})
		if res.Error != nil {
			return fmt.Errorf("supersede %s: %w", number, res.Error)
		}
		if res.RowsAffected == 0 {
			return ordi.Errorf(ordi.Conflict, "L'attestation %s vient d'être corrigée par quelqu'un d'autre.", number)
		}
		if cert, err = s.insertHandover(tx, a, facts, in, doc, next, now, number); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, "certificate.reissue", "certificate", next, "remplace "+number+" : "+reason)
	})
	if err != nil {
		return Certificate{}, err
	}
	return s.freezeIssued(ctx, cert), nil
}

func issuerTown(i Issuer) string {
	lines := i.AddressLines()
	if len(lines) == 0 {
		return ""
	}
	// "59100 Roubaix" → "Roubaix"
	last := lines[len(lines)-1]
	if f := strings.Fields(last); len(f) > 1 && len(f[0]) == 5 {
		return strings.Join(f[1:], " ")
	}
	return last
}
