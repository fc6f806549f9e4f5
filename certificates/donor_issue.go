package certificates

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/inventory/hwreport"
	"github.com/ordi-app/ordi/outbox"
	"gorm.io/gorm"
)

// outcomeOf tells what became of a settled unit.
func outcomeOf(st inventory.Status) (Outcome, bool) {
	switch st {
	case inventory.StatusHandedOver:
		return OutcomeHandedOver, true
	case inventory.StatusReady:
		return OutcomeReady, true
	case inventory.StatusReserved:
		return OutcomeReserved, true
	case inventory.StatusDismantled:
		return OutcomeDismantled, true
	case inventory.StatusRecycled:
		return OutcomeRecycled, true
	}
	return "", false
}

// IssueDonorCertificate issues the donor's certificate for a donation once
// every unit is settled (reused, dismantled or recycled) and sanitised;
// otherwise Conflict with Extra["pending"] listing the codes still waiting.
// The association's SIRET must be known: a donor (a company's accounts, a
// public body's) cannot use a certificate without it.
// Issuing again gives a new number and marks the previous one superseded.
// The PDF is rendered after the commit (frozen.go); should that fail, the
// certificate is returned pending and rendered at its first download.
func (s *Service) IssueDonorCertificate(ctx context.Context, a ordi.Actor, donationID int64) (Certificate, error) {
	if err := a.Require(ordi.IssueDonorCertificates, "Les certificats des donateurs sont délivrés par l'équipe."); err != nil {
		return Certificate{}, err
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return Certificate{}, err
	}
	if issuer.SIRET == "" {
		return Certificate{}, ordi.Errorf(ordi.Conflict, "Le numéro SIRET de l'association n'est pas renseigné : un administrateur doit le saisir (Administration, Association) avant que le certificat puisse être délivré.")
	}
	var cert Certificate
	var mailID int64 // the donor's message, waiting for the PDF
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inv := s.inventory.WithTx(tx)
		donation, err := inv.Donation(ctx, a, donationID)
		if err != nil {
			return err
		}
		donor, err := inv.Donor(ctx, a, donation.DonorID)
		if err != nil {
			return err
		}
		var units []inventory.Unit
		if err := tx.Where("donation_id = ?", donationID).Order("id").Limit(maxCertifiedUnits + 1).Find(&units).Error; err != nil {
			return fmt.Errorf("units of donation: %w", err)
		}
		if len(units) == 0 {
			return ordi.Errorf(ordi.Conflict, "Ce don n'a aucune unité : il n'y a rien à certifier.")
		}
		if len(units) > maxCertifiedUnits {
			return ordi.Errorf(ordi.Conflict, "Plus de %d unités : découpez le don.", maxCertifiedUnits)
		}
		ids := make([]int64, len(units))
		for i, u := range units {
			ids[i] = u.ID
		}
		var erasures []inventory.Erasure
		for start := 0; start < len(ids); start += 500 {
			batch, err := inv.Erasures(ctx, a, ids[start:min(start+500, len(ids))]...)
			if err != nil {
				return err
			}
			erasures = append(erasures, batch...)
		}
		drives := map[int64][]inventory.Drive{}
		for start := 0; start < len(ids); start += 500 {
			batch, err := inv.DrivesOf(ctx, a, ids[start:min(start+500, len(ids))]...)
			if err != nil {
				return err
			}
			for id, ds := range batch {
				drives[id] = ds
			}
		}
		byUnit := map[int64][]inventory.Erasure{}
		for _, e := range erasures {
			byUnit[e.UnitID] = append(byUnit[e.UnitID], e)
		}
		var pending []string
		rows := make([]DonorUnit, 0, len(units))
		public := PublicView{Kind: KindDonor, KindLabel: KindDonor.Label(), Issuer: issuer.Name, IssuerSIRET: issuer.SIRET}
		for _, u := range units {
			outcome, settled := outcomeOf(u.Status)
			f, err := inv.Facts(ctx, a, u)
			if err != nil {
				return err
			}
			if !settled || !f.Sanitised() {
				pending = append(pending, string(u.Code))
				continue
			}
			row := DonorUnit{UnitInfo: unitInfo(u), Outcome: outcome}
			row.Kind = shortKind(u.Kind)
			if u.Outlet != "" {
				row.Outlet = u.Outlet + " " + u.OutletReference
			}
			row.Erasures, row.Unerased = driveErasures(byUnit[u.ID], drives[u.ID])
			row.Failures = recoveries(byUnit[u.ID])
			rows = append(rows, row)
			public.Units = append(public.Units, PublicUnit{Code: string(u.Code), Model: u.Title(), Outcome: outcome.Label()})
		}
		if len(pending) > 0 {
			return &ordi.Error{Kind: ordi.Conflict,
				Message: pendingMessage(len(pending)),
				Extra:   map[string]any{"pending": pending}}
		}
		doc := DonorCertificate{Issuer: issuer, Units: rows,
			Donor:    DonorInfo{Name: donor.Name, Kind: donor.Kind.Label(), SIRET: donor.SIRET, Address: donor.Address},
			Donation: DonationInfo{ReceivedOn: donation.ReceivedOn, Site: donation.Site, Reference: donation.Reference}}
		now := s.now()
		number, err := takeNumber(tx, KindDonor, now)
		if err != nil {
			return err
		}
		doc.Number, doc.IssuedAt, doc.VerifyURL = number, now, s.VerifyURL(number)
		public.Number, public.IssuedAt = number, now
		did := donationID
		// An earlier certificate of this donation is superseded by this
		// one, which names it.
		var previous []string
		if err := tx.Model(&Certificate{}).Where("donation_id = ? AND superseded_by IS NULL", donationID).Order("id DESC").Limit(1).
			Pluck("number", &previous).Error; err != nil {
			return fmt.Errorf("previous certificate: %w", err)
		}
		if len(previous) > 0 {
			doc.Replaces = previous[0]
		}
		if err := tx.Model(&Certificate{}).Where("donation_id = ? AND superseded_by IS NULL", donationID).
			Updates(map[string]any{"superseded_by": number, "superseded_at": now}).Error; err != nil {
			return fmt.Errorf("supersede: %w", err)
		}
		if cert, err = s.insertPending(tx, a, number, KindDonor, now, doc, public, "", &did, nil); err != nil {
			return err
		}
		if s.notify != nil && donor.Email != "" {
			m := s.notify.DonorCertificateMail(number, s.VerifyURL(number))
			m.To, m.AwaitAttachment = donor.Email, true
			msg, err := s.notify.To(tx, m, now)
			if err != nil {
				return err
			}
			mailID = msg.ID
		}
		return audit.Record(ctx, tx, now, a, "certificate.issue", "certificate", number, "")
	})
	if err != nil {
		return Certificate{}, err
	}
	cert = s.freezeIssued(ctx, cert)
	if mailID != 0 && !cert.Pending() {
		// Should this fail, the message leaves after outbox.Lease with
		// its /verify link but without the PDF.
		_ = outbox.Attach(ctx, s.db, mailID, cert.Number+".pdf", cert.PDF, s.now())
	}
	return cert, nil
}

