package allocation

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// The FSE+ participant questions (Regulation (EU) 2021/1057, Annex I, point
// 1.1): asked on the nomination form only when the programme's rules say so
// (Rules.FSEQuestions), each optional, each with "ne souhaite pas
// répondre". They describe the family's contact person, who is the
// participant counted by reports.FSEIndicators. They never touch the
// special categories of data (health, disability, origin, religion): the
// indicators of point 1.2 of the Annex are not collected.

// FSEDeclined is the answer "ne souhaite pas répondre", the same in every
// question. The empty answer means the question was not asked or left
// blank.
const FSEDeclined = "declined"

// FSELabour is the participant's situation on the labour market.
type FSELabour string

// The situations.
const (
	FSEEmployed           FSELabour = "employed"             // employed, including self-employed (EECO04)
	FSEUnemployed         FSELabour = "unemployed"           // unemployed for less than 12 months (EECO01)
	FSELongTermUnemployed FSELabour = "long_term_unemployed" // unemployed for 12 months or more (EECO01 and EECO02)
	FSEInactive           FSELabour = "inactive"             // neither employed nor looking for work (EECO03)
)

// FSELabours lists the situations in form order, "declined" last.
func FSELabours() []FSELabour {
	return []FSELabour{FSEEmployed, FSEUnemployed, FSELongTermUnemployed, FSEInactive, FSELabour(FSEDeclined)}
}

// Label is the situation's French wording on the form.
func (l FSELabour) Label() string {
	switch l {
	case FSEEmployed:
		return "En emploi (salarié ou indépendant)"
	case FSEUnemployed:
		return "Sans emploi depuis moins de 12 mois"
	case FSELongTermUnemployed:
		return "Sans emploi depuis 12 mois ou plus (chômage de longue durée)"
	case FSEInactive:
		return "Inactif (ne travaille pas et ne cherche pas d'emploi : au foyer, retraité, étudiant…)"
	case FSEDeclined:
		return "Ne souhaite pas répondre"
	case "":
		return "Non renseigné"
	}
	return string(l)
}

// FSEAge is the participant's age band (never a birth date).
type FSEAge string

// The age bands.
const (
	FSEUnder18 FSEAge = "under_18" // EECO05
	FSE18To29  FSEAge = "18_29"    // EECO06
	FSE30To54  FSEAge = "30_54"    // no indicator of its own; counted in EECO11
	FSE55Plus  FSEAge = "55_plus"  // EECO07
)

// FSEAges lists the bands, "declined" last.
func FSEAges() []FSEAge {
	return []FSEAge{FSEUnder18, FSE18To29, FSE30To54, FSE55Plus, FSEAge(FSEDeclined)}
}

// Label is the band's French wording.
func (g FSEAge) Label() string {
	switch g {
	case FSEUnder18:
		return "Moins de 18 ans"
	case FSE18To29:
		return "18 à 29 ans"
	case FSE30To54:
		return "30 à 54 ans"
	case FSE55Plus:
		return "55 ans et plus"
	case FSEDeclined:
		return "Ne souhaite pas répondre"
	case "":
		return "Non renseigné"
	}
	return string(g)
}

// FSEEducation is the participant's highest level of education, as an
// ISCED 2011 band.
type FSEEducation string

// The education bands.
const (
	FSEISCED02 FSEEducation = "isced_0_2" // EECO08
	FSEISCED34 FSEEducation = "isced_3_4" // EECO09
	FSEISCED58 FSEEducation = "isced_5_8" // EECO10
)

// FSEEducations lists the bands, "declined" last.
func FSEEducations() []FSEEducation {
	return []FSEEducation{FSEISCED02, FSEISCED34, FSEISCED58, FSEEducation(FSEDeclined)}
}

// Label is the band's French wording.
func (e FSEEducation) Label() string {
	switch e {
	case FSEISCED02:
		return "Jusqu'au collège (brevet ou sans diplôme) — CITE 0 à 2"
	case FSEISCED34:
		return "Lycée ou équivalent (CAP, BEP, baccalauréat, DAEU) — CITE 3 et 4"
	case FSEISCED58:
		return "Études supérieures (BTS, licence, master…) — CITE 5 à 8"
	case FSEDeclined:
		return "Ne souhaite pas répondre"
	case "":
		return "Non renseigné"
	}
	return string(e)
}

