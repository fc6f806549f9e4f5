package web

import (
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi/allocation"
)

// fseOptions are the choices of the FSE+ questions on the nomination form,
// shown only when the programme asks them (allocation.Rules.FSEQuestions).
type fseOptions struct {
	FSEQuestions  bool
	FSELabours    []allocation.FSELabour
	FSEAges       []allocation.FSEAge
	FSEEducations []allocation.FSEEducation
}

func (s *Server) fseOptions(c *gin.Context) (fseOptions, error) {
	r, err := s.cfg.Allocation.Rules(c.Request.Context())
	if err != nil {
		return fseOptions{}, err
	}
	return fseOptions{FSEQuestions: r.FSEQuestions, FSELabours: allocation.FSELabours(), FSEAges: allocation.FSEAges(),
		FSEEducations: allocation.FSEEducations()}, nil
}

// fseFromForm reads the FSE+ answers of a nomination form.
func fseFromForm(form url.Values) allocation.FSEAnswers {
	return allocation.FSEAnswers{Labour: allocation.FSELabour(form.Get("fse_labour_status")),
		Age: allocation.FSEAge(form.Get("fse_age_band")), Education: allocation.FSEEducation(form.Get("fse_education"))}
}

// fseUpdateFromForm reads the answers of an edit form: a question the form
// did not show (the questions are off) leaves the file's answer alone.
func fseUpdateFromForm(form url.Values, up *allocation.HouseholdUpdate) {
	get := func(k string) *string {
		if !form.Has(k) {
			return nil
		}
		v := form.Get(k)
		return &v
	}
	up.FSELabour, up.FSEAge, up.FSEEducation = get("fse_labour_status"), get("fse_age_band"), get("fse_education")
}

// fseValues are the file's answers as form values.
func fseValues(h allocation.Household, form url.Values) {
	form.Set("fse_labour_status", string(h.Labour))
	form.Set("fse_age_band", string(h.Age))
	form.Set("fse_education", string(h.Education))
}
