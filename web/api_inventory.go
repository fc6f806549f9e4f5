package web

import (
	"bytes"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// unitJSON is a unit as the API shows it: its fields plus the URL its QR
// label holds.
type unitJSON struct {
	inventory.Unit
	QRURL string `json:"qr_url"`
}

func (s *Server) unitURL(code inventory.Code) string {
	return s.cfg.BaseURL.String() + "/u/" + string(code)
}

func (s *Server) unitJSON(u inventory.Unit) unitJSON {
	return unitJSON{Unit: u, QRURL: s.unitURL(u.Code)}
}

func (s *Server) handleAPIDonorCreate(c *gin.Context) error {
	var in inventory.NewDonor
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	d, err := s.cfg.Inventory.CreateDonor(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, d)
	return nil
}

func (s *Server) handleAPIDonor(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.cfg.Inventory.Donor(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

func (s *Server) handleAPIDonorList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	items, err := s.cfg.Inventory.Donors(c.Request.Context(), actor(c), inventory.DonorFilter{Q: c.Query("q"), Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(d inventory.Donor) string { return ordi.IDCursor(d.ID) }))
	return nil
}

func (s *Server) handleAPIDonationCreate(c *gin.Context) error {
	var in inventory.NewDonation
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	d, err := s.cfg.Inventory.CreateDonation(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, d)
	return nil
}

// maxDonationUnits bounds the units embedded in a donation's answer; page
// through GET /api/v1/units?donation_id= for the rest.
const maxDonationUnits = 1000

type donationJSON struct {
	inventory.Donation
	Donor          inventory.Donor  `json:"donor"`
	Units          []unitJSON       `json:"units"`
	UnitsTruncated bool             `json:"units_truncated,omitempty"`
	Counts         inventory.Counts `json:"counts"`
}

func (s *Server) handleAPIDonation(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.cfg.Inventory.Donation(ctx, actor(c), id)
	if err != nil {
		return err
	}
	donor, err := s.cfg.Inventory.Donor(ctx, actor(c), d.DonorID)
	if err != nil {
		return err
	}
	counts, err := s.cfg.Inventory.CountByStatus(ctx, actor(c), id)
	if err != nil {
		return err
	}
	out := donationJSON{Donation: d, Donor: donor, Counts: counts, Units: []unitJSON{}}
	before := int64(0)
	for len(out.Units) < maxDonationUnits {
		page, err := s.cfg.Inventory.Units(ctx, actor(c), inventory.UnitFilter{DonationID: id, Before: before, Limit: ordi.MaxLimit})
		if err != nil {
			return err
		}
		for _, u := range page {
			out.Units = append(out.Units, s.unitJSON(u))
		}
		if len(page) < ordi.MaxLimit {
			break
		}
		before = page[len(page)-1].ID
	}
	out.UnitsTruncated = counts.Total() > len(out.Units)
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIDonationList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	donor, err := queryID(c, "donor_id")
	if err != nil {
		return err
	}
	items, err := s.cfg.Inventory.Donations(c.Request.Context(), actor(c), inventory.DonationFilter{DonorID: donor, Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(d inventory.DonationSummary) string { return ordi.IDCursor(d.ID) }))
	return nil
}

func (s *Server) handleAPIUnitCreate(c *gin.Context) error {
	var in inventory.NewUnit
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	u, err := s.cfg.Inventory.CreateUnit(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, s.unitJSON(u))
	return nil
}

func (s *Server) handleAPIUnit(c *gin.Context) error {
	u, err := s.cfg.Inventory.Unit(c.Request.Context(), actor(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.unitJSON(u))
	return nil
}

func (s *Server) handleAPIUnitList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	donation, err := queryID(c, "donation_id")
	if err != nil {
		return err
	}
	f := inventory.UnitFilter{
		Status: inventory.Status(c.Query("status")), Kind: inventory.Kind(c.Query("kind")), DonationID: donation,
		Q: c.Query("q"), Unprinted: c.Query("unprinted") == "true", Before: before, Limit: limit + 1,
	}
	items, err := s.cfg.Inventory.Units(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	page := paginate(items, limit, func(u inventory.Unit) string { return ordi.IDCursor(u.ID) })
	out := list[unitJSON]{Items: make([]unitJSON, len(page.Items)), NextCursor: page.NextCursor}
	for i, u := range page.Items {
		out.Items[i] = s.unitJSON(u)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) handleAPIUnitUpdate(c *gin.Context) error {
	var in inventory.UnitUpdate
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	u, err := s.cfg.Inventory.UpdateUnit(c.Request.Context(), actor(c), c.Param("code"), in)
	if err != nil {
		return s.withCurrentUnit(err)
	}
	c.JSON(http.StatusOK, s.unitJSON(u))
	return nil
}

// withCurrentUnit shows the current unit of a stale-version conflict as the
// API shows units.
func (s *Server) withCurrentUnit(err error) error {
	if e, ok := err.(*ordi.Error); ok {
		if cur, ok := e.Extra["current"].(inventory.Unit); ok {
			e.Extra["current"] = s.unitJSON(cur)
		}
	}
	return err
}

// transitionInput is the body of a transition. Version, optional, is the
// unit's version the client saw: when the unit changed since, the answer is
// 409 with the unit as it now is in "current".
type transitionInput struct {
	To              inventory.Status `json:"to"`
	Note            string           `json:"note"`
	OutletID        int64            `json:"outlet_id"`
	Outlet          string           `json:"outlet"`
	OutletReference string           `json:"outlet_reference"`
	Version         int              `json:"version"`
}

func (s *Server) handleAPIUnitTransition(c *gin.Context) error {
	var in transitionInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	u, err := s.cfg.Inventory.Transition(c.Request.Context(), actor(c), c.Param("code"), in.To,
		inventory.TransitionInput{Note: in.Note, OutletID: in.OutletID, Outlet: in.Outlet, OutletReference: in.OutletReference, Version: in.Version})
	if err != nil {
		return s.withCurrentUnit(err)
	}
	c.JSON(http.StatusOK, s.unitJSON(u))
	return nil
}

func (s *Server) handleAPIErasureCreate(c *gin.Context) error {
	var in inventory.NewErasure
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	e, err := s.cfg.Inventory.RecordErasure(c.Request.Context(), actor(c), c.Param("code"), in)
	if err != nil {
		return s.withCurrentUnit(err)
	}
	c.JSON(http.StatusCreated, e)
	return nil
}

func (s *Server) handleAPIErasureList(c *gin.Context) error {
	ctx := c.Request.Context()
	u, err := s.cfg.Inventory.Unit(ctx, actor(c), c.Param("code"))
	if err != nil {
		return err
	}
	items, err := s.cfg.Inventory.Erasures(ctx, actor(c), u.ID)
	if err != nil {
		return err
	}
	if items == nil {
		items = []inventory.Erasure{}
	}
	c.JSON(http.StatusOK, list[inventory.Erasure]{Items: items})
	return nil
}

func (s *Server) handleAPIUnitEvents(c *gin.Context) error {
	events, err := s.cfg.Inventory.Events(c.Request.Context(), actor(c), c.Param("code"))
	if err != nil {
		return err
	}
	if events == nil {
		events = []inventory.Event{}
	}
	c.JSON(http.StatusOK, list[inventory.Event]{Items: events})
	return nil
}

// importResult is the CSV import's answer on success.
type importResult struct {
	Created int               `json:"created"`
	Codes   []string          `json:"codes"`
	Errors  []ordi.FieldError `json:"errors"`
}

func (s *Server) handleAPIUnitImport(c *gin.Context) error {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || (mt != "text/csv" && mt != "text/plain") {
		return &statusError{status: http.StatusUnsupportedMediaType, detail: "Envoyez le fichier CSV avec Content-Type: text/csv."}
	}
	// Read before taking a turn of expensive work, so that a slow upload
	// does not hold it.
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, inventory.MaxImportBytes))
	if err != nil {
		return err
	}
	res, err := limited(c.Request.Context(), s.expensive, func() (inventory.ImportResult, error) {
		return s.cfg.Inventory.ImportUnits(c.Request.Context(), actor(c), bytes.NewReader(body))
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, importResult{Created: res.Created, Codes: res.Codes, Errors: []ordi.FieldError{}})
	return nil
}
