package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// pickupsPage lists the recent pickups, holds the form that records one
// (the person's input kept on a refusal) and the register's download.
type pickupsPage struct {
	basePage
	Pickups []inventory.Pickup
	Outlets []inventory.Outlet
	Flows   []inventory.Flow
	Form    pickupForm
	Fields  []ordi.FieldError
	// From and To are the register's default period: this year so far.
	From, To string
}

// pickupForm is the form's values as typed.
type pickupForm struct {
	PickedOn, Carrier, CarrierSIRET, Note, Units string
	OutletID                                     int64
	KG                                           map[inventory.Flow]string
}

func (s *Server) pickupsPage(c *gin.Context) (*pickupsPage, error) {
	ctx := c.Request.Context()
	pickups, err := s.cfg.Inventory.Pickups(ctx, actor(c), inventory.PickupFilter{Limit: ordi.DefaultLimit})
	if err != nil {
		return nil, err
	}
	outlets, err := s.allOutlets(c, inventory.OutletFilter{ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	today := s.now().In(ordi.Paris)
	return &pickupsPage{basePage: s.base(c, "Enlèvements"), Pickups: pickups, Outlets: outlets, Flows: inventory.Flows(),
		Form: pickupForm{PickedOn: today.Format(ordi.DateLayout), KG: map[inventory.Flow]string{}},
		From: today.Format("2006") + "-01-01", To: today.Format(ordi.DateLayout)}, nil
}

func (s *Server) handlePickupsPage(c *gin.Context) error {
	p, err := s.pickupsPage(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "pickups", p)
	return nil
}

// handlePickupCreate records a pickup from the form: unit codes separated
// by spaces, commas or lines (a scanner's output pasted), and a weight per
// flow, an empty one meaning none.
func (s *Server) handlePickupCreate(c *gin.Context) error {
	form := pickupForm{PickedOn: c.PostForm("picked_on"), Carrier: c.PostForm("carrier"), CarrierSIRET: c.PostForm("carrier_siret"),
		Note: c.PostForm("note"), Units: c.PostForm("units"), OutletID: formInt(c, "outlet_id"), KG: map[inventory.Flow]string{}}
	in := inventory.NewPickup{PickedOn: form.PickedOn, OutletID: form.OutletID, Carrier: form.Carrier, CarrierSIRET: form.CarrierSIRET, Note: form.Note,
		Units: strings.FieldsFunc(form.Units, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })}
	var v ordi.Validation
	for i, f := range inventory.Flows() {
		raw := strings.TrimSpace(c.PostForm("kg_" + string(f)))
		form.KG[f] = raw
		if raw == "" {
			continue
		}
		kg, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
		if err != nil {
			v.Addf("kg_"+string(f), "Poids illisible : un nombre de kilogrammes (ligne %d).", i+1)
			continue
		}
		in.Flows = append(in.Flows, inventory.NewPickupFlow{Flow: f, WeightKG: kg})
	}
	if err := v.Err(); err != nil {
		return s.pickupRefused(c, form, err)
	}
	p, err := s.cfg.Inventory.CreatePickup(c.Request.Context(), actor(c), in)
	if err != nil {
		return s.pickupRefused(c, form, err)
	}
	kg, unweighed := p.UnitsKG()
	s.flash(c, "Enlèvement "+p.Number+" enregistré : "+ordi.Plural(len(p.Units), "unité", "unités")+" ("+formatKG(kg)+" kg selon leurs fiches, "+
		ordi.Plural(unweighed, "sans poids", "sans poids")+"), "+formatKG(p.FlowsKG())+" kg de flux pesés.")
	return seeOther(c, "/pickups")
}

func formatKG(kg float64) string {
	return strings.Replace(strconv.FormatFloat(kg, 'f', -1, 64), ".", ",", 1)
}

// pickupRefused shows the form again with the input and the refusal (422
// for invalid fields, 409 for a unit already picked up).
func (s *Server) pickupRefused(c *gin.Context, form pickupForm, err error) error {
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.pickupsPage(c)
	if perr != nil {
		return perr
	}
	p.Form = form
	status := http.StatusUnprocessableEntity
	if kind == ordi.Conflict {
		status, p.Fields = http.StatusConflict, []ordi.FieldError{{Field: "units", Message: ordi.MessageOf(err)}}
	} else {
		p.Fields, _ = invalidFields(err)
	}
	s.render(c, status, "pickups", p)
	return nil
}
