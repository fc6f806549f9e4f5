package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

func (s *Server) handleAPIOutletCreate(c *gin.Context) error {
	var in inventory.OutletInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	o, err := s.cfg.Inventory.CreateOutlet(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, o)
	return nil
}

func (s *Server) handleAPIOutlet(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	o, err := s.cfg.Inventory.Outlet(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, o)
	return nil
}

// handleAPIOutletUpdate replaces an outlet's fields (PUT: every field is
// given; "active" may be left out to keep it as it is).
func (s *Server) handleAPIOutletUpdate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in inventory.OutletInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	o, err := s.cfg.Inventory.UpdateOutlet(c.Request.Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, o)
	return nil
}

// handleAPIOutletList lists outlets by name; ?active=true keeps the active
// ones (those a unit may still be sent to).
func (s *Server) handleAPIOutletList(c *gin.Context) error {
	limit, after, err := listParams(c)
	if err != nil {
		return err
	}
	f := inventory.OutletFilter{After: after, Limit: limit + 1}
	switch c.Query("active") {
	case "", "false":
	case "true":
		f.ActiveOnly = true
	default:
		var v ordi.Validation
		v.Add("active", "Attendu true ou false.")
		return v.Err()
	}
	items, err := s.cfg.Inventory.Outlets(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(o inventory.Outlet) string { return ordi.IDCursor(o.ID) }))
	return nil
}