// driveErasures lists the passed erasures of a unit, each with the serial
// of the drive it erased, and the serials of the unit's drives that no
// passed erasure names. An erasure names a drive by its reference (read
// from a report) or by its serial (typed, compared trimmed and upper case);
// one that names no drive, on a unit with a single drive, is that drive's.
func driveErasures(es []inventory.Erasure, drives []inventory.Drive) ([]ErasureInfo, []string) {
	var out []ErasureInfo
	erased := map[int64]bool{}
	for _, e := range es {
		if e.Result != inventory.ErasurePassed {
			continue
		}
		info := erasureInfo(e)
		for _, d := range drives {
			named := (e.DriveID != nil && *e.DriveID == d.ID) ||
				(d.Serial != "" && hwreport.NormalizeSerial(e.DriveSerial) == d.Serial) ||
				(len(drives) == 1 && e.DriveID == nil && strings.TrimSpace(e.DriveSerial) == "")
			if named {
				erased[d.ID] = true
				if d.Serial != "" {
					info.DriveSerial = d.Serial // as the tool read it
				}
			}
		}
		out = append(out, info)
	}
	var unerased []string
	for _, d := range drives {
		if !erased[d.ID] && d.Serial != "" {
			unerased = append(unerased, d.Serial)
		}
	}
	return out, unerased
}

// recoveries says what followed each failed erasure among es (oldest
// first): the next passed record of the same drive (any drive, when the
// records name none), destroyed when that record is a destruction.
func recoveries(es []inventory.Erasure) []Recovery {
	var out []Recovery
	for i, e := range es {
		if e.Result != inventory.ErasureFailed {
			continue
		}
		for _, next := range es[i+1:] {
			if next.Result != inventory.ErasurePassed || !sameDrive(e, next) {
				continue
			}
			if next.Category == inventory.ErasureDestroy {
				out = append(out, Destroyed)
			} else {
				out = append(out, ErasedAgain)
			}
			break
		}
	}
	return out
}

func sameDrive(a, b inventory.Erasure) bool {
	return a.DriveSerial == "" || b.DriveSerial == "" || strings.EqualFold(a.DriveSerial, b.DriveSerial)
}

func shortKind(k inventory.Kind) string {
	switch k {
	case inventory.KindLaptop:
		return "Portable"
	case inventory.KindDesktop:
		return "Fixe"
	case inventory.KindAllInOne:
		return "Tout-en-un"
	case inventory.KindTablet:
		return "Tablette"
	case inventory.KindScreen:
		return "Écran"
	}
	return "Autre"
}

// pendingMessage says how many units keep a donor certificate waiting.
func pendingMessage(n int) string {
	if n < 2 {
		return "1 unité n'est pas encore traitée (effacée puis prête au réemploi, démantelée ou recyclée) : le certificat attendra."
	}
	return fmt.Sprintf("%d unités ne sont pas encore traitées (effacées puis prêtes au réemploi, démantelées ou recyclées) : le certificat attendra.", n)
}
