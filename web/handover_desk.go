package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

// handoverDeskPage is the desk where volunteers receive the families: the
// active reservations by appointment day. It shows what the appointment
// needs (reference, unit, day), never a family's name.
type handoverDeskPage struct {
	basePage
	allocation.Desk
}

func (s *Server) handleHandoverDesk(c *gin.Context) error {
	d, err := s.cfg.Allocation.HandoverDesk(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	p := handoverDeskPage{basePage: s.base(c, "Remises"), Desk: d}
	s.render(c, http.StatusOK, "handovers", &p)
	return nil
}

// handleHandoverAppointment fixes, moves or clears (empty date) the day of
// the handover appointment from the handover page, then goes back to it.
func (s *Server) handleHandoverAppointment(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	page := fmt.Sprintf("/handovers/%d", id)
	r, err := s.cfg.Allocation.SetAppointment(c.Request.Context(), actor(c), id, c.PostForm("appointment_on"))
	switch kind := ordi.KindOf(err); {
	case err == nil:
	case kind == ordi.Invalid || kind == ordi.Conflict:
		s.flashError(c, ordi.MessageOf(err))
		return seeOther(c, page)
	default:
		return err
	}
	if r.AppointmentOn == nil {
		s.flash(c, "Rendez-vous retiré : la réservation attend un rendez-vous.")
	} else {
		s.flash(c, "Rendez-vous fixé au "+r.AppointmentOn.French()+".")
	}
	return seeOther(c, page)
}
