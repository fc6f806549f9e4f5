package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// outletsPage lists the outlets, flags the ones to complete (migrated from
// free text, no SIRET yet) and holds the form that adds one (Outlet is the
// form's values) or edits one (Editing).
type outletsPage struct {
	basePage
	Outlets []inventory.Outlet
	Kinds   []inventory.OutletKind
	Outlet  inventory.Outlet
	Editing bool
	Fields  []ordi.FieldError
}

// allOutlets pages through every outlet (they are tens, not thousands).
func (s *Server) allOutlets(c *gin.Context, f inventory.OutletFilter) ([]inventory.Outlet, error) {
	var all []inventory.Outlet
	f.Limit = ordi.MaxLimit
	for {
		page, err := s.cfg.Inventory.Outlets(c.Request.Context(), actor(c), f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < ordi.MaxLimit {
			return all, nil
		}
		f.After = page[len(page)-1].ID
	}
}

func (s *Server) outletsPage(c *gin.Context) (*outletsPage, error) {
	outlets, err := s.allOutlets(c, inventory.OutletFilter{})
	if err != nil {
		return nil, err
	}
	return &outletsPage{basePage: s.base(c, "Exutoires"), Outlets: outlets, Kinds: inventory.OutletKinds(),
		Outlet: inventory.Outlet{Kind: inventory.OutletEcoOrganisme, Active: true}}, nil
}

func (s *Server) handleOutletsPage(c *gin.Context) error {
	p, err := s.outletsPage(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "outlets", p)
	return nil
}

func outletForm(c *gin.Context) inventory.OutletInput {
	active := c.PostForm("active") == "on"
	return inventory.OutletInput{Name: c.PostForm("name"), Kind: inventory.OutletKind(c.PostForm("kind")), SIRET: c.PostForm("siret"),
		Address: c.PostForm("address"), Agreement: c.PostForm("agreement"), Active: &active}
}

func (s *Server) handleOutletCreate(c *gin.Context) error {
	in := outletForm(c)
	o, err := s.cfg.Inventory.CreateOutlet(c.Request.Context(), actor(c), in)
	if err != nil {
		return s.outletRefused(c, in, inventory.Outlet{}, err)
	}
	s.flash(c, "L'exutoire « "+o.Name+" » est ajouté.")
	return seeOther(c, "/outlets")
}

func (s *Server) handleOutletEditPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	o, err := s.cfg.Inventory.Outlet(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	p, err := s.outletsPage(c)
	if err != nil {
		return err
	}
	p.Title, p.Outlet, p.Editing = "Exutoire « "+o.Name+" »", o, true
	s.render(c, http.StatusOK, "outlets", p)
	return nil
}

func (s *Server) handleOutletUpdate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	in := outletForm(c)
	o, err := s.cfg.Inventory.UpdateOutlet(c.Request.Context(), actor(c), id, in)
	if err != nil {
		return s.outletRefused(c, in, inventory.Outlet{ID: id}, err)
	}
	s.flash(c, "L'exutoire « "+o.Name+" » est enregistré.")
	return seeOther(c, "/outlets")
}

// outletRefused shows the page again with the person's input and the
// refusal on its fields (422), or passes on any other error.
func (s *Server) outletRefused(c *gin.Context, in inventory.OutletInput, editing inventory.Outlet, err error) error {
	fields, err := invalidFields(err)
	if err != nil {
		return err
	}
	p, err := s.outletsPage(c)
	if err != nil {
		return err
	}
	p.Outlet = inventory.Outlet{ID: editing.ID, Name: in.Name, Kind: in.Kind, SIRET: in.SIRET, Address: in.Address, Agreement: in.Agreement,
		Active: in.Active == nil || *in.Active}
	p.Editing, p.Fields = editing.ID > 0, fields
	s.render(c, http.StatusUnprocessableEntity, "outlets", p)
	return nil
}
