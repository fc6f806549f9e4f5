package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/reports"
)

// targetsPage is the admin's page of the yearly targets and of the
// suppression threshold.
type targetsPage struct {
	basePage
	Year      int
	Targets   reports.Targets
	Values    map[string]string // the form's values, as typed
	Threshold string
	Years     []reports.Targets // every year set
	Fields    []ordi.FieldError
}

// targetFields are the form's goal fields, in order, with their labels.
var targetFields = []struct{ Name, Label, Step string }{
	{"families_equipped", "Familles équipées", "1"},
	{"qpv_share", "dont en QPV (% des familles équipées)", "0.1"},
	{"units_reused", "Unités réemployées", "1"},
	{"kg_diverted", "Kg détournés de la décharge", "0.1"},
	{"training_hours", "Heures de formation", "0.5"},
}

func (t targetsPage) FieldList() []struct{ Name, Label, Step string } { return targetFields }

func targetValues(t reports.Targets) map[string]string {
	f := func(x float64) string {
		if x == 0 {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return map[string]string{"families_equipped": f(t.FamiliesEquipped), "qpv_share": f(t.QPVShare), "units_reused": f(t.UnitsReused),
		"kg_diverted": f(t.KgDiverted), "training_hours": f(t.TrainingHours)}
}

func (s *Server) targetsPageFor(c *gin.Context, year int) (targetsPage, error) {
	ctx := c.Request.Context()
	p := targetsPage{basePage: s.base(c, "Objectifs et confidentialité"), Year: year}
	years, err := s.cfg.Reports.Targets(ctx, actor(c))
	if err != nil {
		return p, err
	}
	p.Years = years
	p.Targets = reports.Targets{Year: year}
	for _, y := range years {
		if y.Year == year {
			p.Targets = y
		}
	}
	p.Values = targetValues(p.Targets)
	th, err := s.cfg.Reports.Threshold(ctx)
	if err != nil {
		return p, err
	}
	p.Threshold = strconv.Itoa(th)
	return p, nil
}

func (s *Server) handleTargetsPage(c *gin.Context) error {
	year := s.now().In(ordi.Paris).Year()
	if y, err := strconv.Atoi(c.Query("year")); err == nil && y >= reports.MinTargetYear && y <= reports.MaxTargetYear {
		year = y
	}
	p, err := s.targetsPageFor(c, year)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "targets", &p)
	return nil
}

// formNumber reads an optional decimal ("12,5" or "12.5"; empty is 0).
func formNumber(form url.Values, name string, fields *[]ordi.FieldError) float64 {
	raw := strings.ReplaceAll(strings.TrimSpace(form.Get(name)), ",", ".")
	if raw == "" {
		return 0
	}
	x, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		*fields = append(*fields, ordi.FieldError{Field: name, Message: "Écrivez un nombre, par exemple 120 ou 12,5."})
	}
	return x
}

func (s *Server) handleTargetsUpdate(c *gin.Context) error {
	ctx := c.Request.Context()
	_ = c.Request.ParseForm()
	form := c.Request.PostForm
	var fields []ordi.FieldError
	year, err := strconv.Atoi(strings.TrimSpace(form.Get("year")))
	if err != nil {
		fields = append(fields, ordi.FieldError{Field: "year", Message: "Choisissez une année."})
	}
	t := reports.Targets{Year: year,
		FamiliesEquipped: formNumber(form, "families_equipped", &fields), QPVShare: formNumber(form, "qpv_share", &fields),
		UnitsReused: formNumber(form, "units_reused", &fields), KgDiverted: formNumber(form, "kg_diverted", &fields),
		TrainingHours: formNumber(form, "training_hours", &fields)}
	threshold, err := strconv.Atoi(strings.TrimSpace(form.Get("threshold")))
	if err != nil {
		fields = append(fields, ordi.FieldError{Field: "threshold", Message: "Écrivez un nombre entier."})
	}
	// Every error in one round: the domain's too, for the fields read.
	domain, _ := invalidFields(t.Validate())
	fields = mergeFields(fields, domain)
	domain, _ = invalidFields(reports.ValidateThreshold(threshold))
	fields = mergeFields(fields, domain)
	if len(fields) == 0 {
		f, err := invalidFields(s.cfg.Reports.SetThreshold(ctx, actor(c), threshold))
		if err != nil {
			return err
		}
		fields = f
	}
	if len(fields) == 0 {
		f, err := invalidFields(s.cfg.Reports.SetTargets(ctx, actor(c), t))
		if err != nil {
			return err
		}
		fields = f
	}
	if len(fields) > 0 {
		p, err := s.targetsPageFor(c, s.now().In(ordi.Paris).Year())
		if err != nil {
			return err
		}
		p.Year, p.Fields, p.Threshold = year, fields, form.Get("threshold")
		p.Values = map[string]string{}
		for _, f := range targetFields {
			p.Values[f.Name] = form.Get(f.Name)
		}
		s.render(c, http.StatusUnprocessableEntity, "targets", &p)
		return nil
	}
	s.flash(c, "Objectifs "+strconv.Itoa(year)+" et seuil de confidentialité enregistrés.")
	return seeOther(c, "/admin/bilan?year="+strconv.Itoa(year))
}
