package certificates

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/numbering"
)

// Kind is the kind of an issued certificate.
type Kind string

// The certificate kinds and their number series.
const (
	KindHandover Kind = "handover" // REM-YYYY-NNNN
	KindDonor    Kind = "donor"    // DON-YYYY-NNNN
)

// Label is the kind's French name.
func (k Kind) Label() string {
	switch k {
	case KindHandover:
		return "Attestation de remise d'un équipement informatique"
	case KindDonor:
		return "Attestation de prise en charge, d'effacement des données et de recyclage"
	}
	return string(k)
}

func (k Kind) series() string {
	if k == KindHandover {
		return "REM"
	}
	return "DON"
}

// Certificate is an issued, frozen certificate.
type Certificate struct {
	ID            int64      `json:"-"`
	Number        string     `json:"number"`
	Kind          Kind       `json:"kind"`
	IssuedAt      time.Time  `json:"issued_at"`
	IssuedByID    *int64     `json:"-"`
	IssuedByName  string     `json:"issued_by"`
	DonationID    *int64     `json:"donation_id,omitempty"`
	ReservationID *int64     `json:"reservation_id,omitempty"`
	PDF           []byte     `json:"-"`
	SHA256        string     `json:"sha256" gorm:"column:sha256"`
	Public        string     `json:"-"`
	Details       string     `json:"-"`
	SupersededBy  *string    `json:"superseded_by,omitempty"`
	SupersededAt  *time.Time `json:"superseded_at,omitempty"`
}

// PublicView is what anybody may see of a certificate on the verification
// page: never a family's name, never an individual donor's.
type PublicView struct {
	Number       string       `json:"number"`
	Kind         Kind         `json:"kind"`
	KindLabel    string       `json:"kind_label"`
	IssuedAt     time.Time    `json:"issued_at"`
	Issuer       string       `json:"issuer"`
	IssuerSIRET  string       `json:"issuer_siret,omitempty"`
	Units        []PublicUnit `json:"units"`
	SHA256       string       `json:"sha256"`
	SupersededBy string       `json:"superseded_by,omitempty"`
}

// PublicUnit is a unit as the verification page shows it.
type PublicUnit struct {
	Code    string `json:"code"`
	Model   string `json:"model"`
	Outcome string `json:"outcome,omitempty"`
}

// Service issues, freezes and verifies certificates. It orchestrates the
// handover transaction across allocation and inventory.
type Service struct {
	db         *gorm.DB
	now        func() time.Time
	inventory  *inventory.Service
	allocation *allocation.Service
	baseURL    string
}

// NewService returns a service over db. baseURL is ORDI_BASE_URL, printed in
// the verification QR codes.
func NewService(db *gorm.DB, inv *inventory.Service, alloc *allocation.Service, baseURL string, now func() time.Time) *Service {
	return &Service{db: db, now: func() time.Time { return now().UTC() }, inventory: inv, allocation: alloc, baseURL: strings.TrimRight(baseURL, "/")}
}

// VerifyURL is the public page of a certificate number.
func (s *Service) VerifyURL(number string) string { return s.baseURL + "/verify/" + number }

func certNotFound() error { return ordi.Errorf(ordi.NotFound, "Certificat inconnu.") }

var numberRE = regexp.MustCompile(`^(REM|DON)-[0-9]{4}-[0-9]{4,}$`)

// HandoverInput is what the handover desk records.
type HandoverInput struct {
	SignatoryName string
	// Signature is the PNG drawn on the tablet; nil to sign on paper.
	Signature   []byte
	Accessories []string
	Place       string
}

// maxAccessories bounds the accessories listed on a form.
const maxAccessories = 20

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

// Handover records the handover of a reserved unit to its family, in one
// transaction: reservation closed, unit handed over, family equipped, and
// the certificate REM-YYYY-NNNN issued and frozen. Bad input and a closed
// reservation change nothing and consume no number.
func (s *Service) Handover(ctx context.Context, a ordi.Actor, reservationID int64, in HandoverInput) (Certificate, error) {
	if err := in.validate(); err != nil {
		return Certificate{}, err
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return Certificate{}, err
	}
	var cert Certificate
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		facts, err := s.allocation.WithTx(tx).CompleteHandover(ctx, a, reservationID)
		if err != nil {
			return err
		}
		now := s.now()
		seq, err := numbering.Next(tx, KindHandover.series(), now.Year())
		if err != nil {
			return err
		}
		number := numbering.Format(KindHandover.series(), now.Year(), seq)
		if cert, err = s.issueHandover(ctx, tx, a, facts, in, issuer, number, now, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, "certificate.issue", "certificate", number, "")
	})
	return cert, err
}

