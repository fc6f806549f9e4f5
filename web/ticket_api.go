package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/aftercare"
)

// ticketJSON is a ticket and its history, as GET /api/v1/tickets/{id} and
// a change answer it.
type ticketJSON struct {
	aftercare.View
	History []aftercare.Event `json:"history"`
}

// handleAPITicketList lists tickets: ?status= one status, "open" (the
// default) the ones not closed, "all" every one.
func (s *Server) handleAPITicketList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	f := aftercare.Filter{Before: before, Limit: limit + 1}
	switch st := c.Query("status"); st {
	case "", "open":
		f.Open = true
	case "all":
	default:
		f.Status = aftercare.Status(st)
	}
	items, err := s.cfg.Aftercare.Tickets(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(v aftercare.View) string { return ordi.IDCursor(v.ID) }))
	return nil
}

func (s *Server) handleAPITicket(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	v, events, err := s.cfg.Aftercare.Ticket(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ticketJSON{View: v, History: events})
	return nil
}

type ticketChangeInput struct {
	Status        aftercare.Status        `json:"status"`
	ClosingReason aftercare.ClosingReason `json:"closing_reason"`
	Note          string                  `json:"note"`
	Version       int                     `json:"version"`
}

// handleAPITicketChange moves a ticket on, adds a note, or both.
func (s *Server) handleAPITicketChange(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in ticketChangeInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := s.cfg.Aftercare.Change(ctx, actor(c), id, aftercare.Change(in)); err != nil {
		return err
	}
	v, events, err := s.cfg.Aftercare.Ticket(ctx, actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ticketJSON{View: v, History: events})
	return nil
}
