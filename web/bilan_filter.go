package web

import (
	"math"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/reports"
)

// reportFilter reads the Bilan's filter from the query string (the page's
// form and the API share it): from, to, commune, qpv (true/false, or empty
// for both) and partner_id. What cannot be read is reported per field.
func reportFilter(c *gin.Context) (reports.Filter, []ordi.FieldError) {
	f := reports.Filter{From: c.Query("from"), To: c.Query("to"), Commune: c.Query("commune")}
	var v ordi.Validation
	switch strings.TrimSpace(strings.ToLower(c.Query("qpv"))) {
	case "":
	case "true", "1", "oui", "yes":
		t := true
		f.QPV = &t
	case "false", "0", "non", "no":
		t := false
		f.QPV = &t
	default:
		v.Add("qpv", "Choisissez « en QPV », « hors QPV » ou les deux.")
	}
	if p := strings.TrimSpace(c.Query("partner_id")); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			v.Add("partner_id", "Partenaire inconnu.")
		}
		f.PartnerID = id
	}
	fields, _ := invalidFields(v.Err())
	return f, fields
}

// frenchNumber writes x the French way: a thin no-break space between
// thousands, a decimal comma, at most one decimal.
func frenchNumber(x float64) string {
	neg := x < 0
	x = math.Abs(math.Round(x*10) / 10)
	whole := int64(x)
	tenth := int64(math.Round((x - float64(whole)) * 10))
	if tenth == 10 {
		whole, tenth = whole+1, 0
	}
	digits := strconv.FormatInt(whole, 10)
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	if tenth != 0 {
		b.WriteString("," + strconv.FormatInt(tenth, 10))
	}
	return b.String()
}

// cellText is how a cell of measure m reads on a page and in French
// outputs: "< 5" when suppressed, "—" when empty.
func cellText(cell reports.Cell, m reports.Measure, threshold int) string {
	switch {
	case cell.Suppressed:
		return "< " + strconv.Itoa(threshold)
	case cell.Empty:
		return "—"
	}
	s := frenchNumber(cell.Value)
	if m == reports.Percent {
		s += " %"
	}
	return s
}
