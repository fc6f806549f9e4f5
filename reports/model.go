// Package reports computes the programme's figures (the "Bilan"): what was
// collected, what the workshop did, how families went through the
// programme, the training delivered and the progress against targets. Every
// count of families or people it publishes goes through one small-cell
// suppression rule (suppress.go), so a figure can be shown on screen, put in
// an export or served by the API without exposing a family.
//
// The figures are a list of Tables: plain values that the web pages, the
// charts and the exports (CSV, XLSX, PDF) all read, so that every output says
// the same thing.
package reports

// Filter is what the Bilan is asked for: a period of civil dates in
// Europe/Paris (both ends included) and optional restrictions on the
// families counted.
type Filter struct {
	From      string // YYYY-MM-DD, first day counted
	To        string // YYYY-MM-DD, last day counted
	Commune   string // "" for every commune
	QPV       *bool  // nil for both
	PartnerID int64  // 0 for every partner
}

// Measure says what a column counts, which decides how it is printed and
// whether it is suppressed.
type Measure string

// The measures. Families and People are the only ones suppressed.
const (
	Families Measure = "families" // households: suppressed between 1 and the threshold
	People   Measure = "people"   // persons in households: suppressed likewise
	Units    Measure = "units"    // machines: never suppressed
	Kg       Measure = "kg"       // weights: never suppressed
	Count    Measure = "count"    // other counts (donors, donations, courses, sessions, erasures)
	Hours    Measure = "hours"    // training hours
	Days     Measure = "days"     // lead times
	Percent  Measure = "percent"  // rates, 0–100
	Money    Measure = "money"    // euros (later: payments)
)

// Suppressed reports whether cells of this measure go through small-cell
// suppression.
func (m Measure) Suppressed() bool { return m == Families || m == People }

// Column is one column of a table. The row labels are not a column.
type Column struct {
	Key     string // stable, snake_case: "units", "kg", "nominated"
	Label   string // French header
	Measure Measure
}

// Cell is one published value. When Suppressed is set, Value is zero and
// must never be shown: outputs print "< threshold" instead.
type Cell struct {
	Value      float64
	Suppressed bool
	Estimate   bool // the value rests on default weights or factors (shown as "estimation")
	Empty      bool // no value makes sense here (a median over no unit): shown as "—"
}

// TotalKey is the Key of a total row or a total column. Suppression treats
// the other rows (columns) as the parts that add up to it.
const TotalKey = "total"

// Row is one line of a table, its cells in the order of the table's columns.
type Row struct {
	Key   string // stable: a status, a kind, a commune, a month "2026-03", or TotalKey
	Label string // French
	Cells []Cell
}

// Table is one table of the Bilan.
type Table struct {
	Key     string // stable id, "section.name": "collection.units_by_kind"
	Section string // "collection", "workshop", "families", "training", "targets", "fse"
	Title   string // French
	RowHead string // header of the row labels' column
	Columns []Column
	Rows    []Row
	Method  string // French: how each figure is counted (the methodology note)
}

// Cell returns the cell at row key r and column key c.
func (t Table) Cell(r, c string) (Cell, bool) {
	ci := -1
	for i, col := range t.Columns {
		if col.Key == c {
			ci = i
		}
	}
	if ci < 0 {
		return Cell{}, false
	}
	for _, row := range t.Rows {
		if row.Key == r && ci < len(row.Cells) {
			return row.Cells[ci], true
		}
	}
	return Cell{}, false
}

// Target is the progress of one yearly target.
type Target struct {
	Key     string // "families_equipped", "qpv_share", "units_reused", "kg_diverted", "training_hours"
	Label   string // French
	Measure Measure
	Goal    float64
	Done    Cell // suppressed like any family count
}

// Summary is the Bilan for one filter, as the caller may see it.
type Summary struct {
	Filter    Filter
	Threshold int    // counts of families or people from 1 to Threshold-1 are suppressed
	Scope     string // "" for the whole programme; the partner's name for a social worker's view
	Tables    []Table
	Targets   []Target // for the year of Filter.To, when the admin set some
}

// Table returns the table with the given key.
func (s Summary) Table(key string) (Table, bool) {
	for _, t := range s.Tables {
		if t.Key == key {
			return t, true
		}
	}
	return Table{}, false
}

// The table keys every Summary of the whole programme holds, in this order.
// A social worker's view leaves out the workshop's cost figures (none yet)
// but keeps the rest. Charts are drawn from TableMonthly, TableFunnel and
// TableOutcomes.
const (
	TableDonorsByKind      = "collection.donors_by_kind"   // rows: donor kinds + total; columns: donors (Count), donations (Count)
	TableUnitsByKind       = "collection.units_by_kind"    // rows: unit kinds + total; columns: units (Units), kg (Kg)
	TableStatus            = "workshop.status"             // rows: current statuses + total; columns: units
	TableErasures          = "workshop.erasures"           // rows: NIST category (clear, purge, destroy); columns: passed, failed (Count)
	TableOutcomes          = "workshop.outcomes"           // rows: reused, recycled, dismantled + total; columns: units, kg
	TableLeadTimes         = "workshop.lead_times"         // rows: received_ready, ready_handed_over; columns: median, p90 (Days), units (Units)
	TableMonthly           = "workshop.monthly"            // rows: months "YYYY-MM" of the period; columns: received, handed_over, recycled (Units)
	TableFunnel            = "families.funnel"             // rows: nominated, eligible, ineligible, enrolled, trained, equipped, withdrawn; column: families
	TableIneligibleReasons = "families.ineligible_reasons" // rows: each reason + total; column: families
	TableByCommune         = "families.by_commune"         // rows: communes + total; columns: nominated, equipped (Families)
	TableByQPV             = "families.by_qpv"             // rows: qpv, not_qpv + total; columns: nominated, equipped
	TableByPartner         = "families.by_partner"         // rows: partners + total; columns: nominated, equipped
	TablePeople            = "families.people"             // rows: adults, children, school_children + total; column: people (over equipped households)
	TableTraining          = "training.activity"           // one row "period"; columns: courses, sessions (Count), enrolments (Families), hours (Hours), attendance_rate (Percent)
	TableFSE               = "fse.indicators"              // FSE+ common output indicators, when the setting is on
)