// issueHandover renders and stores the attestation numbered number for a
// handed-over reservation. corrects is the number of the attestation it
// replaces, if any.
func (s *Service) issueHandover(ctx context.Context, tx *gorm.DB, a ordi.Actor, facts allocation.HandoverFacts, in HandoverInput, issuer Issuer, number string, now time.Time, corrects string) (Certificate, error) {
	u := facts.Unit
	doc := Handover{
		Number: number, IssuedAt: now, Place: in.Place, Issuer: issuer,
		HouseholdReference: facts.Household.Reference, Signatory: in.SignatoryName, PartnerName: facts.PartnerName,
		Unit: unitInfo(u), Accessories: in.Accessories, Signature: in.Signature, VerifyURL: s.VerifyURL(number),
	}
	if doc.Place == "" {
		doc.Place = issuerTown(issuer)
	}
	if c := facts.Course; c != nil {
		ci := &CourseInfo{Title: c.Title, Attended: facts.Attended, Sessions: len(c.Sessions)}
		for _, s := range c.Sessions {
			ci.Dates = append(ci.Dates, s.Date)
		}
		doc.Course = ci
	}
	erasures, err := s.inventory.WithTx(tx).Erasures(ctx, u.ID)
	if err != nil {
		return Certificate{}, err
	}
	if e := lastPassed(erasures); e != nil {
		info := erasureInfo(*e)
		doc.Erasure = &info
	}
	var pdf bytes.Buffer
	if err := RenderHandover(&pdf, doc); err != nil {
		return Certificate{}, err
	}
	public := PublicView{Number: number, Kind: KindHandover, KindLabel: KindHandover.Label(), IssuedAt: now, Issuer: issuer.Name,
		IssuerSIRET: issuer.SIRET, Units: []PublicUnit{{Code: string(u.Code), Model: u.Title()}}}
	d := map[string]any{"signatory": in.SignatoryName, "accessories": in.Accessories, "signed_on_tablet": in.Signature != nil}
	if corrects != "" {
		d["corrects"] = corrects
	}
	details, _ := json.Marshal(d)
	rid := facts.Reservation.ID
	return s.store(tx, a, number, KindHandover, now, pdf.Bytes(), public, string(details), nil, &rid)
}

// maxReason bounds the reason given for a correction.
const maxReason = 500

// ReissueHandover corrects a handover attestation (a misspelt name, a
// forgotten accessory): the family signs again, the new attestation gets
// the next REM number, and the old one is marked superseded by it (the
// verify page says so). Staff only. Bad input, an unknown or already
// superseded number change nothing and consume no number.
func (s *Service) ReissueHandover(ctx context.Context, a ordi.Actor, number string, in HandoverInput, reason string) (Certificate, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return Certificate{}, ordi.Errorf(ordi.Forbidden, "Une attestation se corrige par l'équipe.")
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
		facts, err := s.allocation.WithTx(tx).HandedOverFacts(ctx, a, *old.ReservationID)
		if err != nil {
			return err
		}
		now := s.now()
		seq, err := numbering.Next(tx, KindHandover.series(), now.Year())
		if err != nil {
			return err
		}
		next := numbering.Format(KindHandover.series(), now.Year(), seq)
		res := tx.Model(&Certificate{}).Where("id = ? AND superseded_by IS NULL", old.ID).
			Updates(map[string]any{"superseded_by": next, "superseded_at": now})
		if res.Error != nil {
			return fmt.Errorf("supersede %s: %w", number, res.Error)
		}
		if res.RowsAffected == 0 {
			return ordi.Errorf(ordi.Conflict, "L'attestation %s vient d'être corrigée par quelqu'un d'autre.", number)
		}
		if cert, err = s.issueHandover(ctx, tx, a, facts, in, issuer, next, now, number); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, "certificate.reissue", "certificate", next, "remplace "+number+" : "+reason)
	})
	return cert, err
}

