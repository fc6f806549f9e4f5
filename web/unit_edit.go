package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

type unitEditPage struct {
	basePage
	inventoryOptions
	Unit   inventory.Unit
	Form   url.Values
	Fields []ordi.FieldError
	Stale  bool // the unit changed since the form was opened
}

// formOf writes a unit's description as form values.
func formOf(u inventory.Unit) url.Values {
	f := url.Values{
		"kind": {string(u.Kind)}, "brand": {u.Brand}, "model": {u.Model}, "serial_number": {u.SerialNumber}, "cpu": {u.CPU},
		"ram_gb": {strconv.Itoa(u.RAMGB)}, "storage_gb": {strconv.Itoa(u.StorageGB)}, "storage_kind": {string(u.StorageKind)},
		"grade": {string(u.Grade)}, "os": {u.OS}, "notes": {u.Notes}, "version": {strconv.Itoa(u.Version)},
	}
	if u.ScreenInches != nil {
		f.Set("screen_inches", strconv.FormatFloat(*u.ScreenInches, 'f', -1, 64))
	}
	if u.WeightKG != nil {
		f.Set("weight_kg", strconv.FormatFloat(*u.WeightKG, 'f', -1, 64))
	}
	return f
}

func (s *Server) handleUnitEditPage(c *gin.Context) error {
	u, err := s.cfg.Inventory.Unit(c.Request.Context(), actor(c), c.Param("code"))
	if err != nil {
		return err
	}
	p := unitEditPage{basePage: s.base(c, "Modifier l'unité "+string(u.Code)), inventoryOptions: newInventoryOptions(), Unit: u, Form: formOf(u)}
	s.render(c, http.StatusOK, "unit_edit", &p)
	return nil
}

func (s *Server) handleUnitEdit(c *gin.Context) error {
	ctx := c.Request.Context()
	code := c.Param("code")
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	spec, fields := specFromForm(form)
	version, _ := strconv.Atoi(form.Get("version"))
	var u inventory.Unit
	var err error
	if len(fields) == 0 {
		up := inventory.UnitUpdate{Version: version, Kind: &spec.Kind, Brand: &spec.Brand, Model: &spec.Model, SerialNumber: &spec.SerialNumber,
			CPU: &spec.CPU, RAMGB: &spec.RAMGB, StorageGB: &spec.StorageGB, StorageKind: &spec.StorageKind, Grade: &spec.Grade, OS: &spec.OS, Notes: &spec.Notes,
			ScreenInches: spec.ScreenInches, WeightKG: spec.WeightKG}
		u, err = s.cfg.Inventory.UpdateUnit(ctx, actor(c), code, up)
		if err == nil {
			s.flash(c, "Fiche de l'unité "+string(u.Code)+" enregistrée.")
			return seeOther(c, "/u/"+string(u.Code))
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		domain, _ := invalidFields(inventory.ValidateSpec(spec))
		fields = mergeFields(fields, domain)
	}
	p := unitEditPage{basePage: s.base(c, "Modifier l'unité"), inventoryOptions: newInventoryOptions(), Form: form, Fields: fields}
	status := http.StatusUnprocessableEntity
	var e *ordi.Error
	switch {
	case err == nil:
	case errors.As(err, &e) && e.Kind == ordi.Conflict:
		// Someone else saved first: show their values, keep none of ours silently.
		cur, _ := e.Extra["current"].(inventory.Unit)
		p.Stale, p.Form, status = true, formOf(cur), http.StatusConflict
		p.Fields = []ordi.FieldError{{Message: e.Message}}
	case errors.As(err, &e) && e.Kind == ordi.Invalid:
		p.Fields = e.Fields
	default:
		return err
	}
	if p.Unit, err = s.cfg.Inventory.Unit(ctx, actor(c), code); err != nil {
		return err
	}
	p.Title = "Modifier l'unité " + string(p.Unit.Code)
	s.render(c, status, "unit_edit", &p)
	return nil
}
