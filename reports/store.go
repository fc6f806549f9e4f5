package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

// DefaultSessionHours is the length counted for a course session whose
// times were not given; hours resting on it are shown as an estimate.
const DefaultSessionHours = 2.0

// familyFilter restricts the families counted (alias h for households).
type familyFilter struct {
	commune   string
	qpv       *bool
	partnerID int64
}

func (f familyFilter) sql() (string, []any) {
	var b strings.Builder
	var args []any
	if f.commune != "" {
		b.WriteString(" AND LOWER(h.commune) = LOWER(?)")
		args = append(args, f.commune)
	}
	if f.qpv != nil {
		b.WriteString(" AND h.qpv = ?")
		args = append(args, *f.qpv)
	}
	if f.partnerID != 0 {
		b.WriteString(" AND h.partner_id = ?")
		args = append(args, f.partnerID)
	}
	return b.String(), args
}

// query computes the tables of one period and family filter, each by a few
// aggregate queries: no table loads rows of units or families into Go (the
// lead times read one sorted column of durations).
type query struct {
	db  *gorm.DB
	p   period
	fam familyFilter
	now time.Time

	units    []unitGroup   // the units received in the period, read once
	moves    []moveGroup   // the units' moves to an outcome in the period, read once
	families []familyGroup // the families nominated or equipped in the period, read once
}

// unitGroup counts the units received in the period of one kind and current
// status.
type unitGroup struct {
	Kind, Status string
	N, Kg        float64
}

// moveGroup counts the moves of units to one outcome status in one Paris
// month, with the weight of the units moved.
type moveGroup struct {
	P, K  string
	N, Kg float64
}

// moveGroups reads, in one pass over the moves of the period, what the
// outcomes and the months need, from report_moves: these moves with the
// unit's weight, kept by triggers as the events are written (migration
// 00230). PostgreSQL counts by Paris month. SQLite has no time zones: each
// Paris month of the period is a range of UTC instants, given as
// parameters, and each month and outcome is counted over its range of the
// index (grouping the moves by an expression would sort them all first).
func (q *query) moveGroups() ([]moveGroup, error) {
	if q.moves != nil {
		return q.moves, nil
	}
	var rows []moveGroup
	if q.postgres() {
		if err := q.scan(&rows, `SELECT to_char(e.at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS p, e.to_status AS k, COUNT(*) AS n,
			COALESCE(SUM(e.weight_kg), 0) AS kg FROM report_moves e
			WHERE e.to_status IN ('handed_over', 'recycled', 'dismantled') AND e.at >= ? AND e.at < ?
			GROUP BY 1, e.to_status`, q.p.fromT, q.p.untilT); err != nil {
			return nil, err
		}
	} else {
		ms := q.months()
		var values []string
		var args []any
		for i, m := range ms[:len(ms)-1] {
			from, until := parisMidnight(m), parisMidnight(ms[i+1])
			if from.Before(q.p.fromT) {
				from = q.p.fromT
			}
			if until.After(q.p.untilT) {
				until = q.p.untilT
			}
			values = append(values, "(?, ?, ?)")
			args = append(args, m.Format("2006-01"), from, until)
		}
		if err := q.scan(&rows, `WITH m(p, a, b) AS (VALUES `+strings.Join(values, ", ")+`),
			s(k) AS (VALUES ('handed_over'), ('recycled'), ('dismantled'))
			SELECT m.p AS p, s.k AS k,
			(SELECT COUNT(*) FROM report_moves e WHERE e.to_status = s.k AND e.at >= m.a AND e.at < m.b) AS n,
			(SELECT COALESCE(SUM(e.weight_kg), 0) FROM report_moves e WHERE e.to_status = s.k AND e.at >= m.a AND e.at < m.b) AS kg
			FROM m, s`, args...); err != nil {
			return nil, err
		}
	}
	q.moves = append(rows, moveGroup{})
	return q.moves, nil
}

