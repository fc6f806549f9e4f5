package web

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/reports"
)

// apiCell is a cell as the API sends it: a number; null when no value makes
// sense; {"value": x, "estimate": true} for an estimate; and for a
// suppressed count {"suppressed": true, "below": threshold}, never the
// number.
type apiCell struct {
	cell      reports.Cell
	threshold int
}

func (a apiCell) MarshalJSON() ([]byte, error) {
	switch {
	case a.cell.Suppressed:
		return json.Marshal(struct {
			Suppressed bool `json:"suppressed"`
			Below      int  `json:"below"`
		}{true, a.threshold})
	case a.cell.Empty:
		return []byte("null"), nil
	case a.cell.Estimate:
		return json.Marshal(struct {
			Value    float64 `json:"value"`
			Estimate bool    `json:"estimate"`
		}{a.cell.Value, true})
	}
	return json.Marshal(a.cell.Value)
}

type apiColumn struct {
	Key     string          `json:"key"`
	Label   string          `json:"label"`
	Measure reports.Measure `json:"measure"`
}

type apiRow struct {
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Cells []apiCell `json:"cells"`
}

type apiTable struct {
	Key     string      `json:"key"`
	Section string      `json:"section"`
	Title   string      `json:"title"`
	RowHead string      `json:"row_head"`
	Columns []apiColumn `json:"columns"`
	Rows    []apiRow    `json:"rows"`
	Method  string      `json:"method"`
}

type apiTarget struct {
	Key     string          `json:"key"`
	Label   string          `json:"label"`
	Measure reports.Measure `json:"measure"`
	Goal    float64         `json:"goal"`
	Done    apiCell         `json:"done"`
	Percent float64         `json:"percent"`
}

type apiFilter struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Commune   string `json:"commune"`
	QPV       *bool  `json:"qpv"`
	PartnerID int64  `json:"partner_id,omitempty"`
}

type apiSummary struct {
	Filter    apiFilter   `json:"filter"`
	Threshold int         `json:"threshold"`
	Scope     string      `json:"scope,omitempty"`
	Tables    []apiTable  `json:"tables"`
	Targets   []apiTarget `json:"targets"`
}

// summaryJSON is the API's form of a Summary.
func summaryJSON(s reports.Summary) apiSummary {
	out := apiSummary{Filter: apiFilter(s.Filter), Threshold: s.Threshold, Scope: s.Scope, Tables: []apiTable{}, Targets: []apiTarget{}}
	for _, t := range s.Tables {
		at := apiTable{Key: t.Key, Section: t.Section, Title: t.Title, RowHead: t.RowHead, Method: t.Method, Rows: []apiRow{}}
		for _, c := range t.Columns {
			at.Columns = append(at.Columns, apiColumn(c))
		}
		for _, r := range t.Rows {
			ar := apiRow{Key: r.Key, Label: r.Label}
			for _, c := range r.Cells {
				ar.Cells = append(ar.Cells, apiCell{c, s.Threshold})
			}
			at.Rows = append(at.Rows, ar)
		}
		out.Tables = append(out.Tables, at)
	}
	for _, t := range s.Targets {
		out.Targets = append(out.Targets, apiTarget{Key: t.Key, Label: t.Label, Measure: t.Measure, Goal: t.Goal, Done: apiCell{t.Done, s.Threshold}, Percent: t.Percent()})
	}
	return out
}

func (s *Server) handleAPIReportSummary(c *gin.Context) error {
	f, fields := reportFilter(c)
	if len(fields) > 0 {
		return &ordi.Error{Kind: ordi.Invalid, Message: fields[0].Message, Fields: fields}
	}
	sum, err := s.cfg.Reports.Summary(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, summaryJSON(sum))
	return nil
}

// targetsJSON is the answer of GET /api/v1/settings/targets.
type targetsJSON struct {
	Threshold int               `json:"threshold"`
	Items     []reports.Targets `json:"items"`
}

func (s *Server) handleAPITargets(c *gin.Context) error {
	ctx := c.Request.Context()
	items, err := s.cfg.Reports.Targets(ctx, actor(c))
	if err != nil {
		return err
	}
	th, err := s.cfg.Reports.Threshold(ctx)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, targetsJSON{Threshold: th, Items: items})
	return nil
}

func (s *Server) handleAPITargetsUpdate(c *gin.Context) error {
	var in reports.Targets
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	if err := s.cfg.Reports.SetTargets(c.Request.Context(), actor(c), in); err != nil {
		return err
	}
	c.JSON(http.StatusOK, in)
	return nil
}
