package certificates

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// MaxSignatureBytes bounds a signature drawn on the tablet.
const MaxSignatureBytes = 1 << 20

// UnitInfo describes a handed-over or donated unit, in display strings.
type UnitInfo struct {
	Code        string
	Kind        string // "Ordinateur portable"
	Brand       string
	Model       string
	Serial      string
	CPU         string
	RAMGB       int
	StorageGB   int
	StorageKind string // "SSD SATA"
	OS          string
	Grade       string // "B : bon état"
	WeightKG    float64
}

// Specs writes "8 Go de mémoire · 256 Go SSD".
func (u UnitInfo) Specs() string {
	var parts []string
	if u.CPU != "" {
		parts = append(parts, u.CPU)
	}
	if u.RAMGB > 0 {
		parts = append(parts, fmt.Sprintf("%d Go de mémoire", u.RAMGB))
	}
	if u.StorageGB > 0 {
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d Go %s", u.StorageGB, u.StorageKind)))
	}
	return strings.Join(parts, " · ")
}

// ErasureInfo is one erasure record, in NIST SP 800-88 Rev. 2 terms.
type ErasureInfo struct {
	Category    string // "Purge"
	Technique   string
	Tool        string
	Result      string // "réussi"
	Date        time.Time
	DriveSerial string
}

// CourseInfo is the course a family completed.
type CourseInfo struct {
	Title    string
	Dates    []ordi.Date
	Attended int
	Sessions int
}

// Handover is the handover form of one unit to one family.
type Handover struct {
	Number             string // REM-YYYY-NNNN
	IssuedAt           time.Time
	Place              string // where the handover takes place
	Issuer             Issuer
	HouseholdReference string
	Signatory          string
	PartnerName        string
	Course             *CourseInfo
	Unit               UnitInfo
	Accessories        []string
	Erasure            *ErasureInfo
	// Signature is the family's signature drawn on the tablet, a PNG; nil
	// leaves a line to sign on paper.
	Signature []byte
	VerifyURL string
	// Replaces is the number of the attestation this one corrects, if any.
	Replaces string `json:",omitempty"`
}

func (h *Handover) validate() error {
	var v ordi.Validation
	if strings.TrimSpace(h.Number) == "" {
		v.Add("number", "Numéro d'attestation manquant.")
	}
	if strings.TrimSpace(h.Signatory) == "" {
		v.Add("signatory_name", "Indiquez le nom de la personne qui signe pour la famille.")
	}
	if strings.TrimSpace(h.HouseholdReference) == "" || strings.TrimSpace(h.Unit.Code) == "" {
		v.Add("reservation", "Famille ou unité manquante.")
	}
	if err := checkSignature(h.Signature); err != "" {
		v.Add("signature_png", err)
	}
	return v.Err()
}

// checkSignature returns a French message when sig is not an acceptable PNG.
func checkSignature(sig []byte) string {
	if sig == nil {
		return ""
	}
	if len(sig) > MaxSignatureBytes {
		return "La signature dépasse 1 Mo."
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(sig))
	if err != nil {
		return "La signature doit être une image PNG."
	}
	if cfg.Width < 20 || cfg.Height < 10 || cfg.Width > 4000 || cfg.Height > 4000 {
		return "La signature a des dimensions invraisemblables."
	}
	return ""
}

// RenderHandover writes the handover form: two copies (family, association)
// of the attestation, then the usage charter. Nothing is written on error.
func RenderHandover(w io.Writer, h Handover) error {
	if err := h.validate(); err != nil {
		return err
	}
	d := newDoc(pdfdoc.Options{Created: h.IssuedAt, Title: "Attestation de remise " + h.Number,
		Subject: "Remise de l'équipement " + h.Unit.Code + " au foyer " + h.HouseholdReference}, h.Issuer, "Attestation de remise", h.Number)
	if h.Signature != nil {
		d.RegisterImageOptionsReader("signature", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(h.Signature))
	}
	for _, copyFor := range []string{"Exemplaire de la famille", "Exemplaire de l'association"} {
		d.AddPage()
		d.header()
		handoverCopy(d, h, copyFor)
	}
	d.AddPage()
	d.header()
	charter(d, h)
	return d.output(w)
}

