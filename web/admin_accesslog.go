package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

type accessLogPage struct {
	basePage
	Entries   []allocation.AccessEntry
	Next      string
	Reference string // the family asked for, as typed or as found
	Query     string // the filter, kept by "Plus anciens"
	Fields    []ordi.FieldError
}

// handleAccessLogPage lists the access log, every family's or one family's
// (?reference= typed by the administrator, ?household_id= from a family page).
func (s *Server) handleAccessLogPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	household, err := queryID(c, "household_id")
	if err != nil {
		return err
	}
	f := allocation.AccessLogFilter{HouseholdID: household, Reference: c.Query("reference"), Before: before, Limit: ordi.DefaultLimit + 1}
	p := accessLogPage{basePage: s.base(c, "Journal des accès aux dossiers"), Reference: strings.ToUpper(strings.TrimSpace(f.Reference))}
	items, err := s.cfg.Allocation.AccessLog(c.Request.Context(), actor(c), f)
	var invalid *ordi.Error
	switch {
	case errors.As(err, &invalid) && invalid.Kind == ordi.Invalid:
		p.Fields = invalid.Fields
		s.render(c, http.StatusUnprocessableEntity, "access_log", &p)
		return nil
	case err != nil:
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(e allocation.AccessEntry) string { return ordi.IDCursor(e.ID) })
	p.Entries, p.Next = page.Items, page.NextCursor
	q := url.Values{}
	if household > 0 {
		q.Set("household_id", strconv.FormatInt(household, 10))
		if len(items) > 0 {
			p.Reference = items[0].Reference
		}
	} else if p.Reference != "" {
		q.Set("reference", p.Reference)
	}
	p.Query = q.Encode()
	s.render(c, http.StatusOK, "access_log", &p)
	return nil
}