// FSEAnswers are the answers of a family's contact person to the FSE+
// questions. They are part of the family's file: shown and exported with
// it, and erased with it (EraseHousehold moves them, unlinked, to the
// anonymous counts: see FSEErased).
type FSEAnswers struct {
	Labour    FSELabour    `json:"fse_labour_status" gorm:"column:fse_labour_status"`
	Age       FSEAge       `json:"fse_age_band" gorm:"column:fse_age_band"`
	Education FSEEducation `json:"fse_education" gorm:"column:fse_education"`
}

// Any reports whether one question at least has an answer (a refusal to
// answer included).
func (f FSEAnswers) Any() bool { return f.Labour != "" || f.Age != "" || f.Education != "" }

// normalize trims the answers.
func (f *FSEAnswers) normalize() {
	f.Labour = FSELabour(strings.TrimSpace(string(f.Labour)))
	f.Age = FSEAge(strings.TrimSpace(string(f.Age)))
	f.Education = FSEEducation(strings.TrimSpace(string(f.Education)))
}

// validate checks each answer against its list: "" (not answered) is
// accepted.
func (f FSEAnswers) validate(v *ordi.Validation) {
	check := func(field, value string, known []string, msg string) {
		if value == "" {
			return
		}
		for _, k := range known {
			if value == k {
				return
			}
		}
		v.Add(field, msg)
	}
	check("fse_labour_status", string(f.Labour), stringsOf(FSELabours()),
		"Situation inconnue : employed, unemployed, long_term_unemployed, inactive ou declined (ne souhaite pas répondre).")
	check("fse_age_band", string(f.Age), stringsOf(FSEAges()),
		"Tranche d'âge inconnue : under_18, 18_29, 30_54, 55_plus ou declined (ne souhaite pas répondre).")
	check("fse_education", string(f.Education), stringsOf(FSEEducations()),
		"Niveau inconnu : isced_0_2, isced_3_4, isced_5_8 ou declined (ne souhaite pas répondre).")
}

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// fseAllowed refuses answers when the programme does not ask the FSE+
// questions: a file never holds answers nobody was asked for.
func (s *Service) fseAllowed(ctx context.Context, f FSEAnswers, v *ordi.Validation) error {
	if !f.Any() {
		return nil
	}
	r, err := s.Rules(ctx)
	if err != nil {
		return err
	}
	if r.FSEQuestions {
		return nil
	}
	const off = "Les questions FSE+ ne sont pas posées dans ce programme (réglage de l'administrateur) : laissez ce champ vide."
	for field, set := range map[string]bool{"fse_labour_status": f.Labour != "", "fse_age_band": f.Age != "", "fse_education": f.Education != ""} {
		if set && !v.Has(field) {
			v.Add(field, off)
		}
	}
	return nil
}

// FSEErased is what remains of an erased participant for the FSE+ counts:
// the day it entered the programme (its first enrolment in a course,
// Europe/Paris), the commune, QPV and partner the Bilan filters on, and the
// coarse answers; no household id, no reference, no name.
type FSEErased struct {
	ID        int64
	EnteredOn string // YYYY-MM-DD
	Commune   string
	QPV       bool `gorm:"column:qpv"`
	PartnerID int64
	FSEAnswers
}

// TableName tells GORM where the erased participants are counted.
func (FSEErased) TableName() string { return "fse_erased_participants" }

// keepFSECount records, inside an erasure, the anonymous count of a family
// that entered the programme (was enrolled in a course): once its file is
// erased the family still counts in the FSE+ indicators of its period. A
// family never enrolled was never a participant and leaves nothing.
func keepFSECount(tx *gorm.DB, h Household) error {
	var rows []enrollment
	if err := tx.Model(&enrollment{}).Where("household_id = ?", h.ID).Order("enrolled_at").Limit(1).Find(&rows).Error; err != nil {
		return fmt.Errorf("first enrolment of household %d: %w", h.ID, err)
	}
	if len(rows) == 0 {
		return nil
	}
	e := FSEErased{EnteredOn: rows[0].EnrolledAt.In(ordi.Paris).Format(ordi.DateLayout), Commune: h.Commune, QPV: h.QPV,
		PartnerID: h.PartnerID, FSEAnswers: h.FSEAnswers}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("keep FSE+ count of household %d: %w", h.ID, err)
	}
	return nil
}