func handoverCopy(d *doc, h Handover, copyFor string) {
	place := h.Place
	if place == "" {
		place = "l'association"
	}
	d.heading("Attestation de remise d'un équipement informatique",
		fmt.Sprintf("%s · fait à %s, le %s", copyFor, place, longDate(h.IssuedAt)))
	if h.Replaces != "" {
		d.notice("Cette attestation corrige et remplace l'attestation " + h.Replaces + ", qui n'est plus valable.")
	}

	d.section("Bénéficiaire")
	d.row("Foyer (référence)", h.HouseholdReference)
	d.row("Signataire", h.Signatory)
	d.row("Orienté par", h.PartnerName)
	if h.Course != nil {
		var dates []string
		for _, dt := range h.Course.Dates {
			dates = append(dates, dt.French())
		}
		d.row("Formation suivie", fmt.Sprintf("%s (%s) · %s sur %d", h.Course.Title, strings.Join(dates, ", "), ordi.Plural(h.Course.Attended, "séance", "séances"), h.Course.Sessions))
	}

	d.section("Équipement remis")
	d.row("Code", h.Unit.Code)
	d.row("Équipement", strings.TrimSpace(h.Unit.Kind+" "+h.Unit.Brand+" "+h.Unit.Model))
	d.row("Numéro de série", h.Unit.Serial)
	d.row("Caractéristiques", h.Unit.Specs())
	d.row("Système", h.Unit.OS)
	d.row("État (grade)", h.Unit.Grade)
	acc := "aucun"
	if len(h.Accessories) > 0 {
		acc = strings.Join(h.Accessories, ", ")
	}
	d.row("Accessoires", acc)
	if h.Erasure != nil {
		d.row("Effacement des données", fmt.Sprintf("%s · %s · %s le %s", h.Erasure.Category, h.Erasure.Technique, h.Erasure.Result, shortDate(h.Erasure.Date)))
	}

	d.section("Conditions")
	d.bullets(HandoverTerms(h.Issuer), 8.5)

	d.section("Données personnelles")
	d.paragraph(fmt.Sprintf("%s conserve la référence du foyer, le nom du signataire et cette attestation pour justifier la remise auprès de ses partenaires et financeurs, pendant la durée de la garantie puis trois ans. Vous pouvez demander à consulter, corriger ou effacer ces données auprès de l'association%s, et saisir la CNIL (www.cnil.fr).",
		h.Issuer.Name, contactSuffix(h.Issuer)), 7.5)

	half := d.w/2 - 3
	d.SetFont(pdfdoc.Font, "", 8.5)
	family, assoc := "Pour le foyer : "+h.Signatory, "Pour l'association : "+h.Issuer.Name
	labelH := float64(max(len(d.SplitText(family, half)), len(d.SplitText(assoc, half)))) * 4.5
	// The section's title stays with its boxes.
	d.needs(labelH + 28 + 10)
	d.section("Signatures")
	d.SetFont(pdfdoc.Font, "", 8.5)
	y := d.GetY()
	d.SetXY(marginX, y)
	d.MultiCell(half, 4.5, family, "", "L", false)
	d.SetXY(marginX+half+6, y)
	d.MultiCell(half, 4.5, assoc, "", "L", false)
	boxY := y + labelH + 1
	d.SetDrawColor(160, 160, 160)
	d.SetLineWidth(0.3)
	if h.Signature != nil {
		info := d.GetImageInfo("signature")
		bw, bh := half, 22.0
		iw, ih := bw, bw*info.Height()/info.Width()
		if ih > bh {
			ih, iw = bh, bh*info.Width()/info.Height()
		}
		d.ImageOptions("signature", marginX+(bw-iw)/2, boxY+(bh-ih)/2, iw, ih, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		d.SetXY(marginX, boxY+bh)
		d.SetFont(pdfdoc.Font, "", 7)
		d.SetTextColor(greyText, greyText, greyText)
		d.CellFormat(half, 4, "Signé sur tablette le "+shortDate(h.IssuedAt), "", 0, "L", false, 0, "")
		d.SetTextColor(0, 0, 0)
	} else {
		d.Line(marginX, boxY+20, marginX+half, boxY+20)
	}
	d.Line(marginX+half+6, boxY+20, marginX+d.w, boxY+20)
	d.SetXY(marginX, boxY+26)
	if err := d.verification(h.VerifyURL, 24, d.w-24-3); err != nil {
		d.SetError(err)
	}
}

func contactSuffix(i Issuer) string {
	var c []string
	if i.Email != "" {
		c = append(c, i.Email)
	}
	if i.Phone != "" {
		c = append(c, i.Phone)
	}
	if len(c) == 0 {
		return ""
	}
	return " (" + strings.Join(c, ", ") + ")"
}

func charter(d *doc, h Handover) {
	d.heading("Charte d'utilisation de votre ordinateur", "À garder avec l'ordinateur · foyer "+h.HouseholdReference)
	d.section("Vous vous engagez à")
	d.bullets([]string{
		"Utiliser l'ordinateur pour le foyer : démarches en ligne, école, recherche d'emploi, liens avec la famille.",
		"Ne pas le vendre, le louer ni le donner contre de l'argent : il a été donné pour vous.",
		"En prendre soin : loin des liquides, des chutes et de la chaleur ; l'éteindre proprement.",
		"Faire les mises à jour proposées par le système : elles protègent vos données.",
		"Protéger vos comptes : un mot de passe différent pour chaque service, jamais communiqué par téléphone.",
	}, 9.5)
	d.section("Si l'ordinateur tombe en panne")
	warranty := ""
	if h.Issuer.WarrantyMonths > 0 {
		warranty = fmt.Sprintf(" Pendant %d mois, la réparation est gratuite.", h.Issuer.WarrantyMonths)
	}
	d.paragraph("N'ouvrez pas l'appareil et ne le confiez pas à un inconnu. Appelez ou passez voir l'association"+contactSuffix(h.Issuer)+
		", avec le code de l'ordinateur ("+h.Unit.Code+", sur l'étiquette collée dessous)."+warranty, 9.5)
	d.section("Quand vous n'en avez plus besoin")
	d.paragraph("Rapportez-le à l'association : il sera effacé et donné à une autre famille, ou recyclé. Ne le jetez jamais à la poubelle : un ordinateur se dépose dans un point de collecte des déchets électriques (DEEE), en déchetterie ou en magasin.", 9.5)
	d.section("Besoin d'aide pour l'utiliser ?")
	d.paragraph("Les ateliers numériques de l'association et de ses partenaires (médiathèques, centres sociaux) sont ouverts à tous. Demandez les horaires à l'accueil.", 9.5)
}
