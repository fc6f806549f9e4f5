package inventory

import (
	"strings"
	"time"

	"github.com/ordi-app/ordi"
)

// Outlet (exutoire) takes what leaves the workshop as waste or for reuse
// elsewhere: an éco-organisme, a recycler, a reuse partner. Its SIRET and
// address are the destination's in the outgoing-waste register. Outlets
// migrated from the free text units used to carry have no SIRET yet
// (NeedsCompleting).
type Outlet struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Kind      OutletKind `json:"kind"`
	SIRET     string     `json:"siret" gorm:"column:siret"`
	Address   string     `json:"address"`
	Agreement string     `json:"agreement"`
	Active    bool       `json:"active"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// NeedsCompleting reports whether the outlet lacks what the register asks
// of a destination (a valid SIRET, an address): an outlet migrated from free
// text, until somebody completes it.
func (o Outlet) NeedsCompleting() bool { return !ValidSIRET(o.SIRET) || o.Address == "" }

// OutletKind is what sort of organisation an outlet is.
type OutletKind string

// The outlet kinds.
const (
	OutletEcoOrganisme OutletKind = "eco_organisme"
	OutletRecycler     OutletKind = "recycler"
	OutletReuse        OutletKind = "reuse_partner"
)

var outletKindOptions = []option[OutletKind]{
	{OutletEcoOrganisme, "Éco-organisme"},
	{OutletRecycler, "Recycleur ou collecteur"},
	{OutletReuse, "Partenaire de réemploi"},
}

// OutletKinds lists every outlet kind in display order.
func OutletKinds() []OutletKind { return valuesOf(outletKindOptions) }

// Valid reports whether k is a known outlet kind.
func (k OutletKind) Valid() bool { _, ok := find(outletKindOptions, k); return ok }

// Label is the outlet kind's French name.
func (k OutletKind) Label() string { return labelOf(outletKindOptions, k) }

// OutletInput is what a person gives to register or edit an outlet. Active
// is read on edits only: a new outlet is active.
type OutletInput struct {
	Name      string     `json:"name"`
	Kind      OutletKind `json:"kind"`
	SIRET     string     `json:"siret"`
	Address   string     `json:"address"`
	Agreement string     `json:"agreement"`
	Active    *bool      `json:"active"`
}

// Normalize trims the input and puts the SIRET in its 14-digit form.
func (n *OutletInput) Normalize() {
	n.Name = strings.TrimSpace(n.Name)
	n.Kind = OutletKind(strings.TrimSpace(string(n.Kind)))
	n.SIRET = NormalizeSIRET(n.SIRET)
	n.Address = strings.TrimSpace(n.Address)
	n.Agreement = strings.TrimSpace(n.Agreement)
}

// Validate checks the input; call Normalize first. The SIRET and the
// address are required: they are the destination's in the register.
func (n OutletInput) Validate() error {
	var v ordi.Validation
	requireText(&v, "name", n.Name, "Le nom de l'exutoire est obligatoire.", maxShortText)
	if !n.Kind.Valid() {
		v.Add("kind", "Type d'exutoire inconnu : eco_organisme, recycler ou reuse_partner.")
	}
	switch {
	case n.SIRET == "":
		v.Add("siret", "Le numéro SIRET est obligatoire : il figure au registre des déchets sortants.")
	case !ValidSIRET(n.SIRET):
		v.Add("siret", "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).")
	}
	requireText(&v, "address", n.Address, "L'adresse est obligatoire : elle figure au registre des déchets sortants.", maxLongText)
	optionalText(&v, "agreement", n.Agreement, maxShortText)
	return v.Err()
}