// unitGroups reads, in one pass, the units of the donations received in the
// period by kind and current status: the two tables that need them share it.
func (q *query) unitGroups() ([]unitGroup, error) {
	if q.units != nil {
		return q.units, nil
	}
	// Each unit keeps its donation's date (units.received_on, set by
	// trigger, migration 00230): one range of an index per kind and status.
	var kinds, statuses []string
	for _, k := range inventory.Kinds() {
		kinds = append(kinds, string(k))
	}
	for _, st := range inventory.Statuses() {
		statuses = append(statuses, string(st))
	}
	var rows []unitGroup
	if err := q.scan(&rows, `SELECT u.kind AS kind, u.status AS status, COUNT(*) AS n, COALESCE(SUM(u.weight_kg), 0) AS kg FROM units u
		WHERE u.kind IN ? AND u.status IN ? AND u.received_on >= ? AND u.received_on <= ? GROUP BY u.kind, u.status`,
		kinds, statuses, q.date(q.p.from), q.date(q.p.to)); err != nil {
		return nil, err
	}
	q.units = append(rows, unitGroup{}) // never nil again; the zero group adds nothing
	return q.units, nil
}

func (q *query) postgres() bool { return q.db.Dialector.Name() == "postgres" }

// date is a civil date as a query parameter: on PostgreSQL the text
// "YYYY-MM-DD", read as a DATE whatever the session's time zone; on SQLite
// the value the column holds (midnight UTC, written like every time).
func (q *query) date(d ordi.Date) any {
	if q.postgres() {
		return d.String()
	}
	return d
}

// days is the SQL for the number of days from b to a (timestamps).
func (q *query) days(a, b string) string {
	if q.postgres() {
		return "CAST(EXTRACT(EPOCH FROM (" + a + " - " + b + ")) / 86400.0 AS DOUBLE PRECISION)"
	}
	return "(julianday(" + a + ") - julianday(" + b + "))"
}

// auditHousehold joins an audit entry a to its household h.
func (q *query) auditHousehold() string {
	if q.postgres() {
		return "a.object_id = CAST(h.id AS TEXT)"
	}
	return "h.id = CAST(a.object_id AS INTEGER)"
}

// equippedSQL is true for a household h handed a unit within the period.
const equippedSQL = "EXISTS (SELECT 1 FROM reservations r WHERE r.household_id = h.id AND r.status = 'handed_over' AND r.closed_at >= ? AND r.closed_at < ?)"

type keyCount struct {
	K  string
	N  float64
	N2 float64
}

func (q *query) scan(dst any, sql string, args ...any) error {
	if err := q.db.Raw(sql, args...).Scan(dst).Error; err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

func (q *query) count(sql string, args ...any) (float64, error) {
	var n []float64
	if err := q.scan(&n, sql, args...); err != nil {
		return 0, err
	}
	if len(n) == 0 {
		return 0, nil
	}
	return n[0], nil
}

func v(x float64) Cell { return Cell{Value: x} }

func byKey(rows []keyCount) map[string]keyCount {
	m := make(map[string]keyCount, len(rows))
	for _, r := range rows {
		m[r.K] = r
	}
	return m
}

// kgCell rounds a weight to the tenth of a kilogram.
func kgCell(x float64) Cell { return v(math.Round(x*10) / 10) }

func (q *query) donorsByKind() (Table, error) {
	t := Table{Key: TableDonorsByKind, Section: "collection", Title: "Donateurs et dons reçus", RowHead: "Type de donateur",
		Columns: []Column{{"donors", "Donateurs", Count}, {"donations", "Dons", Count}},
		Method:  "Dons dont la date de réception tombe dans la période ; un donateur compte une fois, quel que soit le nombre de ses dons."}
	var rows []keyCount
	if err := q.scan(&rows, `SELECT d.kind AS k, COUNT(DISTINCT d.id) AS n, COUNT(*) AS n2 FROM donations n JOIN donors d ON d.id = n.donor_id
		WHERE n.received_on >= ? AND n.received_on <= ? GROUP BY d.kind`, q.date(q.p.from), q.date(q.p.to)); err != nil {
		return t, err
	}
	m := byKey(rows)
	var tot keyCount
	for _, k := range inventory.DonorKinds() {
		r := m[string(k)]
		t.Rows = append(t.Rows, Row{Key: string(k), Label: k.Label(), Cells: []Cell{v(r.N), v(r.N2)}})
		tot.N, tot.N2 = tot.N+r.N, tot.N2+r.N2
	}
	t.Rows = append(t.Rows, Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot.N), v(tot.N2)}})
	return t, nil
}

