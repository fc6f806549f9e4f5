package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// handleDonationDelete deletes a donation registered by mistake, while it
// has no units (the page offers it only then; otherwise 409 says why).
func (s *Server) handleDonationDelete(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Inventory.DeleteDonation(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	s.flash(c, "Don supprimé.")
	return seeOther(c, "/donations")
}

// handleAPIDonationDelete is DELETE /api/v1/donations/{id}: 204, or 409
// when the donation has units.
func (s *Server) handleAPIDonationDelete(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Inventory.DeleteDonation(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