func (s *Service) store(tx *gorm.DB, a ordi.Actor, number string, kind Kind, at time.Time, pdf []byte, public PublicView, details string, donationID, reservationID *int64) (Certificate, error) {
	sum := sha256.Sum256(pdf)
	public.SHA256 = hex.EncodeToString(sum[:])
	pub, _ := json.Marshal(public)
	c := Certificate{Number: number, Kind: kind, IssuedAt: at, IssuedByName: a.Name, DonationID: donationID, ReservationID: reservationID,
		PDF: pdf, SHA256: public.SHA256, Public: string(pub), Details: details}
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

func unitInfo(u inventory.Unit) UnitInfo {
	info := UnitInfo{Code: string(u.Code), Kind: u.Kind.Label(), Brand: u.Brand, Model: u.Model, Serial: u.SerialNumber, CPU: u.CPU,
		RAMGB: u.RAMGB, StorageGB: u.StorageGB, OS: u.OS}
	if u.StorageKind != inventory.StorageNone {
		info.StorageKind = u.StorageKind.Label()
	}
	if u.Grade != "" {
		info.Grade = u.Grade.Label()
	}
	if u.WeightKG != nil {
		info.WeightKG = *u.WeightKG
	}
	return info
}

func erasureInfo(e inventory.Erasure) ErasureInfo {
	date := e.CreatedAt
	if e.FinishedAt != nil {
		date = *e.FinishedAt
	}
	return ErasureInfo{Category: e.Category.Label(), Technique: e.Technique, Tool: e.Tool, Result: strings.ToLower(e.Result.Label()), Date: date, DriveSerial: e.DriveSerial}
}

func lastPassed(es []inventory.Erasure) *inventory.Erasure {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Result == inventory.ErasurePassed {
			return &es[i]
		}
	}
	return nil
}

// outcomeOf tells what became of a settled unit.
func outcomeOf(st inventory.Status) (Outcome, bool) {
	switch st {
	case inventory.StatusReady, inventory.StatusReserved, inventory.StatusHandedOver:
		return OutcomeReused, true
	case inventory.StatusDismantled:
		return OutcomeDismantled, true
	case inventory.StatusRecycled:
		return OutcomeRecycled, true
	}
	return "", false
}

// maxCertifiedUnits bounds one donor certificate.
const maxCertifiedUnits = 20_000

// IssueDonorCertificate issues the donor's certificate for a donation once
// every unit is settled (reused, dismantled or recycled) and sanitised;
// otherwise Conflict with Extra["pending"] listing the codes still waiting.
// Issuing again gives a new number and marks the previous one superseded.
func (s *Service) IssueDonorCertificate(ctx context.Context, a ordi.Actor, donationID int64) (Certificate, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return Certificate{}, ordi.Errorf(ordi.Forbidden, "Les certificats des donateurs sont délivrés par l'équipe.")
	}
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return Certificate{}, err
	}
	var cert Certificate
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inv := s.inventory.WithTx(tx)
		donation, err := inv.Donation(ctx, donationID)
		if err != nil {
			return err
		}
		donor, err := inv.Donor(ctx, donation.DonorID)
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
			batch, err := inv.Erasures(ctx, ids[start:min(start+500, len(ids))]...)
			if err != nil {
				return err
			}
			erasures = append(erasures, batch...)
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
			f, err := inv.Facts(ctx, u)
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
			for _, e := range byUnit[u.ID] {
				if e.Result == inventory.ErasurePassed {
					row.Erasures = append(row.Erasures, erasureInfo(e))
				}
			}
			rows = append(rows, row)
			public.Units = append(public.Units, PublicUnit{Code: string(u.Code), Model: u.Title(), Outcome: outcome.Label()})
		}
		if len(pending) > 0 {
			return &ordi.Error{Kind: ordi.Conflict,
				Message: pendingMessage(len(pending)),
				Extra:   map[string]any{"pending": pending}}
		}
		now := s.now()
		seq, err := numbering.Next(tx, KindDonor.series(), now.Year())
		if err != nil {
			return err
		}
		number := numbering.Format(KindDonor.series(), now.Year(), seq)
		doc := DonorCertificate{Number: number, IssuedAt: now, Issuer: issuer, Units: rows, VerifyURL: s.VerifyURL(number),
			Donor:    DonorInfo{Name: donor.Name, Kind: donor.Kind.Label(), SIRET: donor.SIRET, Address: donor.Address},
			Donation: DonationInfo{ReceivedOn: donation.ReceivedOn, Site: donation.Site, Reference: donation.Reference}}
		var pdf bytes.Buffer
		if err := RenderDonor(&pdf, doc); err != nil {
			return err
		}
		public.Number, public.IssuedAt = number, now
		did := donationID
		// An earlier certificate of this donation is superseded by this one.
		if err := tx.Model(&Certificate{}).Where("donation_id = ? AND superseded_by IS NULL", donationID).
			Updates(map[string]any{"superseded_by": number, "superseded_at": now}).Error; err != nil {
			return fmt.Errorf("supersede: %w", err)
		}
		if cert, err = s.store(tx, a, number, KindDonor, now, pdf.Bytes(), public, "", &did, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, "certificate.issue", "certificate", number, "")
	})
	return cert, err
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

