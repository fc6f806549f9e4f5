package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/aftercare"
)

// ticketsPage is the queue of problems reported from handed-over units.
type ticketsPage struct {
	basePage
	Tickets  []aftercare.View
	Statuses []aftercare.Option[aftercare.Status]
	Status   string // the status filter: "" for the open tickets, "all"
	Next     string
	Query    string
}

func (s *Server) handleTicketsPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	f := aftercare.Filter{Before: before, Limit: ordi.DefaultLimit + 1}
	status := c.Query("status")
	switch status {
	case "":
		f.Open = true
	case "all":
	default:
		f.Status = aftercare.Status(status)
	}
	items, err := s.cfg.Aftercare.Tickets(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(v aftercare.View) string { return ordi.IDCursor(v.ID) })
	p := ticketsPage{basePage: s.base(c, "Signalements"), Tickets: page.Items, Statuses: aftercare.Statuses(), Status: status, Next: page.NextCursor}
	if status != "" {
		p.Query = "status=" + status
	}
	s.render(c, http.StatusOK, "tickets", &p)
	return nil
}