func (q *query) unitsByKind() (Table, error) {
	t := Table{Key: TableUnitsByKind, Section: "collection", Title: "Équipements reçus", RowHead: "Type d'équipement",
		Columns: []Column{{"units", "Unités", Units}, {"kg", "Poids (kg)", Kg}},
		Method:  "Unités des dons reçus dans la période, par type ; le poids est la somme des poids saisis (une unité sans poids compte pour 0 kg)."}
	groups, err := q.unitGroups()
	if err != nil {
		return t, err
	}
	m := map[string]keyCount{}
	for _, g := range groups {
		r := m[g.Kind]
		r.N, r.N2 = r.N+g.N, r.N2+g.Kg
		m[g.Kind] = r
	}
	var tot keyCount
	for _, k := range inventory.Kinds() {
		r := m[string(k)]
		t.Rows = append(t.Rows, Row{Key: string(k), Label: k.Label(), Cells: []Cell{v(r.N), kgCell(r.N2)}})
		tot.N, tot.N2 = tot.N+r.N, tot.N2+r.N2
	}
	t.Rows = append(t.Rows, Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot.N), kgCell(tot.N2)}})
	return t, nil
}

func (q *query) status() (Table, error) {
	t := Table{Key: TableStatus, Section: "workshop", Title: "Où en sont les unités reçues", RowHead: "Étape actuelle",
		Columns: []Column{{"units", "Unités", Units}},
		Method:  "Unités des dons reçus dans la période, selon leur étape d'aujourd'hui."}
	groups, err := q.unitGroups()
	if err != nil {
		return t, err
	}
	m := map[string]keyCount{}
	for _, g := range groups {
		r := m[g.Status]
		r.N += g.N
		m[g.Status] = r
	}
	tot := 0.0
	for _, st := range inventory.Statuses() {
		n := m[string(st)].N
		t.Rows = append(t.Rows, Row{Key: string(st), Label: st.Label(), Cells: []Cell{v(n)}})
		tot += n
	}
	t.Rows = append(t.Rows, Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot)}})
	return t, nil
}

