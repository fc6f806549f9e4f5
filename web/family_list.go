package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

type familiesPage struct {
	basePage
	allocationOptions
	Families    []allocation.HouseholdSummary
	Next        string
	Status      allocation.HouseholdStatus
	Q           string
	Query       string
	CanNominate bool
	PartnerName map[int64]string
}

func (s *Server) handleFamiliesPage(c *gin.Context) error {
	ctx := c.Request.Context()
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	f := allocation.HouseholdFilter{Status: allocation.HouseholdStatus(c.Query("status")), Q: c.Query("q"), Before: before, Limit: ordi.DefaultLimit + 1}
	items, err := s.cfg.Allocation.Households(ctx, actor(c), f)
	if err != nil {
		return err
	}
	names, err := s.partnerNames(c)
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(h allocation.HouseholdSummary) string { return ordi.IDCursor(h.ID) })
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	u, _ := userOf(c)
	title := "Familles"
	if u.Role == ordi.RoleSocialWorker {
		title = "Mes familles"
	}
	p := familiesPage{basePage: s.base(c, title), allocationOptions: newAllocationOptions(), Families: page.Items, Next: page.NextCursor,
		Status: f.Status, Q: f.Q, Query: q.Encode(), CanNominate: nominate.allows(u.Role), PartnerName: names}
	s.render(c, http.StatusOK, "families", &p)
	return nil
}
