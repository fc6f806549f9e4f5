package allocation

import (
	"fmt"

	"github.com/ordi-app/ordi"
)

// Rules are the programme's settings: which conditions make a family
// eligible and how many course sessions it must attend. Staff see the
// checklist they produce and decide; the rules never decide on their own.
type Rules struct {
	// QPVRequired: the family must live in a quartier prioritaire.
	QPVRequired bool `json:"qpv_required"`
	// MaxIncomeBand is the highest quotient familial band accepted.
	MaxIncomeBand IncomeBand `json:"max_income_band"`
	// NoComputerRequired: the family must have no computer at home.
	NoComputerRequired bool `json:"no_computer_required"`
	// OneUnitPerHousehold: a family equipped once is not equipped again.
	OneUnitPerHousehold bool `json:"one_unit_per_household"`
	// RequiredSessions is the default attendance a new course requires.
	RequiredSessions int `json:"required_sessions"`
	// FSEQuestions: the programme is funded by the FSE+, and the
	// nomination form asks the participant questions (see FSEAnswers). Off
	// by default.
	FSEQuestions bool `json:"fse_questions"`
}

// DefaultRules are the rules of a typical "Ordi 2.0" programme.
func DefaultRules() Rules {
	return Rules{QPVRequired: true, MaxIncomeBand: QF3, NoComputerRequired: true, OneUnitPerHousehold: true, RequiredSessions: 3}
}

// maxSessions bounds a course's length.
const maxSessions = 50

// Validate checks the rules.
func (r Rules) Validate() error {
	var v ordi.Validation
	if !r.MaxIncomeBand.Valid() {
		v.Add("max_income_band", "Choisissez la tranche de quotient familial maximale (QF1 à QF5).")
	}
	if r.RequiredSessions < 1 || r.RequiredSessions > maxSessions {
		v.Addf("required_sessions", "Le nombre de séances exigées doit être compris entre 1 et %d.", maxSessions)
	}
	return v.Err()
}

// Check is one line of the eligibility checklist.
type Check struct {
	Rule   string `json:"rule"`
	Label  string `json:"label"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
}

// Checklist is the automatic eligibility checklist for one family.
type Checklist struct {
	Checks    []Check `json:"checks"`
	AllPassed bool    `json:"all_passed"`
}

// Facts are what the checklist needs to know about a family.
type Facts struct {
	QPV           bool
	IncomeBracket IncomeBand
	HasComputer   bool
	// AlreadyEquipped: the family received a unit before, under this file
	// or another one (EquippedAs, the other file's reference: a family
	// nominated twice, by two partners or years apart).
	AlreadyEquipped bool
	EquippedAs      string
}

// Evaluate checks a family's facts against the rules. Rules that are
// switched off do not appear.
func (r Rules) Evaluate(f Facts) Checklist {
	var c Checklist
	add := func(rule, label string, passed bool, ok, ko string) {
		detail := ok
		if !passed {
			detail = ko
		}
		c.Checks = append(c.Checks, Check{Rule: rule, Label: label, Passed: passed, Detail: detail})
	}
	if r.QPVRequired {
		add("qpv", "Résidence en quartier prioritaire (QPV)", f.QPV,
			"La famille réside dans un QPV.", "La famille ne réside pas dans un QPV.")
	}
	if r.MaxIncomeBand.Valid() {
		switch {
		case !f.IncomeBracket.Valid():
			add("income", "Quotient familial", false, "", fmt.Sprintf("Tranche non renseignée : le programme demande %s ou moins.", r.MaxIncomeBand))
		default:
			add("income", "Quotient familial", f.IncomeBracket.rank() <= r.MaxIncomeBand.rank(),
				fmt.Sprintf("%s, dans la limite de %s.", f.IncomeBracket, r.MaxIncomeBand),
				fmt.Sprintf("%s dépasse la limite de %s.", f.IncomeBracket, r.MaxIncomeBand))
		}
	}
	if r.NoComputerRequired {
		add("no_computer", "Pas d'ordinateur au foyer", !f.HasComputer,
			"La famille n'a pas d'ordinateur.", "La famille a déjà un ordinateur.")
	}
	if r.OneUnitPerHousehold {
		ko := "La famille a déjà reçu un ordinateur."
		if f.EquippedAs != "" {
			ko = fmt.Sprintf("Un foyer au même nom dans la même commune, ou au même téléphone, a déjà reçu un ordinateur (dossier %s) : vérifiez s'il s'agit de la même famille.", f.EquippedAs)
		}
		add("one_unit", "Un seul équipement par foyer", !f.AlreadyEquipped,
			"La famille n'a jamais été équipée.", ko)
	}
	c.AllPassed = true
	for _, ch := range c.Checks {
		c.AllPassed = c.AllPassed && ch.Passed
	}
	return c
}
