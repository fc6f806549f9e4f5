package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/reports"
	"github.com/ordi-app/ordi/reports/render"
)

// bilanCell, bilanRow and bilanTable are a Summary's tables as the page
// prints them.
type bilanCell struct {
	Text       string
	Suppressed bool
	Estimate   bool
}

type bilanRow struct {
	Label string
	Total bool
	Cells []bilanCell
}

type bilanTable struct {
	Key     string
	Chart   template.HTML // the table drawn (render.ChartSVG), for the charted ones
	Title   string
	RowHead string
	Columns []string
	Rows    []bilanRow
	Method  string
}

type bilanSection struct {
	Title  string
	Tables []bilanTable
}

type bilanTarget struct {
	Label   string
	Done    string
	Goal    string
	Percent float64
}

type periodPreset struct {
	Label  string
	Href   string
	Active bool
}

type partnerOption struct {
	ID   int64
	Name string
}

type bilanPage struct {
	basePage
	Filter      reports.Filter
	QPV         string // "", "true", "false"
	Fields      []ordi.FieldError
	Presets     []periodPreset
	Partners    []partnerOption
	ShowPartner bool
	Scope       string
	Threshold   int
	Period      string // "du 01/03/2026 au 31/03/2026"
	Sections    []bilanSection
	Targets     []bilanTarget
	Shown       bool // the figures are on the page (no error)
	Exports     []bilanExport
}

// bilanExport is one download of the Bilan shown (part B's exports).
type bilanExport struct {
	Label string
	Href  string // built whole, so that html/template keeps the query as is
}

var sectionTitles = []struct{ key, title string }{
	{"collection", "Collecte"}, {"workshop", "Atelier"}, {"families", "Familles"}, {"training", "Formation"}, {"fse", "FSE+"},
}

// bilanTables turns a Summary's tables into printed sections.
func bilanSections(sum reports.Summary) []bilanSection {
	var out []bilanSection
	for _, sec := range sectionTitles {
		s := bilanSection{Title: sec.title}
		for _, t := range sum.Tables {
			if t.Section != sec.key {
				continue
			}
			bt := bilanTable{Key: t.Key, Title: t.Title, RowHead: t.RowHead, Method: t.Method}
			if svg, ok := render.ChartSVG(sum, t.Key); ok {
				bt.Chart = svg
			}
			for _, c := range t.Columns {
				bt.Columns = append(bt.Columns, c.Label)
			}
			for _, r := range t.Rows {
				br := bilanRow{Label: r.Label, Total: r.Key == reports.TotalKey}
				for i, c := range r.Cells {
					br.Cells = append(br.Cells, bilanCell{Text: cellText(c, t.Columns[i].Measure, sum.Threshold), Suppressed: c.Suppressed, Estimate: c.Estimate})
				}
				bt.Rows = append(bt.Rows, br)
			}
			s.Tables = append(s.Tables, bt)
		}
		if len(s.Tables) > 0 {
			out = append(out, s)
		}
	}
	return out
}

func bilanTargets(ts []reports.Target, threshold int) []bilanTarget {
	var out []bilanTarget
	for _, t := range ts {
		done := cellText(t.Done, t.Measure, threshold)
		if t.Done.Estimate {
			done += " (estimation)"
		}
		goal := frenchNumber(t.Goal)
		if t.Measure == reports.Percent {
			goal += " %"
		}
		out = append(out, bilanTarget{Label: t.Label, Done: done, Goal: goal, Percent: t.Percent()})
	}
	return out
}

// presets are the usual periods, relative to today in Paris; the other
// filters are kept.
func presets(today time.Time, f reports.Filter, qpv string) []periodPreset {
	y, m, _ := today.Date()
	day := func(t time.Time) string { return t.Format(ordi.DateLayout) }
	month := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	quarter := time.Date(y, time.Month((int(m)-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []periodPreset
	for _, p := range []struct {
		label    string
		from, to time.Time
	}{
		{"Ce mois", month, month.AddDate(0, 1, -1)},
		{"Ce trimestre", quarter, quarter.AddDate(0, 3, -1)},
		{"Cette année", year, year.AddDate(1, 0, -1)},
		{"L'an dernier", year.AddDate(-1, 0, 0), year.AddDate(0, 0, -1)},
	} {
		q := filterQuery(reports.Filter{From: day(p.from), To: day(p.to), Commune: f.Commune, PartnerID: f.PartnerID}, qpv)
		out = append(out, periodPreset{Label: p.label, Href: "/bilan?" + q, Active: f.From == day(p.from) && f.To == day(p.to)})
	}
	return out
}

// filterQuery is a filter as a query string, for links.
func filterQuery(f reports.Filter, qpv string) string {
	q := url.Values{"from": {f.From}, "to": {f.To}}
	if f.Commune != "" {
		q.Set("commune", f.Commune)
	}
	if qpv != "" {
		q.Set("qpv", qpv)
	}
	if f.PartnerID != 0 {
		q.Set("partner_id", strconv.FormatInt(f.PartnerID, 10))
	}
	return q.Encode()
}

func frenchDate(s string) string {
	d, err := ordi.ParseDate(s)
	if err != nil {
		return s
	}
	return d.French()
}

func (s *Server) handleBilanPage(c *gin.Context) error {
	ctx := c.Request.Context()
	a := actor(c)
	f, fields := reportFilter(c)
	p := bilanPage{basePage: s.base(c, "Bilan"), Filter: f, QPV: c.Query("qpv"), Fields: fields, ShowPartner: a.Role != ordi.RoleSocialWorker}
	if p.QPV != "true" && p.QPV != "false" {
		p.QPV = ""
	}
	if p.ShowPartner {
		names, err := s.partnerNames(c)
		if err != nil {
			return err
		}
		for id, name := range names {
			p.Partners = append(p.Partners, partnerOption{id, name})
		}
		sort.Slice(p.Partners, func(i, j int) bool { return p.Partners[i].Name < p.Partners[j].Name })
	}
	status := http.StatusOK
	if len(fields) == 0 {
		sum, err := s.cfg.Reports.Summary(ctx, a, f)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
		if len(fields) == 0 {
			p.Filter, p.Shown, p.Scope, p.Threshold = sum.Filter, true, sum.Scope, sum.Threshold
			p.Sections = bilanSections(sum)
			p.Targets = bilanTargets(sum.Targets, sum.Threshold)
			p.Period = fmt.Sprintf("du %s au %s", frenchDate(sum.Filter.From), frenchDate(sum.Filter.To))
			q := filterQuery(sum.Filter, p.QPV)
			p.Exports = []bilanExport{{"PDF « Bilan d'activité »", "/bilan.pdf?" + q}, {"Tableur (XLSX)", "/bilan.xlsx?" + q}, {"CSV", "/bilan.csv?" + q}}
		}
		p.Fields = fields
	}
	if len(p.Fields) > 0 {
		status = http.StatusUnprocessableEntity
	}
	if p.Filter.From == "" && p.Filter.To == "" {
		def := s.cfg.Reports.DefaultFilter()
		p.Filter.From, p.Filter.To = def.From, def.To
	}
	p.Presets = presets(s.now().In(ordi.Paris), p.Filter, p.QPV)
	s.render(c, status, "bilan", &p)
	return nil
}