func (q *query) erasures() (Table, error) {
	t := Table{Key: TableErasures, Section: "workshop", Title: "Effacements des données", RowHead: "Catégorie NIST SP 800-88",
		Columns: []Column{{"passed", "Réussis", Count}, {"failed", "Échoués", Count}},
		Method:  "Effacements enregistrés dans la période (un par support de stockage), par catégorie et résultat."}
	var rows []struct {
		Category, Result string
		N                float64
	}
	if err := q.scan(&rows, `SELECT category, result, COUNT(*) AS n FROM erasures
		WHERE category IN ('clear', 'purge', 'destroy') AND result IN ('passed', 'failed') AND created_at >= ? AND created_at < ?
		GROUP BY category, result`,
		q.p.fromT, q.p.untilT); err != nil {
		return t, err
	}
	for _, c := range inventory.ErasureCategories() {
		row := Row{Key: string(c), Label: c.Label(), Cells: []Cell{v(0), v(0)}}
		for _, r := range rows {
			if r.Category == string(c) && r.Result == "passed" {
				row.Cells[0].Value += r.N
			}
			if r.Category == string(c) && r.Result == "failed" {
				row.Cells[1].Value += r.N
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// outcomeRows are the rows of TableOutcomes and the statuses they count.
var outcomeRows = []struct{ key, label, status string }{
	{"reused", "Réemployées (remises à une famille)", "handed_over"},
	{"recycled", "Recyclées (filière DEEE)", "recycled"},
	{"dismantled", "Démantelées pour pièces", "dismantled"},
}

func (q *query) outcomes() (Table, error) {
	t := Table{Key: TableOutcomes, Section: "workshop", Title: "Devenir des équipements", RowHead: "Devenir",
		Columns: []Column{{"units", "Unités", Units}, {"kg", "Poids (kg)", Kg}},
		Method:  "Unités remises, recyclées ou démantelées dans la période (date du passage à cette étape) ; une unité remise deux fois dans la période (après un retour) compte deux fois. Poids saisis."}
	moves, err := q.moveGroups()
	if err != nil {
		return t, err
	}
	m := map[string]keyCount{}
	for _, g := range moves {
		r := m[g.K]
		r.N, r.N2 = r.N+g.N, r.N2+g.Kg
		m[g.K] = r
	}
	var tot keyCount
	for _, o := range outcomeRows {
		r := m[o.status]
		t.Rows = append(t.Rows, Row{Key: o.key, Label: o.label, Cells: []Cell{v(r.N), kgCell(r.N2)}})
		tot.N, tot.N2 = tot.N+r.N, tot.N2+r.N2
	}
	t.Rows = append(t.Rows, Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot.N), kgCell(tot.N2)}})
	return t, nil
}

// Median returns the median of sorted values (the mean of the two middle
// ones for an even count); P90 the 90th percentile by nearest rank.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// P90 is the smallest value at or above 90 % of the values (nearest rank).
func P90(sorted []float64) float64 {
	i := int(math.Ceil(0.9*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return sorted[i]
}

// spread is the median, 90th percentile and count of a set of durations.
type spread struct {
	Median, P90, N float64
}

// durations computes the spread of the column d of sub (a query of one
// duration per row): in SQL on PostgreSQL (percentile_cont gives the same
// median, percentile_disc the nearest rank); on SQLite, which has no
// percentiles, from the column read alone, sorted in Go (SQLite's sorter
// took most of the time).
func (q *query) durations(sub string, args ...any) (spread, error) {
	if q.postgres() {
		var rows []spread
		err := q.scan(&rows, `SELECT COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY d), 0) AS median,
			COALESCE(percentile_disc(0.9) WITHIN GROUP (ORDER BY d), 0) AS p90, COUNT(*) AS n FROM (`+sub+`) x`, args...)
		if err != nil || len(rows) == 0 {
			return spread{}, err
		}
		return rows[0], nil
	}
	res, err := q.db.Raw(`SELECT d FROM (`+sub+`) x`, args...).Rows()
	if err != nil {
		return spread{}, fmt.Errorf("reports: %w", err)
	}
	defer res.Close()
	var d []float64
	for res.Next() {
		var x float64
		if err := res.Scan(&x); err != nil {
			return spread{}, fmt.Errorf("reports: %w", err)
		}
		d = append(d, x)
	}
	if err := res.Err(); err != nil {
		return spread{}, fmt.Errorf("reports: %w", err)
	}
	if len(d) == 0 {
		return spread{}, nil
	}
	slices.Sort(d)
	return spread{Median: Median(d), P90: P90(d), N: float64(len(d))}, nil
}

func leadRow(key, label string, d spread) Row {
	if d.N == 0 {
		return Row{Key: key, Label: label, Cells: []Cell{{Empty: true}, {Empty: true}, v(0)}}
	}
	r1 := func(x float64) Cell { return v(math.Round(x*10) / 10) }
	return Row{Key: key, Label: label, Cells: []Cell{r1(d.Median), r1(d.P90), v(d.N)}}
}

func (q *query) leadTimes() (Table, error) {
	t := Table{Key: TableLeadTimes, Section: "workshop", Title: "Délais", RowHead: "Étape",
		Columns: []Column{{"median", "Médiane (jours)", Days}, {"p90", "9 sur 10 en moins de (jours)", Days}, {"units", "Unités", Units}},
		Method: "Réception → prêt : de l'enregistrement de l'unité à sa première mise à disposition, pour les unités devenues prêtes dans la période. " +
			"Prêt → remis : de la dernière mise à disposition à la remise, pour les unités remises dans la période. Médiane, et 90e centile au rang le plus proche."}
	// report_moves keeps, beside a unit's first move to ready, when the
	// unit was registered, and beside each handover, the unit's last move
	// to ready before it (none: no lead time): each spread is one range
	// over its index.
	ready, err := q.durations(`SELECT `+q.days("r.at", "r.since")+` AS d FROM report_moves r
		WHERE r.to_status = 'ready' AND r.at >= ? AND r.at < ?`, q.p.fromT, q.p.untilT)
	if err != nil {
		return t, err
	}
	handed, err := q.durations(`SELECT `+q.days("h.at", "h.since")+` AS d FROM report_moves h
		WHERE h.to_status = 'handed_over' AND h.at >= ? AND h.at < ? AND h.since IS NOT NULL`, q.p.fromT, q.p.untilT)
	if err != nil {
		return t, err
	}
	t.Rows = []Row{leadRow("received_ready", "Réception → prêt", ready), leadRow("ready_handed_over", "Prêt → remis", handed)}
	return t, nil
}

// months returns the first day of each month the period touches, and the
// first day of the month after.
func (q *query) months() []ordi.Date {
	var out []ordi.Date
	m := time.Date(q.p.from.Year(), q.p.from.Month(), 1, 0, 0, 0, 0, time.UTC)
	for !m.After(q.p.to.Time) {
		out = append(out, ordi.Date{Time: m})
		m = m.AddDate(0, 1, 0)
	}
	return append(out, ordi.Date{Time: m})
}

func (q *query) monthly() (Table, error) {
	t := Table{Key: TableMonthly, Section: "workshop", Title: "Mois par mois", RowHead: "Mois",
		Columns: []Column{{"received", "Reçues", Units}, {"handed_over", "Remises", Units}, {"recycled", "Recyclées", Units}},
		Method:  "Unités reçues (date du don), remises et recyclées (date du passage à l'étape, heure de Paris), par mois civil ; une unité remise deux fois dans le mois compte deux fois."}
	ms := q.months()
	index := map[string]int{}
	for i, m := range ms[:len(ms)-1] {
		key := m.Format("2006-01")
		index[key] = i
		t.Rows = append(t.Rows, Row{Key: key, Label: frenchMonth(m.Time), Cells: []Cell{v(0), v(0), v(0)}})
	}
	// Units received, counted by day of donation in SQL.
	var recv []struct {
		D ordi.Date
		N float64
	}
	if err := q.scan(&recv, `SELECT n.received_on AS d, COUNT(*) AS n FROM units u JOIN donations n ON n.id = u.donation_id
		WHERE n.received_on >= ? AND n.received_on <= ? GROUP BY n.received_on`, q.date(q.p.from), q.date(q.p.to)); err != nil {
		return t, err
	}
	for _, r := range recv {
		if i, ok := index[r.D.Format("2006-01")]; ok {
			t.Rows[i].Cells[0].Value += r.N
		}
	}
	moved, err := q.moveGroups()
	if err != nil {
		return t, err
	}
	for _, r := range moved {
		month := r.P
		i, ok := index[month]
		if !ok {
			continue
		}
		switch r.K {
		case "handed_over":
			t.Rows[i].Cells[1].Value += r.N
		case "recycled":
			t.Rows[i].Cells[2].Value += r.N
		}
	}
	return t, nil
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frenchMonth(t time.Time) string {
	return frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// funnel counts, for each step, the families that took it in the period.
func (q *query) funnel() (Table, error) {
	t := Table{Key: TableFunnel, Section: "families", Title: "Parcours des familles", RowHead: "Étape",
		Columns: []Column{{"families", "Familles", Families}},
		Method: "Chaque famille compte à la date de l'étape : orientée (date de l'orientation), décision d'éligibilité ou de refus (date de la décision), " +
			"inscrite à une formation, formée (présences atteintes), équipée (date de la remise), sortie du dispositif. Les familles dont les données ont été effacées restent comptées, sans leur nom."}
	fs, fa := q.fam.sql()
	T := []any{q.p.fromT, q.p.untilT}
	with := func(args ...any) []any { return append(append([]any{}, args...), fa...) }
	nominated, err := q.count(`SELECT COUNT(*) FROM households h WHERE h.created_at >= ? AND h.created_at < ?`+fs, with(T...)...)
	if err != nil {
		return t, err
	}
	var decided []keyCount
	if err := q.scan(&decided, `SELECT a.action || ':' || a.detail AS k, COUNT(DISTINCT h.id) AS n FROM audit_events a JOIN households h ON `+q.auditHousehold()+`
		WHERE a.object_type = 'household' AND a.action IN ('household.decide', 'household.withdraw') AND a.at >= ? AND a.at < ?`+fs+`
		GROUP BY a.action, a.detail`, with(T...)...); err != nil {
		return t, err
	}
	d := map[string]float64{}
	for _, r := range decided {
		switch {
		case r.K == "household.decide:eligible":
			d["eligible"] += r.N
		case r.K == "household.decide:ineligible":
			d["ineligible"] += r.N
		case strings.HasPrefix(r.K, "household.withdraw:"):
			d["withdrawn"] += r.N
		}
	}
	enrolled, err := q.count(`SELECT COUNT(DISTINCT e.household_id) FROM enrollments e JOIN households h ON h.id = e.household_id
		WHERE e.enrolled_at >= ? AND e.enrolled_at < ?`+fs, with(T...)...)
	if err != nil {
		return t, err
	}
	trained, err := q.count(`SELECT COUNT(*) FROM households h WHERE h.trained_at >= ? AND h.trained_at < ?`+fs, with(T...)...)
	if err != nil {
		return t, err
	}
	equipped, err := q.count(`SELECT COUNT(*) FROM households h WHERE `+equippedSQL+fs, with(T...)...)
	if err != nil {
		return t, err
	}
	for _, r := range []struct {
		st allocation.HouseholdStatus
		n  float64
	}{
		{allocation.StatusNominated, nominated}, {allocation.StatusEligible, d["eligible"]}, {allocation.StatusIneligible, d["ineligible"]},
		{allocation.StatusEnrolled, enrolled}, {allocation.StatusTrained, trained}, {allocation.StatusEquipped, equipped},
		{allocation.StatusWithdrawn, d["withdrawn"]},
	} {
		t.Rows = append(t.Rows, Row{Key: string(r.st), Label: funnelLabels[r.st], Cells: []Cell{v(r.n)}})
	}
	return t, nil
}

var funnelLabels = map[allocation.HouseholdStatus]string{
	allocation.StatusNominated: "Orientées", allocation.StatusEligible: "Déclarées éligibles", allocation.StatusIneligible: "Non retenues",
	allocation.StatusEnrolled: "Inscrites en formation", allocation.StatusTrained: "Formées", allocation.StatusEquipped: "Équipées",
	allocation.StatusWithdrawn: "Sorties du dispositif",
}

func (q *query) ineligibleReasons() (Table, error) {
	t := Table{Key: TableIneligibleReasons, Section: "families", Title: "Motifs de non-éligibilité", RowHead: "Motif",
		Columns: []Column{{"families", "Familles", Families}},
		Method:  "Familles non retenues dont la décision tombe dans la période et qui le sont toujours, par motif tel qu'il a été écrit ; le motif d'une famille dont les données ont été effacées n'est plus connu."}
	fs, fa := q.fam.sql()
	var rows []keyCount
	if err := q.scan(&rows, `SELECT CASE WHEN h.erased_at IS NULL THEN h.status_reason ELSE '' END AS k, COUNT(*) AS n FROM households h
		WHERE h.status = 'ineligible' AND h.decided_at >= ? AND h.decided_at < ?`+fs+` GROUP BY 1`, append([]any{q.p.fromT, q.p.untilT}, fa...)...); err != nil {
		return t, err
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].N != rows[j].N {
			return rows[i].N > rows[j].N
		}
		return rows[i].K < rows[j].K
	})
	tot := 0.0
	for i, r := range rows {
		label := strings.TrimSpace(r.K)
		if label == "" {
			label = "Motif non conservé"
		}
		t.Rows = append(t.Rows, Row{Key: fmt.Sprint("reason_", i+1), Label: label, Cells: []Cell{v(r.N)}})
		tot += r.N
	}
	t.Rows = append(t.Rows, Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot)}})
	return t, nil
}

