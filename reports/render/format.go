// Package render draws the Bilan (a reports.Summary) for people: SVG charts
// for the page, and the exports funders ask for (CSV for French
// spreadsheets, XLSX, a PDF "Bilan d'activité"). Every function is a pure
// function of the Summary and of the few facts given with it (the
// association, the generation time): the same input gives the same bytes.
//
// A suppressed cell is printed as "< threshold" and its Value is never read,
// so no output can leak a small count even when a caller left the number in.
package render

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ordi-app/ordi/reports"
)

// DefaultThreshold is the suppression threshold used when a Summary carries
// none (or one below the minimum of 3 the rule allows).
const DefaultThreshold = 5

// nnbsp is the narrow no-break space French puts between thousands and
// before a unit.
const nnbsp = "\u202f"

// threshold returns the summary's suppression threshold, never below 3.
func threshold(s reports.Summary) int {
	if s.Threshold < 3 {
		return DefaultThreshold
	}
	return s.Threshold
}

// Below is the text printed in place of a suppressed count: "< 5".
func Below(threshold int) string { return "< " + strconv.Itoa(threshold) }

// decimals is how many decimals a measure is printed with.
func decimals(m reports.Measure) int {
	switch m {
	case reports.Kg, reports.Hours, reports.Days, reports.Percent:
		return 1
	case reports.Money:
		return 2
	}
	return 0
}

// Number writes v the French way: narrow no-break spaces between thousands
// and a decimal comma ("12 345,5"), with the decimals of its measure and
// its unit where a bare number would mislead ("45,2 %", "12,5 j", "3,00 €").
func Number(v float64, m reports.Measure) string {
	s := plain(v, decimals(m), nnbsp)
	switch m {
	case reports.Percent:
		s += nnbsp + "%"
	case reports.Money:
		s += nnbsp + "€"
	}
	return s
}

// plain writes v with d decimals, a decimal comma and sep between
// thousands (sep "" for none, as spreadsheets read).
func plain(v float64, d int, sep string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(v, 'f', d, 64)
	if s == "-0" || strings.HasPrefix(s, "-0.") && strings.Trim(s[3:], "0") == "" {
		s = s[1:]
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if sep != "" && len(whole) > 4 {
		var b strings.Builder
		for i, r := range whole {
			if i > 0 && (len(whole)-i)%3 == 0 {
				b.WriteString(sep)
			}
			b.WriteRune(r)
		}
		whole = b.String()
	}
	if neg {
		whole = "-" + whole
	}
	if frac != "" {
		return whole + "," + frac
	}
	return whole
}

// Text is what every output prints for a cell of measure m: "< 5" when
// suppressed, "—" when empty, else the number, "≈ " before an estimate.
func Text(c reports.Cell, m reports.Measure, threshold int) string {
	switch k := classify(c, m, threshold); k {
	case suppressed:
		return Below(threshold)
	case empty:
		return "—"
	}
	s := Number(c.Value, m)
	if c.Estimate {
		s = "≈" + nnbsp + s
	}
	return s
}

// kind is how a cell is printed.
type kind int

const (
	number kind = iota
	suppressed
	empty
)

// classify says how a cell is printed. A count of families or people
// between 1 and threshold-1 that reached here unsuppressed is suppressed
// all the same: the rule holds even if the figures forgot it.
func classify(c reports.Cell, m reports.Measure, threshold int) kind {
	switch {
	case c.Suppressed:
		return suppressed
	case c.Empty:
		return empty
	case m.Suppressed() && c.Value > 0 && c.Value < float64(threshold):
		return suppressed
	}
	return number
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
var shortMonths = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// frenchDate writes "2026-03-01" as "1er mars 2026"; what does not parse
// is written as it came.
func frenchDate(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + frenchMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// Period writes the filter's period: "du 1er janvier 2026 au 31 décembre 2026".
func Period(f reports.Filter) string {
	return "du " + frenchDate(f.From) + " au " + frenchDate(f.To)
}

// Meta is what the exports print beside the figures.
type Meta struct {
	Association Identity
	// Partner is the name of the partner Filter.PartnerID names, printed
	// among the filters ("" when no partner is filtered).
	Partner string
	// Generated is when the export was asked for: printed, and written as
	// the file's creation date, so the same data at the same time gives
	// the same bytes.
	Generated time.Time
}

// Identity is the association whose Bilan it is.
type Identity struct {
	Name    string
	Address []string // lines
	SIRET   string
	Phone   string
	Email   string
	Website string
}

// Filters writes the filters in words, one per line; none gives
// "aucun (tout le programme)".
func Filters(s reports.Summary, partner string) []string {
	var out []string
	if c := strings.TrimSpace(s.Filter.Commune); c != "" {
		out = append(out, "Commune : "+c)
	}
	if q := s.Filter.QPV; q != nil {
		if *q {
			out = append(out, "Quartiers prioritaires (QPV) : oui")
		} else {
			out = append(out, "Quartiers prioritaires (QPV) : non")
		}
	}
	if s.Filter.PartnerID != 0 {
		if partner == "" {
			partner = "n° " + strconv.FormatInt(s.Filter.PartnerID, 10)
		}
		out = append(out, "Partenaire : "+partner)
	}
	if len(out) == 0 {
		out = append(out, "aucun filtre")
	}
	return out
}

// Scope writes whose families the figures count.
func Scope(s reports.Summary) string {
	if s.Scope == "" {
		return "tout le programme"
	}
	return "les familles orientées par " + s.Scope
}

// Rule is the suppression rule in words.
func Rule(threshold int) string {
	return "Tout effectif de familles ou de personnes compris entre 1 et " + strconv.Itoa(threshold-1) +
		" est remplacé par « " + Below(threshold) + " », ainsi que, si besoin, un ou plusieurs autres effectifs " +
		"de la même ligne ou colonne (les plus petits), pour qu'aucun ne puisse être retrouvé à partir des totaux. " +
		"Les nombres de machines et les poids ne sont pas masqués."
}

// EstimateNote explains the "≈" mark.
const EstimateNote = "≈ : estimation (repose sur des poids ou des facteurs par défaut)."
