package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

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
	// Template and Skip are the paper of a "print" batch, checked here so
	// that the scan page hears of a wrong choice before opening the PDF.
	Template string   `json:"template"`
	Skip     int      `json:"skip"`
	Codes    []string `json:"codes"`
	DryRun   bool     `json:"dry_run"`
	// Seen is, for a "transition", the status each code had when it was
	// scanned (code → status; optional, the scan page always sends it): a
	// unit whose status changed since is refused, not moved on a stale view.
	Seen map[string]inventory.Status `json:"seen"`
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
	case "open":
	case "print":
		checkPaper(&v, req.Template, req.Skip)
	case "transition":
		// Who may move units is the inventory's decision: a volunteer's
		// batch is refused (403) at its first code.
		if !req.To.Valid() {
			v.Add("to", "Statut inconnu.")
		}
	default:
		v.Add("action", "Action inconnue : open, print ou transition.")
	}
	if len(req.Codes) == 0 || len(req.Codes) > maxBatch {
		v.Addf("codes", "Entre 1 et %d codes par lot.", maxBatch)
	}
	seen := seenStatuses(&v, req.Seen)
	if err := v.Err(); err != nil {
		return err
	}
	codes := distinctCodes(req.Codes)
	res := batchResult{Items: []batchItem{}, Total: len(codes)}
	for _, raw := range codes {
		item := batchItem{Input: raw}
		in := inventory.TransitionInput{Note: req.Note, Outlet: req.Outlet, OutletReference: req.OutletReference}
		if c, err := inventory.ParseCode(raw); err == nil {
			in.From = seen[c]
		}
		var u inventory.Unit
		var err error
		switch {
		case req.Action != "transition":
			u, err = s.cfg.Inventory.Unit(ctx, actor(c), raw)
		case req.DryRun:
			u, err = s.cfg.Inventory.CheckTransition(ctx, actor(c), raw, req.To, in)
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
				u, _ = s.cfg.Inventory.Unit(ctx, actor(c), raw)
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

// seenStatuses reads a batch's "seen" map by canonical code. Keys that are
// no code are ignored (their code is refused as unknown anyway); an unknown
// status is a field error.
func seenStatuses(v *ordi.Validation, raw map[string]inventory.Status) map[inventory.Code]inventory.Status {
	if len(raw) > maxBatch {
		v.Addf("seen", "Entre 0 et %d codes par lot.", maxBatch)
		return nil
	}
	seen := make(map[inventory.Code]inventory.Status, len(raw))
	for key, st := range raw {
		if !st.Valid() {
			v.Add("seen", "Statut inconnu.")
			return nil
		}
		if c, err := inventory.ParseCode(key); err == nil {
			seen[c] = st
		}
	}
	return seen
}

// distinctCodes keeps the first of the inputs naming the same unit (after
// the normalisation ParseCode applies: case, spaces, hyphens, I/L/O), so a
// label scanned twice counts once and is acted on once. Inputs that are no
// code at all are compared trimmed and upper-cased.
func distinctCodes(raw []string) []string {
	seen := make(map[string]bool, len(raw))
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		key := strings.ToUpper(strings.TrimSpace(r))
		if c, err := inventory.ParseCode(r); err == nil {
			key = string(c)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	return out
}

// checkPaper checks a print batch's template and skip. An empty template
// (an API client only looking codes up) is allowed with no skip.
func checkPaper(v *ordi.Validation, template string, skip int) {
	if template == "" {
		if skip != 0 {
			v.Add("template", "Choisissez le papier pour indiquer les étiquettes déjà utilisées.")
		}
		return
	}
	tpl, ok := labels.FindTemplate(template)
	if !ok {
		v.Add("template", "Modèle d'étiquettes inconnu : L7163, L7160, 3474, DK-11209 ou DK-22205.")
		return
	}
	// The renderer refuses an empty list before drawing anything: asking it
	// gives its own words about skip, without rendering.
	var e *ordi.Error
	if err := labels.Render(io.Discard, tpl, nil, skip); errors.As(err, &e) {
		for _, f := range e.Fields {
			if f.Field == "skip" {
				v.Add(f.Field, f.Message)
			}
		}
	}
}

type scanPage struct {
	basePage
	CanEdit   bool
	Statuses  []inventory.Status
	Templates []labels.Template
	Template  string // the paper last printed on, from the session
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
		Template: s.lastTemplate(c), WasmURL: s.assets.url("vendor/zxing-wasm/zxing_reader.wasm")}
	s.render(c, http.StatusOK, "scan", &p)
	return nil
}