// familyGroup counts the families nominated and equipped in the period of
// one commune, QPV residence and partner.
type familyGroup struct {
	Commune, QPV, Partner string
	Nominated, Equipped   float64
}

// familyGroups reads, in one pass over the families, the counts that the
// tables by commune, by QPV and by partner add up.
func (q *query) familyGroups() ([]familyGroup, error) {
	if q.families != nil {
		return q.families, nil
	}
	fs, fa := q.fam.sql()
	T := []any{q.p.fromT, q.p.untilT}
	args := append(append(append(append([]any{}, T...), T...), T...), fa...)
	var rows []familyGroup
	if err := q.scan(&rows, `SELECT h.commune AS commune, CASE WHEN h.qpv THEN 'qpv' ELSE 'not_qpv' END AS qpv, p.name AS partner,
		SUM(CASE WHEN h.created_at >= ? AND h.created_at < ? THEN 1 ELSE 0 END) AS nominated,
		SUM(CASE WHEN e.household_id IS NULL THEN 0 ELSE 1 END) AS equipped
		FROM households h JOIN partners p ON p.id = h.partner_id
		LEFT JOIN (SELECT DISTINCT household_id FROM reservations WHERE status = 'handed_over' AND closed_at >= ? AND closed_at < ?) e ON e.household_id = h.id
		WHERE ((h.created_at >= ? AND h.created_at < ?) OR e.household_id IS NOT NULL)`+fs+` GROUP BY 1, 2, 3`, args...); err != nil {
		return nil, err
	}
	q.families = append(rows, familyGroup{})
	return q.families, nil
}