// find returns a stored certificate by number.
func (s *Service) find(ctx context.Context, number string) (Certificate, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if !numberRE.MatchString(number) {
		return Certificate{}, certNotFound()
	}
	var c Certificate
	err := s.db.WithContext(ctx).Where("number = ?", number).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Certificate{}, certNotFound()
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("find certificate: %w", err)
	}
	return c, nil
}

// Certificate returns a certificate for a signed-in user: donor certificates
// to staff, handover certificates to staff and volunteers.
func (s *Service) Certificate(ctx context.Context, a ordi.Actor, number string) (Certificate, error) {
	c, err := s.find(ctx, number)
	if err != nil {
		return Certificate{}, err
	}
	if c.Kind == KindDonor && !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return Certificate{}, certNotFound()
	}
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff, ordi.RoleVolunteer) {
		return Certificate{}, certNotFound()
	}
	return c, nil
}

// Verify returns what anybody may know of a certificate.
func (s *Service) Verify(ctx context.Context, number string) (PublicView, error) {
	c, err := s.find(ctx, number)
	if err != nil {
		return PublicView{}, err
	}
	var v PublicView
	if err := json.Unmarshal([]byte(c.Public), &v); err != nil {
		return PublicView{}, fmt.Errorf("certificate %s: %w", c.Number, err)
	}
	if c.SupersededBy != nil {
		v.SupersededBy = *c.SupersededBy
	}
	return v, nil
}

// CertificateFilter selects certificates, newest first.
type CertificateFilter struct {
	Kind       Kind
	DonationID int64
	Before     int64
	Limit      int
}

// Certificates lists certificates without their PDF.
func (s *Service) Certificates(ctx context.Context, a ordi.Actor, f CertificateFilter) ([]Certificate, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return nil, ordi.Errorf(ordi.Forbidden, "La liste des certificats est réservée à l'équipe.")
	}
	q := s.db.WithContext(ctx).Model(&Certificate{}).Omit("pdf").
		Select("id, number, kind, issued_at, issued_by_id, issued_by_name, donation_id, reservation_id, sha256, public, superseded_by, superseded_at")
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.DonationID > 0 {
		q = q.Where("donation_id = ?", f.DonationID)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	limit := ordi.ListLimit(f.Limit)
	var out []Certificate
	if err := q.Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	return out, nil
}

// Receipt renders a donation's intake receipt as it stands today: not
// numbered, not stored.
func (s *Service) Receipt(ctx context.Context, donationID int64) ([]byte, error) {
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return nil, err
	}
	donation, err := s.inventory.Donation(ctx, donationID)
	if err != nil {
		return nil, err
	}
	donor, err := s.inventory.Donor(ctx, donation.DonorID)
	if err != nil {
		return nil, err
	}
	var units []inventory.Unit
	if err := s.db.WithContext(ctx).Where("donation_id = ?", donationID).Order("id").Limit(maxCertifiedUnits).Find(&units).Error; err != nil {
		return nil, err
	}
	r := Receipt{PrintedAt: s.now(), Issuer: issuer, Donor: DonorInfo{Name: donor.Name, Kind: donor.Kind.Label(), SIRET: donor.SIRET, Address: donor.Address},
		Donation: DonationInfo{ReceivedOn: donation.ReceivedOn, Site: donation.Site, Reference: donation.Reference}}
	for _, u := range units {
		info := unitInfo(u)
		info.Kind = shortKind(u.Kind)
		r.Units = append(r.Units, info)
	}
	var buf bytes.Buffer
	if err := RenderReceipt(&buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AttendanceSheet renders a course's sign-in sheet.
func (s *Service) AttendanceSheet(ctx context.Context, a ordi.Actor, courseID int64) ([]byte, error) {
	issuer, err := s.Issuer(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.allocation.Course(ctx, a, courseID)
	if err != nil {
		return nil, err
	}
	sheet := AttendanceSheet{PrintedAt: s.now(), Issuer: issuer, Title: d.Title, Place: d.Place, Trainer: d.TrainerName, Required: d.RequiredSessions}
	for _, session := range d.Sessions {
		sheet.Sessions = append(sheet.Sessions, session.Date)
	}
	for _, at := range d.Attendees {
		sheet.Rows = append(sheet.Rows, AttendanceRow{Reference: at.Reference, Name: at.ContactName, Marks: at.Present})
	}
	var buf bytes.Buffer
	if err := RenderAttendance(&buf, sheet); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pendingMessage says how many units keep a donor certificate waiting.
func pendingMessage(n int) string {
	if n < 2 {
		return "1 unité n'est pas encore traitée (effacée puis réemployée, démantelée ou recyclée) : le certificat attendra."
	}
	return fmt.Sprintf("%d unités ne sont pas encore traitées (effacées puis réemployées, démantelées ou recyclées) : le certificat attendra.", n)
}
