package inventory

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
)

// Donor gives computers: a company, a public body, an association or a
// private person. A person's contact details are personal data.
type Donor struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Kind      DonorKind `json:"kind"`
	SIRET     string    `json:"siret,omitempty" gorm:"column:siret"`
	Email     string    `json:"email,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Address   string    `json:"address,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Text field limits, in characters.
const (
	maxShortText = 200  // names, brands, references
	maxLongText  = 2000 // notes, addresses
)

// NewDonor is the input to register a donor.
type NewDonor struct {
	Name    string    `json:"name"`
	Kind    DonorKind `json:"kind"`
	SIRET   string    `json:"siret"`
	Email   string    `json:"email"`
	Phone   string    `json:"phone"`
	Address string    `json:"address"`
}

// Normalize trims the input and puts the SIRET in its 14-digit form.
func (n *NewDonor) Normalize() {
	n.Name = strings.TrimSpace(n.Name)
	n.Kind = DonorKind(strings.TrimSpace(string(n.Kind)))
	n.SIRET = NormalizeSIRET(n.SIRET)
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Phone = strings.TrimSpace(n.Phone)
	n.Address = strings.TrimSpace(n.Address)
}

// Validate checks the input; call Normalize first.
func (n NewDonor) Validate() error {
	var v ordi.Validation
	requireText(&v, "name", n.Name, "Le nom du donateur est obligatoire.", maxShortText)
	if !n.Kind.Valid() {
		v.Add("kind", "Type de donateur inconnu : company, public_body, association ou individual.")
	}
	if n.SIRET != "" && !ValidSIRET(n.SIRET) {
		v.Add("siret", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).")
	}
	if n.Email != "" {
		if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email {
			v.Add("email", "L'adresse e-mail n'est pas valide.")
		}
	}
	optionalText(&v, "phone", n.Phone, 40)
	optionalText(&v, "address", n.Address, maxLongText)
	return v.Err()
}

func requireText(v *ordi.Validation, field, value, missing string, max int) {
	if value == "" {
		v.Add(field, missing)
		return
	}
	optionalText(v, field, value, max)
}

func optionalText(v *ordi.Validation, field, value string, max int) {
	if utf8.RuneCountInString(value) > max {
		v.Addf(field, "Texte trop long (%d caractères au plus).", max)
	} else if !utf8.ValidString(value) {
		v.Add(field, "Texte illisible (encodage invalide).")
	}
}

// Donation is one collection: the machines a donor gave on one day.
type Donation struct {
	ID         int64     `json:"id"`
	DonorID    int64     `json:"donor_id"`
	ReceivedOn ordi.Date `json:"received_on"`
	Site       string    `json:"site,omitempty"`
	Reference  string    `json:"reference,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// NewDonation is the input to register a donation.
type NewDonation struct {
	DonorID    int64  `json:"donor_id"`
	ReceivedOn string `json:"received_on"` // YYYY-MM-DD
	Site       string `json:"site"`
	Reference  string `json:"reference"`
	Notes      string `json:"notes"`
}

// validate checks the input and returns the parsed date. today bounds the
// date: a donation is not received in the future.
func (n *NewDonation) validate(today ordi.Date) (ordi.Date, error) {
	n.Site, n.Reference, n.Notes = strings.TrimSpace(n.Site), strings.TrimSpace(n.Reference), strings.TrimSpace(n.Notes)
	var v ordi.Validation
	if n.DonorID <= 0 {
		v.Add("donor_id", "Choisissez le donateur.")
	}
	d, err := ordi.ParseDate(n.ReceivedOn)
	switch {
	case n.ReceivedOn == "":
		v.Add("received_on", "La date de réception est obligatoire.")
	case err != nil:
		v.Add("received_on", "Date invalide : attendu AAAA-MM-JJ.")
	case d.After(today):
		v.Add("received_on", "La date de réception ne peut pas être dans le futur.")
	case d.Before(ordi.Date{Time: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}):
		v.Add("received_on", "Date de réception trop ancienne.")
	}
	optionalText(&v, "site", n.Site, maxShortText)
	optionalText(&v, "reference", n.Reference, maxShortText)
	optionalText(&v, "notes", n.Notes, maxLongText)
	return d, v.Err()
}
