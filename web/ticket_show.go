package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/aftercare"
)

// ticketPage is one ticket: the problem, the unit, the family's reference
// and social worker, the history, and the form that moves it on.
type ticketPage struct {
	basePage
	Ticket         aftercare.View
	Events         []aftercare.Event
	Next           []aftercare.Status
	ClosingReasons []aftercare.Option[aftercare.ClosingReason]
	Form           url.Values
	Fields         []ordi.FieldError
}

func (s *Server) ticketPage(c *gin.Context, id int64) (*ticketPage, error) {
	v, events, err := s.cfg.Aftercare.Ticket(c.Request.Context(), actor(c), id)
	if err != nil {
		return nil, err
	}
	return &ticketPage{basePage: s.base(c, "Signalement n° "+strconv.FormatInt(v.ID, 10)), Ticket: v, Events: events,
		Next: v.Status.Next(), ClosingReasons: aftercare.ClosingReasons(), Form: url.Values{}}, nil
}

func (s *Server) handleTicketPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.ticketPage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "ticket", p)
	return nil
}

func (s *Server) handleTicketChange(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ch := aftercare.Change{Status: aftercare.Status(c.PostForm("status")), ClosingReason: aftercare.ClosingReason(c.PostForm("closing_reason")),
		Note: c.PostForm("note"), Version: formVersion(c)}
	v, err := s.cfg.Aftercare.Change(c.Request.Context(), actor(c), id, ch)
	if err == nil {
		s.flash(c, "Signalement n° "+strconv.FormatInt(v.ID, 10)+" : « "+v.Status.Label()+" ».")
		return seeOther(c, "/tickets/"+strconv.FormatInt(v.ID, 10))
	}
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.ticketPage(c, id)
	if perr != nil {
		return perr
	}
	p.Form = c.Request.PostForm
	if p.Fields, _ = invalidFields(err); kind == ordi.Conflict || len(p.Fields) == 0 {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "ticket", p)
	return nil
}
