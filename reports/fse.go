package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// The FSE+ common output indicators on participants this programme can
// feed (Regulation (EU) 2021/1057, Annex I, point 1.1; the codes are those
// of the Commission's SFC2021 transmission of data). The rows of TableFSE,
// in this order.
var fseIndicators = []struct{ Code, Label string }{
	{"EECO01", "EECO01 — Chômeurs, y compris les chômeurs de longue durée"},
	{"EECO02", "EECO02 — Chômeurs de longue durée"},
	{"EECO03", "EECO03 — Personnes inactives"},
	{"EECO04", "EECO04 — Personnes exerçant un emploi, y compris les indépendants"},
	{"EECO05", "EECO05 — Enfants de moins de 18 ans"},
	{"EECO06", "EECO06 — Jeunes de 18 à 29 ans"},
	{"EECO07", "EECO07 — Participants de 55 ans et plus"},
	{"EECO08", "EECO08 — Niveau d'études CITE 0 à 2 (premier cycle du secondaire ou moins)"},
	{"EECO09", "EECO09 — Niveau d'études CITE 3 ou 4 (deuxième cycle du secondaire ou post-secondaire)"},
	{"EECO10", "EECO10 — Niveau d'études CITE 5 à 8 (enseignement supérieur)"},
	{"EECO11", "EECO11 — Nombre total de participants"},
}

// FSECodes are the row keys of TableFSE, in order.
func FSECodes() []string {
	out := make([]string, len(fseIndicators))
	for i, ind := range fseIndicators {
		out[i] = ind.Code
	}
	return out
}

// fseMethod is the methodology note of TableFSE.
const fseMethod = "Participant : la personne de contact du foyer orienté, comptée une fois, à la date de sa première inscription à une formation (entrée dans l'opération), si cette date tombe dans la période. " +
	"Les réponses viennent des questions FSE+ du formulaire d'orientation, chacune facultative ; « ne souhaite pas répondre » et les questions sans réponse ne comptent que dans le total (EECO11). " +
	"Les familles dont le dossier a été effacé restent comptées, sans lien avec leur dossier. " +
	"Indicateurs communs de réalisation du règlement (UE) 2021/1057 (FSE+), annexe I, point 1.1 ; pas de ventilation par sexe ; aucune donnée des catégories particulières n'est collectée."

// FSEIndicators computes TableFSE: the number of participants who entered
// the programme in f's period (their household's first enrolment in a
// course, as a civil date in Europe/Paris), per indicator, by two aggregate
// queries: the families whose file is whole, and the anonymous counts left
// by erased ones. partnerScope > 0 restricts it to one partner's families
// (a social worker's view), as f.PartnerID does. Counts are raw: the
// caller applies suppression (Suppress), as for every table of people.
func FSEIndicators(ctx context.Context, db *gorm.DB, f Filter, partnerScope int64) (Table, error) {
	from, err := time.ParseInLocation(ordi.DateLayout, f.From, ordi.Paris)
	if err != nil {
		return Table{}, fmt.Errorf("fse indicators: from %q: %w", f.From, err)
	}
	to, err := time.ParseInLocation(ordi.DateLayout, f.To, ordi.Paris)
	if err != nil {
		return Table{}, fmt.Errorf("fse indicators: to %q: %w", f.To, err)
	}
	end := to.AddDate(0, 0, 1) // the first instant after the period

	type group struct {
		Labour    string
		Age       string
		Education string
		N         int
	}
	restrict := func(q *gorm.DB, prefix string) *gorm.DB {
		if c := strings.TrimSpace(f.Commune); c != "" {
			q = q.Where("LOWER("+prefix+"commune) = LOWER(?)", c)
		}
		if f.QPV != nil {
			q = q.Where(prefix+"qpv = ?", *f.QPV)
		}
		if f.PartnerID > 0 {
			q = q.Where(prefix+"partner_id = ?", f.PartnerID)
		}
		if partnerScope > 0 {
			q = q.Where(prefix+"partner_id = ?", partnerScope)
		}
		return q
	}
	var live, erased []group
	entered := db.Table("enrollments").Select("household_id, MIN(enrolled_at) AS entered_at").Group("household_id")
	q := db.WithContext(ctx).Table("households AS h").
		Joins("JOIN (?) AS e ON e.household_id = h.id", entered).
		Where("h.erased_at IS NULL AND e.entered_at >= ? AND e.entered_at < ?", from.UTC(), end.UTC())
	err = restrict(q, "h.").
		Select("h.fse_labour_status AS labour, h.fse_age_band AS age, h.fse_education AS education, COUNT(*) AS n").
		Group("h.fse_labour_status, h.fse_age_band, h.fse_education").Scan(&live).Error
	if err != nil {
		return Table{}, fmt.Errorf("fse indicators: %w", err)
	}
	q = db.WithContext(ctx).Table("fse_erased_participants").Where("entered_on >= ? AND entered_on <= ?", f.From, f.To)
	err = restrict(q, "").
		Select("fse_labour_status AS labour, fse_age_band AS age, fse_education AS education, COUNT(*) AS n").
		Group("fse_labour_status, fse_age_band, fse_education").Scan(&erased).Error
	if err != nil {
		return Table{}, fmt.Errorf("fse indicators (erased files): %w", err)
	}

	counts := map[string]int{}
	for _, g := range append(live, erased...) {
		switch g.Labour {
		case "unemployed":
			counts["EECO01"] += g.N
		case "long_term_unemployed":
			counts["EECO01"] += g.N
			counts["EECO02"] += g.N
		case "inactive":
			counts["EECO03"] += g.N
		case "employed":
			counts["EECO04"] += g.N
		}
		switch g.Age {
		case "under_18":
			counts["EECO05"] += g.N
		case "18_29":
			counts["EECO06"] += g.N
		case "55_plus":
			counts["EECO07"] += g.N
		}
		switch g.Education {
		case "isced_0_2":
			counts["EECO08"] += g.N
		case "isced_3_4":
			counts["EECO09"] += g.N
		case "isced_5_8":
			counts["EECO10"] += g.N
		}
		counts["EECO11"] += g.N
	}
	t := Table{Key: TableFSE, Section: "fse", Title: "Indicateurs FSE+ : participants",
		RowHead: "Indicateur", Columns: []Column{{Key: "participants", Label: "Participants", Measure: People}}, Method: fseMethod}
	for _, ind := range fseIndicators {
		t.Rows = append(t.Rows, Row{Key: ind.Code, Label: ind.Label, Cells: []Cell{{Value: float64(counts[ind.Code])}}})
	}
	return t, nil
}
