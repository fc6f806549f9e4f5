package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/inventory/hwreport"
)

// reportJSON is the answer to a report's upload: the report, what it did to
// the unit, its drives, its erasures and the fields it disagrees with.
type reportJSON struct {
	inventory.Report
	Unit      unitJSON                   `json:"unit"`
	Drives    []inventory.Drive          `json:"drives"`
	Erasures  []inventory.Erasure        `json:"erasures"`
	Conflicts []inventory.ReportConflict `json:"conflicts"`
	Filled    []string                   `json:"filled"`
}

// readReport reads a tool's report from a bounded body.
func readReport(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return nil, ordi.Errorf(ordi.TooLarge, "Le rapport dépasse %d Mo.", hwreport.MaxSize>>20)
		}
		return nil, &ordi.Error{Kind: ordi.Malformed, Message: "Le rapport envoyé n'a pas pu être lu.", Err: err}
	}
	return data, nil
}

// handleAPIReportCreate attaches a tool's report sent as the body, whatever
// its Content-Type: the kind is recognised from the content.
func (s *Server) handleAPIReportCreate(c *gin.Context) error {
	data, err := readReport(c.Request.Body)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	res, err := limited(ctx, s.expensive, func() (inventory.Attached, error) {
		return s.cfg.Inventory.AttachReport(ctx, actor(c), c.Param("code"), data)
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, reportJSON{Report: res.Report, Unit: s.unitJSON(res.Unit), Drives: res.Drives,
		Erasures: res.Erasures, Conflicts: res.Conflicts, Filled: res.Filled})
	return nil
}

func (s *Server) handleAPIReportList(c *gin.Context) error {
	items, err := s.cfg.Inventory.Reports(c.Request.Context(), actor(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list[inventory.Report]{Items: items})
	return nil
}

// handleAPIReportDownload sends a report's file as it was received.
func (s *Server) handleAPIReportDownload(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return &ordi.Error{Kind: ordi.NotFound, Message: "Rapport inconnu pour cette unité."}
	}
	r, u, err := s.cfg.Inventory.ReportFile(c.Request.Context(), actor(c), c.Param("code"), id)
	if err != nil {
		return err
	}
	ct := "application/json"
	if r.Kind == string(hwreport.KindNwipe) {
		ct = "text/plain; charset=utf-8"
	}
	c.Header("Content-Disposition", `attachment; filename="`+r.FileName(u.Code)+`"`)
	c.Header("X-Content-SHA256", r.SHA256)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ct, r.Content)
	return nil
}

func (s *Server) handleAPIDriveList(c *gin.Context) error {
	items, err := s.cfg.Inventory.Drives(c.Request.Context(), actor(c), c.Param("code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list[inventory.Drive]{Items: items})
	return nil
}

// conflictInput settles a conflict: keep the unit's value or take the
// report's, on the unit's version the person saw.
type conflictInput struct {
	Choice  string `json:"choice"`
	Version int    `json:"version"`
}

func (s *Server) handleAPIConflictResolve(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return &ordi.Error{Kind: ordi.NotFound, Message: "Désaccord inconnu pour cette unité."}
	}
	var in conflictInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	u, err := s.cfg.Inventory.ResolveConflict(c.Request.Context(), actor(c), c.Param("code"), id, in.Choice, in.Version)
	if err != nil {
		return s.withCurrentUnit(err)
	}
	c.JSON(http.StatusOK, s.unitJSON(u))
	return nil
}
