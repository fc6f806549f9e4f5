package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/aftercare"
)

// aftercareSettingsPage edits what the public page of a handed-over unit
// says: help text, opening hours, links (one "label | address" a line),
// warranty months.
type aftercareSettingsPage struct {
	basePage
	Settings aftercare.Settings
	Links    string
	Fields   []ordi.FieldError
}

func linksText(links []aftercare.Link) string {
	var b strings.Builder
	for _, l := range links {
		b.WriteString(l.Label + " | " + l.URL + "\n")
	}
	return b.String()
}

func (s *Server) handleAftercareSettingsPage(c *gin.Context) error {
	st, err := s.cfg.Aftercare.Settings(c.Request.Context())
	if err != nil {
		return err
	}
	p := aftercareSettingsPage{basePage: s.base(c, "Page publique des ordinateurs remis"), Settings: st, Links: linksText(st.Links)}
	s.render(c, http.StatusOK, "aftercare_settings", &p)
	return nil
}

func (s *Server) handleAftercareSettingsUpdate(c *gin.Context) error {
	var fields []ordi.FieldError
	form := url.Values{"warranty_months": {c.PostForm("warranty_months")}}
	st := aftercare.Settings{HelpText: c.PostForm("help_text"), Hours: c.PostForm("hours"), WarrantyMonths: atoiForm(form, "warranty_months", &fields)}
	for _, line := range strings.Split(c.PostForm("links"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		label, addr, _ := strings.Cut(line, "|")
		st.Links = append(st.Links, aftercare.Link{Label: label, URL: addr})
	}
	if len(fields) == 0 {
		_, err := s.cfg.Aftercare.SetSettings(c.Request.Context(), actor(c), st)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		p := aftercareSettingsPage{basePage: s.base(c, "Page publique des ordinateurs remis"), Settings: st, Links: c.PostForm("links"), Fields: fields}
		s.render(c, http.StatusUnprocessableEntity, "aftercare_settings", &p)
		return nil
	}
	s.flash(c, "Page publique des ordinateurs remis enregistrée.")
	return seeOther(c, "/admin/aftercare")
}
