package render

import (
	"fmt"
	"time"

	"github.com/ordi-app/ordi/reports"
)

// The canaries: values left in suppressed cells that no output may print.
const (
	canary      = 987654 // in a suppressed cell of the funnel ("withdrawn")
	smallCanary = 3      // in a suppressed cell of the funnel ("ineligible")
)

var generatedAt = time.Date(2027, 1, 15, 9, 30, 0, 0, time.UTC)

func n(v float64) reports.Cell      { return reports.Cell{Value: v} }
func est(v float64) reports.Cell    { return reports.Cell{Value: v, Estimate: true} }
func hidden(v float64) reports.Cell { return reports.Cell{Value: v, Suppressed: true} }

var emptyCell = reports.Cell{Empty: true}

func col(key, label string, m reports.Measure) reports.Column {
	return reports.Column{Key: key, Label: label, Measure: m}
}

func row(key, label string, cells ...reports.Cell) reports.Row {
	return reports.Row{Key: key, Label: label, Cells: cells}
}

// longCommunes are commune names that test wrapping and escaping.
var longCommunes = []string{
	"Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson",
	"L'Haÿ-les-Roses",
	"Œuvre <b>&amp; « Fils »",
	"=HYPERLINK(\"http://evil\")",
}

// sample builds a Bilan by hand: months months from January 2024 and
// communes communes, with suppressed cells (holding canaries), estimates,
// empty cells and long French names.
func sample(months, communes int) reports.Summary {
	qpv := true
	s := reports.Summary{
		Filter:    reports.Filter{From: "2024-01-01", To: fmt.Sprintf("%04d-%02d-%02d", 2024+(months-1)/12, (months-1)%12+1, 28), QPV: &qpv, PartnerID: 7},
		Threshold: 5,
	}
	monthly := reports.Table{Key: reports.TableMonthly, Section: "workshop", Title: "Unités par mois", RowHead: "Mois",
		Columns: []reports.Column{col("received", "Reçues", reports.Units), col("handed_over", "Remises", reports.Units), col("recycled", "Recyclées", reports.Units)},
		Method:  "Une unité compte le mois de sa réception, de sa remise ou de son recyclage."}
	for i := 0; i < months; i++ {
		t := time.Date(2024, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC)
		monthly.Rows = append(monthly.Rows, row(t.Format("2006-01"), frenchMonths[t.Month()-1]+" "+t.Format("2006"),
			n(float64(20+i*7%40)), n(float64(10+i*5%25)), n(float64(i%6))))
	}
	funnel := reports.Table{Key: reports.TableFunnel, Section: "families", Title: "Parcours des familles", RowHead: "Étape",
		Columns: []reports.Column{col("families", "Familles", reports.Families)},
		Rows: []reports.Row{
			row("nominated", "Orientées", n(1234)),
			row("eligible", "Éligibles", n(1100)),
			row("ineligible", "Non éligibles", hidden(smallCanary)),
			row("enrolled", "Inscrites", n(950)),
			row("trained", "Formées", n(900)),
			row("equipped", "Équipées", n(875)),
			row("withdrawn", "Sorties du programme", hidden(canary)),
		},
		Method: "Une famille compte à la date de chaque étape."}
	outcomes := reports.Table{Key: reports.TableOutcomes, Section: "workshop", Title: "Devenir des unités", RowHead: "Devenir",
		Columns: []reports.Column{col("units", "Unités", reports.Units), col("kg", "Poids (kg)", reports.Kg)},
		Rows: []reports.Row{
			row("reused", "Réemployées", n(400), est(1234.5)),
			row("recycled", "Recyclées", n(50), n(600.25)),
			row("dismantled", "Démantelées", n(10), n(0)),
			row(reports.TotalKey, "Total", n(460), est(1834.75)),
		},
		Method: "Poids pesé, ou poids par défaut du type d'unité (estimation)."}
	lead := reports.Table{Key: reports.TableLeadTimes, Section: "workshop", Title: "Délais", RowHead: "Délai",
		Columns: []reports.Column{col("median", "Médiane (jours)", reports.Days), col("p90", "90e centile (jours)", reports.Days), col("units", "Unités", reports.Units)},
		Rows: []reports.Row{
			row("received_ready", "De la réception à « prête »", n(12.5), n(40), n(300)),
			row("ready_handed_over", "De « prête » à la remise", emptyCell, emptyCell, n(0)),
		}}
	byCommune := reports.Table{Key: reports.TableByCommune, Section: "families", Title: "Familles par commune", RowHead: "Commune",
		Columns: []reports.Column{col("nominated", "Orientées", reports.Families), col("equipped", "Équipées", reports.Families)},
		Method:  "Commune du domicile de la famille à son orientation."}
	for i := 0; i < communes; i++ {
		name := fmt.Sprintf("Commune n° %03d", i+1)
		if i < len(longCommunes) {
			name = longCommunes[i]
		}
		nom, eq := n(float64(10+i)), n(float64(5+i))
		if i%3 == 1 {
			eq = hidden(smallCanary)
		}
		byCommune.Rows = append(byCommune.Rows, row(fmt.Sprintf("c%03d", i), name, nom, eq))
	}
	byCommune.Rows = append(byCommune.Rows, row(reports.TotalKey, "Total", n(1234), n(875)))
	training := reports.Table{Key: reports.TableTraining, Section: "training", Title: "Formation", RowHead: "Période",
		Columns: []reports.Column{col("courses", "Cours", reports.Count), col("sessions", "Séances", reports.Count), col("enrolments", "Inscriptions", reports.Families), col("hours", "Heures de formation", reports.Hours), col("attendance_rate", "Taux de présence", reports.Percent)},
		Rows:    []reports.Row{row("period", "Sur la période", n(12), n(96), n(2), n(1234.5), n(87.25))},
		Method:  "Heures : durée des séances tenues multipliée par le nombre de présents."}
	s.Tables = []reports.Table{monthly, outcomes, lead, funnel, byCommune, training}
	s.Targets = []reports.Target{
		{Key: "families_equipped", Label: "Familles équipées", Measure: reports.Families, Goal: 1000, Done: n(875)},
		{Key: "qpv_share", Label: "Part des familles en QPV", Measure: reports.Families, Goal: 3, Done: hidden(smallCanary)},
	}
	return s
}

func meta() Meta {
	return Meta{
		Association: Identity{Name: "Régie de quartier des Œillets", Address: []string{"12 rue de l'Église", "93100 Montreuil"}, SIRET: "12345678901234", Email: "contact@regie.example"},
		Partner:     "CCAS de Montreuil",
		Generated:   generatedAt,
	}
}
