package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// pickupJSON is a pickup as the API answers it, with both totals: the
// weighed flows and the weights recorded on its units.
type pickupJSON struct {
	inventory.Pickup
	UnitsKG   float64 `json:"units_kg"`
	Unweighed int     `json:"units_unweighed"`
	FlowsKG   float64 `json:"flows_kg"`
}

func newPickupJSON(p inventory.Pickup) pickupJSON {
	kg, unweighed := p.UnitsKG()
	if p.Units == nil {
		p.Units = []inventory.PickupUnit{}
	}
	if p.Flows == nil {
		p.Flows = []inventory.PickupFlow{}
	}
	return pickupJSON{Pickup: p, UnitsKG: kg, Unweighed: unweighed, FlowsKG: p.FlowsKG()}
}

func (s *Server) handleAPIPickupCreate(c *gin.Context) error {
	var in inventory.NewPickup
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	p, err := s.cfg.Inventory.CreatePickup(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newPickupJSON(p))
	return nil
}

func (s *Server) handleAPIPickup(c *gin.Context) error {
	p, err := s.cfg.Inventory.Pickup(c.Request.Context(), actor(c), c.Param("number"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newPickupJSON(p))
	return nil
}

func (s *Server) handleAPIPickupList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	items, err := s.cfg.Inventory.Pickups(c.Request.Context(), actor(c), inventory.PickupFilter{Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(p inventory.Pickup) string { return ordi.IDCursor(p.ID) }))
	return nil
}

// periodParams reads the register's period, ?from=YYYY-MM-DD&to=YYYY-MM-DD,
// both required.
func periodParams(c *gin.Context) (from, to ordi.Date, err error) {
	var v ordi.Validation
	read := func(name string) ordi.Date {
		s := c.Query(name)
		d, err := ordi.ParseDate(s)
		switch {
		case s == "":
			v.Add(name, "Indiquez la date (AAAA-MM-JJ).")
		case err != nil:
			v.Add(name, "Date invalide : attendu AAAA-MM-JJ.")
		}
		return d
	}
	from, to = read("from"), read("to")
	return from, to, v.Err()
}

// handleWasteRegister answers the outgoing-waste register of a period as
// the CSV file the national register imports (docs/waste.md); the
// association's identity is the declarant.
func (s *Server) handleWasteRegister(c *gin.Context) error {
	from, to, err := periodParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	lines, err := s.cfg.Inventory.WasteRegister(ctx, actor(c), from, to)
	if err != nil {
		return err
	}
	issuer, err := s.cfg.Certificates.Issuer(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := inventory.WriteWasteRegister(&buf, inventory.Declarant{SIRET: issuer.SIRET, Name: issuer.Name, Address: issuer.Address}, lines); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="registre-dechets-sortants-%s-%s.csv"`, from, to))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}
