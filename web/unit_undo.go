package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// handleUnitUndo undoes the unit's last move when the lifecycle permits it
// (inventory.CheckUndo); a refusal re-renders the unit page saying why.
func (s *Server) handleUnitUndo(c *gin.Context) error {
	code := c.Param("code")
	u, err := s.cfg.Inventory.UndoMove(c.Request.Context(), actor(c), code, formVersion(c))
	if err == nil {
		s.flash(c, "Changement annulé : l'unité "+string(u.Code)+" est de nouveau « "+u.Status.Label()+" ».")
		return seeOther(c, "/u/"+string(u.Code))
	}
	return s.unitRefused(c, code, err, nil)
}

// handleAPIUnitUndo is POST /api/v1/units/{code}/undo: {version?} → 200
// with the unit back in the status its last move left, or 409 saying why
// that move cannot be undone.
func (s *Server) handleAPIUnitUndo(c *gin.Context) error {
	var in struct {
		Version int `json:"version"`
	}
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	u, err := s.cfg.Inventory.UndoMove(c.Request.Context(), actor(c), c.Param("code"), in.Version)
	if err != nil {
		return s.withCurrentUnit(err)
	}
	c.JSON(http.StatusOK, s.unitJSON(u))
	return nil
}