// byDimension adds up the family groups by the value of dim.
func (q *query) byDimension(dim func(familyGroup) string) ([]keyCount, error) {
	groups, err := q.familyGroups()
	if err != nil {
		return nil, err
	}
	m := map[string]keyCount{}
	for _, g := range groups {
		if g == (familyGroup{}) {
			continue
		}
		k := dim(g)
		r := m[k]
		r.K, r.N, r.N2 = k, r.N+g.Nominated, r.N2+g.Equipped
		m[k] = r
	}
	rows := make([]keyCount, 0, len(m))
	for _, r := range m {
		rows = append(rows, r)
	}
	return rows, nil
}

var familyColumns = []Column{{"nominated", "Orientées", Families}, {"equipped", "Équipées", Families}}

const familyMethod = "Familles orientées (date de l'orientation) et équipées (date de la remise) dans la période"

func dimensionTable(t Table, rows []keyCount, label func(string) string) Table {
	var tot keyCount
	for _, r := range rows {
		t.Rows = append(t.Rows, Row{Key: r.K, Label: label(r.K), Cells: []Cell{v(r.N), v(r.N2)}})
		tot.N, tot.N2 = tot.N+r.N, tot.N2+r.N2
	}
	t.Rows = append(t.Rows, Row{Key: TotalKey, Label: "Total", Cells: []Cell{v(tot.N), v(tot.N2)}})
	return t
}

