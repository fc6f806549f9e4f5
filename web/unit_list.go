package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

type unitsPage struct {
	basePage
	inventoryOptions
	Units   []inventory.Unit
	Next    string
	Status  inventory.Status
	Kind    inventory.Kind
	Q       string
	Counts  []statusCount
	Total   int
	Query   string // the filters, for pagination links
	CanEdit bool
}

func (s *Server) handleUnitsPage(c *gin.Context) error {
	ctx := c.Request.Context()
	q := strings.TrimSpace(c.Query("q"))
	// A typed or scanned code goes straight to its unit.
	if code, err := inventory.ParseCode(q); err == nil {
		if _, err := s.cfg.Inventory.Unit(ctx, actor(c), string(code)); err == nil {
			return seeOther(c, "/u/"+string(code))
		}
	}
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	f := inventory.UnitFilter{Status: inventory.Status(c.Query("status")), Kind: inventory.Kind(c.Query("kind")), Q: q, Before: before, Limit: ordi.DefaultLimit + 1}
	units, err := s.cfg.Inventory.Units(ctx, actor(c), f)
	if err != nil {
		return err
	}
	counts, err := s.cfg.Inventory.CountByStatus(ctx, actor(c), 0)
	if err != nil {
		return err
	}
	page := paginate(units, ordi.DefaultLimit, func(u inventory.Unit) string { return ordi.IDCursor(u.ID) })
	query := url.Values{}
	for k, v := range map[string]string{"status": string(f.Status), "kind": string(f.Kind), "q": q} {
		if v != "" {
			query.Set(k, v)
		}
	}
	p := unitsPage{basePage: s.base(c, "Unités"), inventoryOptions: newInventoryOptions(), Units: page.Items, Next: page.NextCursor,
		Status: f.Status, Kind: f.Kind, Q: q, Counts: countsOf(counts), Total: counts.Total(), Query: query.Encode(), CanEdit: canEdit(c)}
	s.render(c, http.StatusOK, "units", &p)
	return nil
}
