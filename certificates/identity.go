// Package certificates renders and keeps the documents that carry Ordi's
// promises outside the workshop: the family's handover form, the donor's
// erasure and recycling certificate, the donor's intake receipt and the
// course attendance sheet. Renderers take plain values and write a PDF;
// issued certificates are frozen in the database and verifiable online.
package certificates

import (
	"context"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/settings"
)

// Issuer is the association that issues documents: its identity is printed
// on every label and certificate.
type Issuer struct {
	Name    string `json:"name"`
	SIRET   string `json:"siret"`
	Address string `json:"address"` // several lines
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	Website string `json:"website"`
	// Logo is an optional PNG, stored as Validate leaves it: decoded,
	// reduced to fit LogoSide pixels and re-encoded (see logo.go).
	Logo []byte `json:"logo,omitempty"`
	// WarrantyMonths is the warranty the association gives on a handed-over
	// unit, printed in the handover terms.
	WarrantyMonths int `json:"warranty_months"`
}

// DefaultIssuer is used until an administrator fills in the identity.
func DefaultIssuer() Issuer {
	return Issuer{Name: "Régie de quartier", WarrantyMonths: 3}
}

// AddressLines splits the address into its lines.
func (i Issuer) AddressLines() []string {
	var out []string
	for _, l := range strings.Split(i.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Validate checks the identity and normalises it: trimmed fields, the SIRET
// without spaces, the logo reduced and re-encoded.
func (i *Issuer) Validate() error {
	i.Name, i.SIRET, i.Address = strings.TrimSpace(i.Name), inventory.NormalizeSIRET(i.SIRET), strings.TrimSpace(i.Address)
	i.Phone, i.Email, i.Website = strings.TrimSpace(i.Phone), strings.TrimSpace(i.Email), strings.TrimSpace(i.Website)
	var v ordi.Validation
	if i.Name == "" || len([]rune(i.Name)) > 200 {
		v.Add("name", "Le nom de l'association est obligatoire (200 caractères au plus).")
	}
	if i.SIRET != "" && !inventory.ValidSIRET(i.SIRET) {
		v.Add("siret", "Ce numéro SIRET n'est pas valide.")
	}
	if len([]rune(i.Address)) > maxIssuerAddress {
		v.Addf("address", "Adresse trop longue (%d caractères au plus).", maxIssuerAddress)
	}
	for _, f := range []struct {
		field, value, name string
		max                int
	}{{"phone", i.Phone, "Numéro de téléphone trop long", 40}, {"email", i.Email, "Adresse e-mail trop longue", 254}, {"website", i.Website, "Adresse du site web trop longue", 200}} {
		if len([]rune(f.value)) > f.max {
			v.Addf(f.field, "%s (%d caractères au plus).", f.name, f.max)
		}
	}
	if i.WarrantyMonths < 0 || i.WarrantyMonths > 60 {
		v.Add("warranty_months", "La garantie se compte entre 0 et 60 mois.")
	}
	if len(i.Logo) > 0 {
		logo, msg := normalizeLogo(i.Logo)
		if msg != "" {
			v.Add("logo", msg)
		} else {
			i.Logo = logo
		}
	}
	return v.Err()
}

// maxIssuerAddress bounds the association's address; the documents are
// laid out for it (and for the other limits of Validate).
const maxIssuerAddress = 500

const issuerKey = "association.identity"

// Issuer returns the association's identity, or the default one.
func (s *Service) Issuer(ctx context.Context) (Issuer, error) {
	i := DefaultIssuer()
	if _, err := settings.Load(ctx, s.db, issuerKey, &i); err != nil {
		return Issuer{}, err
	}
	return i, nil
}

// SetIssuer saves the association's identity (administrators).
func (s *Service) SetIssuer(ctx context.Context, a ordi.Actor, i Issuer) (Issuer, error) {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs modifient l'identité de l'association."); err != nil {
		return Issuer{}, err
	}
	if err := i.Validate(); err != nil {
		return Issuer{}, err
	}
	return i, settings.Save(ctx, s.db, s.now(), a, issuerKey, i)
}