func (q *query) byCommune() (Table, error) {
	rows, err := q.byDimension(func(g familyGroup) string { return g.Commune })
	sort.Slice(rows, func(i, j int) bool { return rows[i].K < rows[j].K })
	return dimensionTable(Table{Key: TableByCommune, Section: "families", Title: "Familles par commune", RowHead: "Commune",
		Columns: familyColumns, Method: familyMethod + ", par commune de résidence."}, rows, func(k string) string { return k }), err
}

func (q *query) byQPV() (Table, error) {
	rows, err := q.byDimension(func(g familyGroup) string { return g.QPV })
	m := byKey(rows)
	rows = []keyCount{m["qpv"], m["not_qpv"]}
	rows[0].K, rows[1].K = "qpv", "not_qpv"
	return dimensionTable(Table{Key: TableByQPV, Section: "families", Title: "Familles des quartiers prioritaires", RowHead: "Résidence",
		Columns: familyColumns, Method: familyMethod + ", selon leur résidence en quartier prioritaire de la politique de la ville (QPV)."}, rows,
		func(k string) string {
			if k == "qpv" {
				return "En QPV"
			}
			return "Hors QPV"
		}), err
}

func (q *query) byPartner() (Table, error) {
	rows, err := q.byDimension(func(g familyGroup) string { return g.Partner })
	sort.Slice(rows, func(i, j int) bool { return rows[i].K < rows[j].K })
	t := dimensionTable(Table{Key: TableByPartner, Section: "families", Title: "Familles par partenaire", RowHead: "Partenaire",
		Columns: familyColumns, Method: familyMethod + ", par partenaire qui les a orientées."}, rows, func(k string) string { return k })
	for i := range t.Rows {
		if t.Rows[i].Key != TotalKey {
			t.Rows[i].Key = fmt.Sprint("partner_", i+1)
		}
	}
	return t, err
}

func (q *query) people() (Table, error) {
	t := Table{Key: TablePeople, Section: "families", Title: "Personnes touchées", RowHead: "Personnes",
		Columns: []Column{{"people", "Personnes", People}},
		Method:  "Membres des foyers équipés dans la période : adultes et enfants ; les enfants scolarisés sont comptés parmi les enfants (le total est adultes + enfants)."}
	fs, fa := q.fam.sql()
	var rows []struct{ Adults, Children, School float64 }
	if err := q.scan(&rows, `SELECT COALESCE(SUM(h.adults), 0) AS adults, COALESCE(SUM(h.children), 0) AS children, COALESCE(SUM(h.school_children), 0) AS school
		FROM households h WHERE `+equippedSQL+fs, append([]any{q.p.fromT, q.p.untilT}, fa...)...); err != nil {
		return t, err
	}
	var r struct{ Adults, Children, School float64 }
	if len(rows) > 0 {
		r = rows[0]
	}
	t.Rows = []Row{
		{Key: "adults", Label: "Adultes", Cells: []Cell{v(r.Adults)}},
		{Key: "children", Label: "Enfants", Cells: []Cell{v(r.Children)}},
		{Key: "school_children", Label: "dont scolarisés", Cells: []Cell{v(r.School)}},
		{Key: TotalKey, Label: "Total", Cells: []Cell{v(r.Adults + r.Children)}},
	}
	return t, nil
}

