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
	OutletID        int64            `json:"outlet_id"`
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
	// Confirm accepts the backward and irreversible moves of a transition
	// batch (see inventory.Caution); without it such a batch changes
	// nothing and answers 409 naming them in "confirm".
	Confirm bool `json:"confirm"`
}

// batchItem is the outcome for one code.
type batchItem struct {
	Input  string           `json:"input"`
	Code   inventory.Code   `json:"code,omitempty"` // canonical, when known
	Title  string           `json:"title,omitempty"`
	Status inventory.Status `json:"status,omitempty"`
	// StatusLabel and StatusTone draw the status badge.
	StatusLabel string         `json:"status_label,omitempty"`
	StatusTone  inventory.Tone `json:"status_tone,omitempty"`
	// Before is, for an applied transition, the status the unit left.
	Before      inventory.Status `json:"before,omitempty"`
	BeforeLabel string           `json:"before_label,omitempty"`
	// Caution, for a transition the unit would accept, says whether the
	// move goes backwards or is irreversible; Warning says it in French.
	Caution inventory.Caution `json:"caution,omitempty"`
	Warning string            `json:"warning,omitempty"`
	// Result is "ok", "unknown", "already" (the unit is already at the
	// target status) or "refused".
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
	res := batchResult{Items: make([]batchItem, 0, len(codes)), Total: len(codes)}
	// Every code is looked at (or checked) first, nothing changing: a
	// transition batch that would move units backwards or irreversibly is
	// refused whole unless confirmed, and each move is then made on the
	// status it was checked against.
	for _, raw := range codes {
		item, err := s.batchCheck(c, req, raw, seen)
		if err != nil {
			return err
		}
		res.Items = append(res.Items, item)
	}
	if req.Action != "transition" || req.DryRun {
		c.JSON(http.StatusOK, res)
		return nil
	}
	if !req.Confirm {
		if err := unconfirmed(res.Items); err != nil {
			return err
		}
	}
	for i, item := range res.Items {
		if item.Result != "ok" {
			continue
		}
		in := inventory.TransitionInput{Note: req.Note, OutletID: req.OutletID, Outlet: req.Outlet, OutletReference: req.OutletReference, From: item.Status}
		u, err := s.cfg.Inventory.Transition(ctx, actor(c), string(item.Code), req.To, in)
		if err != nil {
			if item, err = s.batchRefused(c, item, err, u, req.To); err != nil {
				return err
			}
			res.Items[i] = item
			continue
		}
		item.Before, item.BeforeLabel = item.Status, item.Status.Label()
		item.Status, item.StatusLabel, item.StatusTone = u.Status, u.Status.Label(), u.Status.Tone()
		item.Message = "Passée de « " + item.BeforeLabel + " » à « " + u.Status.Label() + " »"
		res.Items[i] = item
		res.Applied++
	}
	c.JSON(http.StatusOK, res)
	return nil
}

// batchCheck looks one code of a batch up, and for a transition checks the
// move without making it.
func (s *Server) batchCheck(c *gin.Context, req batchRequest, raw string, seen map[inventory.Code]inventory.Status) (batchItem, error) {
	ctx := c.Request.Context()
	item := batchItem{Input: raw}
	var u inventory.Unit
	var err error
	if req.Action == "transition" {
		in := inventory.TransitionInput{Note: req.Note, OutletID: req.OutletID, Outlet: req.Outlet, OutletReference: req.OutletReference}
		if code, perr := inventory.ParseCode(raw); perr == nil {
			in.From = seen[code]
		}
		u, err = s.cfg.Inventory.CheckTransition(ctx, actor(c), raw, req.To, in)
	} else {
		u, err = s.cfg.Inventory.Unit(ctx, actor(c), raw)
	}
	if err != nil {
		return s.batchRefused(c, item, err, u, req.To)
	}
	item.Result, item.Message = "ok", "OK"
	item.Code, item.Title = u.Code, u.Title()
	item.Status, item.StatusLabel, item.StatusTone = u.Status, u.Status.Label(), u.Status.Tone()
	if req.Action == "transition" {
		item.Caution = inventory.CautionOf(u.Status, req.To)
		item.Warning = item.Caution.Warning(u.Status, req.To)
	}
	return item, nil
}

// batchRefused turns a refusal into the item's outcome; an error of another
// kind is returned. A unit already at the target status says so.
func (s *Server) batchRefused(c *gin.Context, item batchItem, err error, u inventory.Unit, to inventory.Status) (batchItem, error) {
	switch {
	case errors.Is(err, ordi.NotFound):
		item.Result, item.Message = "unknown", "Code inconnu"
		return item, nil
	case errors.Is(err, ordi.Conflict), errors.Is(err, ordi.Invalid):
		item.Result, item.Message = "refused", ordi.MessageOf(err)
	default:
		return item, err
	}
	if u.ID == 0 {
		u, _ = s.cfg.Inventory.Unit(c.Request.Context(), actor(c), item.Input)
	}
	if u.ID != 0 {
		item.Code, item.Title = u.Code, u.Title()
		item.Status, item.StatusLabel, item.StatusTone = u.Status, u.Status.Label(), u.Status.Tone()
		if to != "" && u.Status == to && errors.Is(err, ordi.Conflict) {
			item.Result, item.Message = "already", "Déjà « "+to.Label()+" »"
		}
	}
	return item, nil
}

// unconfirmed refuses a batch whose moves include backward or irreversible
// ones, naming them: the scan page asks, then sends the batch again with
// "confirm". Nothing has changed.
func unconfirmed(items []batchItem) error {
	var flagged []string
	var lines []string
	for _, it := range items {
		if it.Result == "ok" && it.Caution != "" {
			flagged = append(flagged, string(it.Code))
			lines = append(lines, string(it.Code)+" : "+it.Warning)
		}
	}
	if len(flagged) == 0 {
		return nil
	}
	return &ordi.Error{
		Kind: ordi.Conflict,
		Message: ordi.Plural(len(flagged), "unité recule ou change de statut définitivement", "unités reculent ou changent de statut définitivement") +
			" : confirmez pour appliquer le lot. Rien n'a été modifié. " + strings.Join(lines, " "),
		Extra: map[string]any{"confirm": flagged},
	}
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
