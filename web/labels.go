package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/labels"
)

// labelRequest is what a print asks for: codes (or all units of a
// donation), a template, and how many labels of the sheet are already used.
type labelRequest struct {
	Codes      []string `json:"codes"`
	DonationID int64    `json:"donation_id"`
	Template   string   `json:"template"`
	Skip       int      `json:"skip"`
}

type templateJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	PerPage     int    `json:"per_page"`
	Roll        bool   `json:"roll"`
}

func (s *Server) handleAPILabelTemplates(c *gin.Context) error {
	var items []templateJSON
	for _, t := range labels.Templates() {
		items = append(items, templateJSON{Name: t.Name, Description: t.Description, PerPage: t.PerPage(), Roll: t.Roll})
	}
	c.JSON(http.StatusOK, list[templateJSON]{Items: items})
	return nil
}

// unknownTemplate refuses a template name that is none of the stocks.
const unknownTemplate = "Modèle d'étiquettes inconnu : L7163, L7160, 3474, DK-11209 ou DK-22205."

// renderLabels resolves a request into units, renders their labels and, for
// a real print (not a preview), marks them printed. Nothing is marked when
// anything is wrong.
func (s *Server) renderLabels(c *gin.Context, req labelRequest, preview bool) ([]byte, error) {
	ctx := c.Request.Context()
	var v ordi.Validation
	tpl, ok := labels.FindTemplate(req.Template)
	if !ok {
		v.Add("template", unknownTemplate)
	}
	var units []inventory.Unit
	switch {
	case req.DonationID > 0 && len(req.Codes) > 0:
		v.Add("codes", "Donnez soit des codes, soit un don, pas les deux.")
	case req.DonationID > 0:
		if _, err := s.cfg.Inventory.Donation(ctx, actor(c), req.DonationID); err != nil {
			v.Add("donation_id", "Don inconnu.")
			break
		}
		before := int64(0)
		for {
			page, err := s.cfg.Inventory.Units(ctx, actor(c), inventory.UnitFilter{DonationID: req.DonationID, Before: before, Limit: ordi.MaxLimit})
			if err != nil {
				return nil, err
			}
			units = append(units, page...)
			if len(page) < ordi.MaxLimit || len(units) > labels.MaxLabels {
				break
			}
			before = page[len(page)-1].ID
		}
		// Oldest first, as they were registered.
		slicesReverse(units)
	case len(req.Codes) > labels.MaxLabels:
		v.Addf("codes", "%d étiquettes demandées : %d au plus par impression.", len(req.Codes), labels.MaxLabels)
	case len(req.Codes) > 0:
		var err error
		if units, err = s.cfg.Inventory.UnitsByCodes(ctx, actor(c), req.Codes); err != nil {
			fields, err := invalidFields(err)
			if err != nil {
				return nil, err
			}
			for _, f := range fields {
				v.Add(f.Field, f.Message)
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	issuer, err := s.cfg.Certificates.Issuer(ctx)
	if err != nil {
		return nil, err
	}
	ls := make([]labels.Label, len(units))
	for i, u := range units {
		model := strings.TrimSpace(u.Brand + " " + u.Model)
		if u.RAMGB > 0 && u.Kind != inventory.KindScreen {
			model += " · " + strconv.Itoa(u.RAMGB) + " Go"
		}
		ls[i] = labels.Label{Code: string(u.Code), URL: s.unitURL(u.Code), Kind: u.Kind.Label(), Model: model, Association: issuer.Name}
	}
	pdf, err := limited(ctx, s.expensive, func() ([]byte, error) {
		var buf bytes.Buffer
		err := labels.Render(&buf, tpl, ls, req.Skip)
		return buf.Bytes(), err
	})
	if err != nil {
		return nil, err
	}
	if !preview {
		if err := s.cfg.Inventory.MarkLabelsPrinted(ctx, actor(c), units, tpl.Name); err != nil {
			return nil, err
		}
	}
	return pdf, nil
}

func sendPDF(c *gin.Context, name string, pdf []byte) {
	c.Header("Content-Disposition", `inline; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

func (s *Server) handleAPILabels(c *gin.Context) error {
	var req labelRequest
	if err := decodeJSON(c, &req, maxJSONBody); err != nil {
		return err
	}
	pdf, err := s.renderLabels(c, req, false)
	if err != nil {
		return err
	}
	sendPDF(c, "etiquettes-"+req.Template+".pdf", pdf)
	return nil
}

// lastTemplateKey is the session key remembering the paper last printed
// on, so the print queue, the scan page and the next print offer it first.
// The skip is not remembered: it depends on the sheet in the tray.
const lastTemplateKey = "label_template"

// defaultTemplate is offered until something is printed.
const defaultTemplate = "L7163"

// lastTemplate returns the paper this session last printed on, or the
// default.
func (s *Server) lastTemplate(c *gin.Context) string {
	name := s.sessions.GetString(c.Request.Context(), lastTemplateKey)
	if _, ok := labels.FindTemplate(name); !ok {
		return defaultTemplate
	}
	return name
}

// skipMax is the most labels that can already be used on a sheet of tpl:
// all but one; none on a roll.
func skipMax(tpl labels.Template) int {
	if tpl.Roll {
		return 0
	}
	return tpl.PerPage() - 1
}

type printQueuePage struct {
	basePage
	Units     []inventory.Unit
	Next      string
	Templates []labels.Template
	Template  string
	Skip      int
	Fields    []ordi.FieldError
	// Selected holds the codes the person had checked, when the page is
	// shown again after a refused print; nil on a fresh queue.
	Selected map[string]bool
}

// Checked reports whether the queue shows u checked: what the person had
// checked, or on a fresh queue the units still to be labelled (not those
// handed over, dismantled or recycled).
func (p *printQueuePage) Checked(u inventory.Unit) bool {
	if p.Selected != nil {
		return p.Selected[string(u.Code)]
	}
	return u.Status.NeedsLabel()
}

// SkipMax bounds the skip input for the chosen template (scan.js follows
// the select when it changes).
func (p *printQueuePage) SkipMax() int {
	tpl, ok := labels.FindTemplate(p.Template)
	if !ok {
		tpl, _ = labels.FindTemplate(defaultTemplate)
	}
	return skipMax(tpl)
}

func (s *Server) handlePrintQueuePage(c *gin.Context) error {
	ctx := c.Request.Context()
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	units, err := s.cfg.Inventory.Units(ctx, actor(c), inventory.UnitFilter{Unprinted: true, Before: before, Limit: ordi.MaxLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(units, ordi.MaxLimit, func(u inventory.Unit) string { return ordi.IDCursor(u.ID) })
	p := printQueuePage{basePage: s.base(c, "Étiquettes à imprimer"), Units: page.Items, Next: page.NextCursor,
		Templates: labels.Templates(), Template: s.lastTemplate(c)}
	s.render(c, http.StatusOK, "labels", &p)
	return nil
}

// handleLabelsPrint prints (or previews) labels from a form: the print
// queue's selection, a unit page's reprint button, a donation's shortcut.
func (s *Server) handleLabelsPrint(c *gin.Context) error {
	ctx := c.Request.Context()
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	skip, err := strconv.Atoi(strings.TrimSpace(form.Get("skip")))
	if err != nil && form.Get("skip") != "" {
		skip = -1 // refused by the renderer with a clear message
	}
	donation, _ := strconv.ParseInt(form.Get("donation_id"), 10, 64)
	req := labelRequest{Codes: form["codes"], DonationID: donation, Template: form.Get("template"), Skip: skip}
	preview := form.Get("preview") != ""
	pdf, err := s.renderLabels(c, req, preview)
	if err != nil {
		fields, err := invalidFields(err)
		if err != nil {
			return err
		}
		p := printQueuePage{basePage: s.base(c, "Étiquettes à imprimer"), Templates: labels.Templates(), Template: req.Template, Skip: req.Skip, Fields: fields}
		units, uerr := s.cfg.Inventory.Units(ctx, actor(c), inventory.UnitFilter{Unprinted: true, Limit: ordi.MaxLimit})
		if uerr != nil {
			return uerr
		}
		p.Units = units
		p.Selected = map[string]bool{}
		for _, code := range req.Codes {
			if c, err := inventory.ParseCode(code); err == nil {
				p.Selected[string(c)] = true
			}
		}
		s.render(c, http.StatusUnprocessableEntity, "labels", &p)
		return nil
	}
	s.sessions.Put(ctx, lastTemplateKey, req.Template)
	sendPDF(c, "etiquettes-"+req.Template+".pdf", pdf)
	return nil
}

func (s *Server) handleLabelCalibration(c *gin.Context) error {
	tpl, ok := labels.FindTemplate(c.Param("template"))
	if !ok {
		return ordi.Errorf(ordi.NotFound, "Modèle d'étiquettes inconnu.")
	}
	pdf, err := limited(c.Request.Context(), s.expensive, func() ([]byte, error) {
		var buf bytes.Buffer
		err := labels.Calibration(&buf, tpl)
		return buf.Bytes(), err
	})
	if err != nil {
		return err
	}
	sendPDF(c, "calibration-"+tpl.Name+".pdf", pdf)
	return nil
}
