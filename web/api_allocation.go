package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/audit"
)

type auditEntry = audit.Entry

func (s *Server) handleAPIHouseholdCreate(c *gin.Context) error {
	var in allocation.NewHousehold
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	h, err := s.cfg.Allocation.Nominate(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, h)
	return nil
}

func (s *Server) handleAPIHousehold(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	h, err := s.cfg.Allocation.Household(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

func (s *Server) handleAPIHouseholdList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	f := allocation.HouseholdFilter{Status: allocation.HouseholdStatus(c.Query("status")), Q: c.Query("q"), Before: before, Limit: limit + 1}
	items, err := s.cfg.Allocation.Households(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(h allocation.HouseholdSummary) string { return ordi.IDCursor(h.ID) }))
	return nil
}

func (s *Server) handleAPIHouseholdUpdate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in allocation.HouseholdUpdate
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	h, err := s.cfg.Allocation.UpdateHousehold(c.Request.Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

type decisionInput struct {
	Eligible *bool  `json:"eligible"`
	Reason   string `json:"reason"`
}

func (s *Server) handleAPIHouseholdDecision(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in decisionInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Eligible == nil {
		var v ordi.Validation
		v.Add("eligible", "Indiquez la décision : eligible true ou false.")
		return v.Err()
	}
	h, err := s.cfg.Allocation.Decide(c.Request.Context(), actor(c), id, *in.Eligible, in.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

type reasonInput struct {
	Reason string `json:"reason"`
}

func (s *Server) handleAPIHouseholdWithdraw(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in reasonInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	h, err := s.cfg.Allocation.Withdraw(c.Request.Context(), actor(c), id, in.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

func (s *Server) handleAPIHouseholdErase(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Confirm string `json:"confirm"`
	}
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	h, err := s.cfg.Certificates.EraseHousehold(c.Request.Context(), actor(c), id, in.Confirm)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

func (s *Server) handleAPIHouseholdExport(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	e, err := s.cfg.Allocation.ExportHousehold(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="famille-`+e.Household.Reference+`.json"`)
	c.Header("Cache-Control", "no-store")
	c.IndentedJSON(http.StatusOK, e)
	return nil
}

func (s *Server) handleAPIHouseholdChecklist(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	h, err := s.cfg.Allocation.Household(ctx, actor(c), id)
	if err != nil {
		return err
	}
	cl, err := s.cfg.Allocation.Checklist(ctx, h)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, cl)
	return nil
}

func (s *Server) handleAPIAccessLog(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	household, err := queryID(c, "household_id")
	if err != nil {
		return err
	}
	items, err := s.cfg.Allocation.AccessLog(c.Request.Context(), actor(c), allocation.AccessLogFilter{
		HouseholdID: household, Reference: c.Query("reference"), Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(e allocation.AccessEntry) string { return ordi.IDCursor(e.ID) }))
	return nil
}

func (s *Server) handleAPIRules(c *gin.Context) error {
	r, err := s.cfg.Allocation.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (s *Server) handleAPIRulesUpdate(c *gin.Context) error {
	var in allocation.Rules
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	r, err := s.cfg.Allocation.SetRules(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (s *Server) handleAPICourseCreate(c *gin.Context) error {
	var in allocation.NewCourse
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	ctx := c.Request.Context()
	course, err := s.cfg.Allocation.CreateCourse(ctx, actor(c), in)
	if err != nil {
		return err
	}
	d, err := s.cfg.Allocation.Course(ctx, actor(c), course.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, d)
	return nil
}

func (s *Server) handleAPICourse(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.cfg.Allocation.Course(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

func (s *Server) handleAPICourseList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	items, err := s.cfg.Allocation.Courses(c.Request.Context(), actor(c), allocation.CourseFilter{Before: before, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(cs allocation.CourseSummary) string { return ordi.IDCursor(cs.ID) }))
	return nil
}

type enrollmentInput struct {
	HouseholdID int64 `json:"household_id"`
}

func (s *Server) handleAPIEnrollment(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in enrollmentInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	if err := s.cfg.Allocation.Enroll(c.Request.Context(), actor(c), id, in.HouseholdID); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"course_id": id, "household_id": in.HouseholdID})
	return nil
}

func (s *Server) handleAPIAttendance(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in allocation.Mark
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	at, err := s.cfg.Allocation.RecordAttendance(c.Request.Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, at)
	return nil
}

func (s *Server) handleAPIProposals(c *gin.Context) error {
	var in struct{}
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &in, maxJSONBody); err != nil {
			return err
		}
	}
	set, err := s.cfg.Allocation.Proposals(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	unmatched := make([]int64, len(set.Unmatched))
	for i, u := range set.Unmatched {
		unmatched[i] = u.HouseholdID
	}
	c.JSON(http.StatusOK, gin.H{"proposals": set.Proposals, "unmatched": unmatched, "unmatched_reasons": set.Unmatched})
	return nil
}

type reservationInput struct {
	HouseholdID   int64   `json:"household_id"`
	UnitCode      string  `json:"unit_code"`
	AppointmentOn *string `json:"appointment_on"` // YYYY-MM-DD, optional
}

func (s *Server) handleAPIReservationCreate(c *gin.Context) error {
	var in reservationInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	var appointment string
	if in.AppointmentOn != nil {
		appointment = *in.AppointmentOn
	}
	r, err := s.cfg.Allocation.ReserveOn(c.Request.Context(), actor(c), in.HouseholdID, in.UnitCode, appointment)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, r)
	return nil
}

// reservationAppointmentInput is the body of PATCH /api/v1/reservations/{id}:
// appointment_on is a date YYYY-MM-DD, or null to clear it; it must be there.
type reservationAppointmentInput struct {
	AppointmentOn json.RawMessage `json:"appointment_on"`
}

func (s *Server) handleAPIReservationAppointment(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in reservationAppointmentInput
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	var on string
	switch raw := bytes.TrimSpace(in.AppointmentOn); {
	case len(raw) == 0:
		var v ordi.Validation
		v.Add("appointment_on", "Indiquez appointment_on : une date AAAA-MM-JJ, ou null pour retirer le rendez-vous.")
		return v.Err()
	case string(raw) == "null":
	default:
		if err := json.Unmarshal(raw, &on); err != nil {
			return ordi.Errorf(ordi.Malformed, "appointment_on : attendu une chaîne AAAA-MM-JJ ou null.")
		}
		if strings.TrimSpace(on) == "" { // null clears, not ""
			var v ordi.Validation
			v.Add("appointment_on", "Date de rendez-vous invalide : attendu AAAA-MM-JJ (ou null pour la retirer).")
			return v.Err()
		}
	}
	r, err := s.cfg.Allocation.SetAppointment(c.Request.Context(), actor(c), id, on)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (s *Server) handleAPIReservationCancel(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	r, err := s.cfg.Allocation.Cancel(c.Request.Context(), actor(c), id, c.Query("reason"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (s *Server) handleAPIReservation(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	r, err := s.cfg.Allocation.Reservation(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (s *Server) handleAPIReservationList(c *gin.Context) error {
	limit, before, err := listParams(c)
	if err != nil {
		return err
	}
	household, err := queryID(c, "household_id")
	if err != nil {
		return err
	}
	f := allocation.ReservationFilter{Status: allocation.ReservationStatus(c.Query("status")), HouseholdID: household, Before: before, Limit: limit + 1}
	items, err := s.cfg.Allocation.Reservations(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(r allocation.ReservationView) string { return ordi.IDCursor(r.ID) }))
	return nil
}
