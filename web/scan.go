package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/labels"
)

// batchRequest is a batch of scanned codes and the one action to apply to
// them. With DryRun, nothing changes: each code says whether the action
// would be accepted (the scan page asks this at every scan).
type batchRequest struct {
	Action          string           `json:"action"` // "open", "print" or "transition"
	To              inventory.Status `json:"to"`
	Note            string           `json:"note"`
	Outlet          string           `json:"outlet"`
	OutletReference string           `json:"outlet_reference"`
	Codes           []string         `json:"codes"`
	DryRun          bool             `json:"dry_run"`
}

// batchItem is the outcome for one code.
type batchItem struct {
	Input  string           `json:"input"`
	Code   inventory.Code   `json:"code,omitempty"` // canonical, when known
	Title  string           `json:"title,omitempty"`
	Status inventory.Status `json:"status,omitempty"`
	// Result is "ok", "unknown" or "refused".
	Result  string `json:"result"`
	Message string `json:"message"`
}

type batchResult struct {
	Items   []batchItem `json:"items"`
	Applied int         `json:"applied"`
	Total   int         `json:"total"`
}

// maxBatch bounds one batch: a day's work at the workshop.
const maxBatch = 500

func (s *Server) handleAPIUnitBatch(c *gin.Context) error {
	ctx := c.Request.Context()
	var req batchRequest
	if err := decodeJSON(c, &req, maxJSONBody); err != nil {
		return err
	}
	var v ordi.Validation
	switch req.Action {
	case "open", "print":
	case "transition":
		if !canEdit(c) {
			return ordi.Errorf(ordi.Forbidden, "Votre rôle ne permet pas de changer le statut des unités.")
		}
		if !req.To.Valid() {
			v.Add("to", "Statut inconnu.")
		}
	default:
		v.Add("action", "Action inconnue : open, print ou transition.")
	}
	if len(req.Codes) == 0 || len(req.Codes) > maxBatch {
		v.Addf("codes", "Entre 1 et %d codes par lot.", maxBatch)
	}
	if err := v.Err(); err != nil {
		return err
	}
	in := inventory.TransitionInput{Note: req.Note, Outlet: req.Outlet, OutletReference: req.OutletReference}
	res := batchResult{Items: []batchItem{}, Total: len(req.Codes)}
	for _, raw := range req.Codes {
		item := batchItem{Input: raw}
		var u inventory.Unit
		var err error
		switch {
		case req.Action != "transition":
			u, err = s.cfg.Inventory.Unit(ctx, raw)
		case req.DryRun:
			u, err = s.cfg.Inventory.CheckTransition(ctx, raw, req.To, in)
		default:
			u, err = s.cfg.Inventory.Transition(ctx, actor(c), raw, req.To, in)
		}
		switch {
		case err == nil:
			item.Result, item.Message = "ok", "OK"
			if req.Action == "transition" && !req.DryRun {
				item.Message = "Passée à « " + u.Status.Label() + " »"
				res.Applied++
			}
		case errors.Is(err, ordi.NotFound):
			item.Result, item.Message = "unknown", "Code inconnu"
		case errors.Is(err, ordi.Conflict), errors.Is(err, ordi.Invalid):
			item.Result, item.Message = "refused", ordi.MessageOf(err)
			if u.ID == 0 {
				u, _ = s.cfg.Inventory.Unit(ctx, raw)
			}
		default:
			return err
		}
		if u.ID != 0 {
			item.Code, item.Title, item.Status = u.Code, u.Title(), u.Status
		}
		res.Items = append(res.Items, item)
	}
	c.JSON(http.StatusOK, res)
	return nil
}

type scanPage struct {
	basePage
	CanEdit   bool
	Statuses  []inventory.Status
	Templates []labels.Template
	WasmURL   string
}

func (s *Server) handleScanPage(c *gin.Context) error {
	var statuses []inventory.Status
	for _, st := range inventory.Statuses() {
		// The statuses a generic move can reach; reservations and handovers
		// happen elsewhere.
		for _, t := range inventory.Transitions() {
			if t.To == st && t.Generic() {
				statuses = append(statuses, st)
				break
			}
		}
	}
	p := scanPage{basePage: s.base(c, "Scanner"), CanEdit: canEdit(c), Statuses: statuses, Templates: labels.Templates(),
		WasmURL: s.assets.url("vendor/zxing-wasm/zxing_reader.wasm")}
	s.render(c, http.StatusOK, "scan", &p)
	return nil
}
