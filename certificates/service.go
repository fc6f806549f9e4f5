package certificates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ordi-app/ordi/notify"
	"regexp"
	"runtime"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
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
	// RenderInput holds the document's inputs while its PDF is not yet
	// rendered (see frozen.go); nil once the PDF is stored.
	RenderInput *string `json:"-"`
}

// Pending reports whether the certificate's PDF is still to be rendered
// from its stored inputs.
func (c Certificate) Pending() bool { return c.RenderInput != nil }

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
	// render renders a PDF from stored inputs (renderStored; tests inject
	// failures).
	render func(Kind, string) ([]byte, error)
	// renders bounds the PDFs rendered at once from stored inputs: they
	// are CPU work, and whoever asks (the web's bounded handlers, a repair
	// at download, a script) gains nothing from more at once than cores —
	// while the transactions waiting for those cores hold their locks.
	renders chan struct{}
	// others erase what other packages keep of a family (AlsoErase).
	others []allocation.Eraser
	// notify writes the donor's mail (NotifyBy); nil: none.
	notify *notify.Notifier
}

// NotifyBy makes the service mail a donor's certificate to the donor's
// contact address when it is issued.
func (s *Service) NotifyBy(n *notify.Notifier) { s.notify = n }

// NewService returns a service over db. baseURL is ORDI_BASE_URL, printed in
// the verification QR codes.
func NewService(db *gorm.DB, inv *inventory.Service, alloc *allocation.Service, baseURL string, now func() time.Time) *Service {
	return &Service{db: db, now: func() time.Time { return now().UTC() }, inventory: inv, allocation: alloc, baseURL: strings.TrimRight(baseURL, "/"),
		render: renderStored, renders: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
}

// VerifyURL is the public page of a certificate number.
func (s *Service) VerifyURL(number string) string { return s.baseURL + "/verify/" + number }

func certNotFound() error { return ordi.Errorf(ordi.NotFound, "Certificat inconnu.") }

var numberRE = regexp.MustCompile(`^(REM|DON)-[0-9]{4}-[0-9]{4,}$`)

// maxAccessories bounds the accessories listed on a form.
const maxAccessories = 20

// maxReason bounds the reason given for a correction.
const maxReason = 500

// maxCertifiedUnits bounds one donor certificate.
const maxCertifiedUnits = 20_000

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

// VolunteerWindow is how long after its issue any volunteer may fetch a
// handover attestation again (to print it for a family that comes back);
// after it, only the volunteer who handed the unit over may.
const VolunteerWindow = 7 * 24 * time.Hour

// Certificate returns a certificate, with its frozen PDF, to those who hand
// over (DESIGN §3). Staff and administrators get every certificate. A
// volunteer gets the handover attestations of the handovers they did, and
// those issued in the last VolunteerWindow, never one of a family whose data
// was erased, and no donor certificate: anything else is NotFound, as an
// unknown number is.
func (s *Service) Certificate(ctx context.Context, a ordi.Actor, number string) (Certificate, error) {
	if err := a.Require(ordi.HandOver, "Les attestations sont réservées à l'équipe et aux bénévoles de la remise."); err != nil {
		return Certificate{}, err
	}
	c, err := s.find(ctx, number)
	if err != nil {
		return Certificate{}, err
	}
	switch {
	case c.Kind == KindDonor && !a.Can(ordi.IssueDonorCertificates):
		return Certificate{}, certNotFound()
	case c.Kind == KindHandover && !a.Can(ordi.Allocate):
		if err := s.volunteerMayRead(ctx, a, c); err != nil {
			return Certificate{}, err
		}
	}
	return s.freeze(ctx, c)
}

// volunteerMayRead is the scope of a volunteer, who hands over but neither
// reserves nor corrects: the attestations of their own handovers and of the
// last VolunteerWindow, nothing of an erased family.
func (s *Service) volunteerMayRead(ctx context.Context, a ordi.Actor, c Certificate) error {
	if c.ReservationID == nil {
		return certNotFound()
	}
	rec, err := s.allocation.HandoverRecord(ctx, *c.ReservationID)
	if errors.Is(err, ordi.NotFound) {
		return certNotFound()
	}
	if err != nil {
		return err
	}
	own := a.UserID != 0 && rec.HandedOverByID == a.UserID
	recent := !c.IssuedAt.Before(s.now().Add(-VolunteerWindow))
	if rec.FamilyErased || !own && !recent {
		return certNotFound()
	}
	return nil
}

// Verify returns what anybody may know of a certificate.
func (s *Service) Verify(ctx context.Context, number string) (PublicView, error) {
	c, err := s.find(ctx, number)
	if err != nil {
		return PublicView{}, err
	}
	if c, err = s.freeze(ctx, c); err != nil {
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
	if err := a.Require(ordi.IssueDonorCertificates, "La liste des certificats est réservée à l'équipe."); err != nil {
		return nil, err
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
