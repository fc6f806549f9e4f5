package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

type rulesPage struct {
	basePage
	Rules       allocation.Rules
	IncomeBands []allocation.IncomeBand
	Fields      []ordi.FieldError
}

func (s *Server) handleRulesPage(c *gin.Context) error {
	r, err := s.cfg.Allocation.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	p := rulesPage{basePage: s.base(c, "Règles du programme"), Rules: r, IncomeBands: allocation.IncomeBands()}
	s.render(c, http.StatusOK, "rules", &p)
	return nil
}

func (s *Server) handleRulesUpdate(c *gin.Context) error {
	var fields []ordi.FieldError
	form := url.Values{"required_sessions": {c.PostForm("required_sessions")}}
	r := allocation.Rules{
		QPVRequired: c.PostForm("qpv_required") == "on", MaxIncomeBand: allocation.IncomeBand(c.PostForm("max_income_band")),
		NoComputerRequired: c.PostForm("no_computer_required") == "on", OneUnitPerHousehold: c.PostForm("one_unit_per_household") == "on",
		RequiredSessions: atoiForm(form, "required_sessions", &fields), FSEQuestions: c.PostForm("fse_questions") == "on",
	}
	if len(fields) == 0 {
		_, err := s.cfg.Allocation.SetRules(c.Request.Context(), actor(c), r)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		domain, _ := invalidFields(r.Validate())
		fields = mergeFields(fields, domain)
	}
	if len(fields) > 0 {
		p := rulesPage{basePage: s.base(c, "Règles du programme"), Rules: r, IncomeBands: allocation.IncomeBands(), Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "rules", &p)
		return nil
	}
	s.flash(c, "Règles du programme enregistrées.")
	return seeOther(c, "/admin/programme")
}