// sessionHours sums the length of the sessions held in the period: their
// times when given, DefaultSessionHours otherwise (then estimate is set).
func (q *query) sessionHours() (sessions, courses, hours float64, estimate bool, err error) {
	today := ordi.DateOf(q.now.In(ordi.Paris))
	last := q.p.to
	if today.Before(last) {
		last = today
	}
	var rows []struct {
		StartTime, EndTime *string
		N, C               float64
	}
	if err = q.scan(&rows, `SELECT start_time, end_time, COUNT(*) AS n FROM course_sessions WHERE date >= ? AND date <= ? GROUP BY start_time, end_time`,
		q.date(q.p.from), q.date(last)); err != nil {
		return
	}
	for _, r := range rows {
		sessions += r.N
		h, ok := span(r.StartTime, r.EndTime)
		if !ok {
			h, estimate = DefaultSessionHours, true
		}
		hours += h * r.N
	}
	courses, err = q.count(`SELECT COUNT(DISTINCT course_id) FROM course_sessions WHERE date >= ? AND date <= ?`, q.date(q.p.from), q.date(last))
	return
}

// span is the length in hours between two "HH:MM" times.
func span(start, end *string) (float64, bool) {
	if start == nil || end == nil {
		return 0, false
	}
	a, err1 := time.Parse("15:04", *start)
	b, err2 := time.Parse("15:04", *end)
	if err1 != nil || err2 != nil || !b.After(a) {
		return 0, false
	}
	return b.Sub(a).Hours(), true
}

func (q *query) training() (Table, error) {
	t := Table{Key: TableTraining, Section: "training", Title: "Formation", RowHead: "Période",
		Columns: []Column{{"courses", "Formations", Count}, {"sessions", "Séances", Count}, {"enrolments", "Familles inscrites", Families},
			{"hours", "Heures de formation", Hours}, {"attendance_rate", "Taux de présence (%)", Percent}},
		Method: fmt.Sprintf("Formations et séances tenues dans la période (jusqu'à aujourd'hui) et leurs heures (horaires de chaque séance ; %v h par séance sans horaires, alors estimées). "+
			"Familles inscrites dans la période ; taux de présence : présences sur présences relevées aux séances de la période.", DefaultSessionHours)}
	sessions, courses, hours, estimate, err := q.sessionHours()
	if err != nil {
		return t, err
	}
	fs, fa := q.fam.sql()
	enrolled, err := q.count(`SELECT COUNT(DISTINCT e.household_id) FROM enrollments e JOIN households h ON h.id = e.household_id
		WHERE e.enrolled_at >= ? AND e.enrolled_at < ?`+fs, append([]any{q.p.fromT, q.p.untilT}, fa...)...)
	if err != nil {
		return t, err
	}
	var att []struct{ Marked, Present float64 }
	if err := q.scan(&att, `SELECT COUNT(*) AS marked, COALESCE(SUM(CASE WHEN a.present THEN 1 ELSE 0 END), 0) AS present
		FROM attendance a JOIN course_sessions s ON s.course_id = a.course_id AND s.number = a.session JOIN households h ON h.id = a.household_id
		WHERE s.date >= ? AND s.date <= ?`+fs, append([]any{q.date(q.p.from), q.date(q.p.to)}, fa...)...); err != nil {
		return t, err
	}
	rate := Cell{Empty: true}
	if len(att) > 0 && att[0].Marked > 0 {
		rate = v(math.Round(att[0].Present/att[0].Marked*1000) / 10)
	}
	t.Rows = []Row{{Key: "period", Label: "Sur la période", Cells: []Cell{v(courses), v(sessions), v(enrolled),
		{Value: math.Round(hours*10) / 10, Estimate: estimate}, rate}}}
	return t, nil
}
