package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

type coursePage struct {
	basePage
	Course      allocation.CourseDetail
	Eligible    []allocation.HouseholdSummary // families that can be enrolled
	CanEnroll   bool
	CanMark     bool
	Fields      []ordi.FieldError
	MarkedCount int
}

func (s *Server) coursePage(c *gin.Context, id int64) (*coursePage, error) {
	ctx := c.Request.Context()
	a := actor(c)
	d, err := s.cfg.Allocation.Course(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := &coursePage{basePage: s.base(c, d.Title), Course: d, CanEnroll: allocate.allows(a.Role), CanMark: courses.allows(a.Role)}
	if p.CanEnroll {
		if p.Eligible, err = s.cfg.Allocation.Households(ctx, a, allocation.HouseholdFilter{Status: allocation.StatusEligible, Limit: ordi.MaxLimit}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) handleCoursePage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.coursePage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "course", p)
	return nil
}

func (s *Server) handleCourseEnroll(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	household, _ := strconv.ParseInt(c.PostForm("household_id"), 10, 64)
	if err := s.cfg.Allocation.Enroll(c.Request.Context(), actor(c), id, household); err != nil {
		kind := ordi.KindOf(err)
		if kind != ordi.Invalid && kind != ordi.Conflict {
			return err
		}
		p, perr := s.coursePage(c, id)
		if perr != nil {
			return perr
		}
		p.Fields = []ordi.FieldError{{Field: "household_id", Message: ordi.MessageOf(err)}}
		s.render(c, statusOf[kind], "course", p)
		return nil
	}
	s.flash(c, "Famille inscrite.")
	return seeOther(c, "/courses/"+strconv.FormatInt(id, 10))
}

// attendanceCell is one toggle of the attendance sheet.
type attendanceCell struct {
	CourseID    int64
	HouseholdID int64
	Session     int
	Present     *bool
	Attended    int
	Required    int                        // sessions the course requires
	Status      allocation.HouseholdStatus // empty for a trainer
	CanMark     bool
	// OOB also sends the family's progress to its cell (htmx out-of-band).
	OOB bool
}

// handleCourseAttendance records one tap on the attendance sheet. With htmx
// it answers the new toggle only; without, it goes back to the sheet.
func (s *Server) handleCourseAttendance(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	household, _ := strconv.ParseInt(c.PostForm("household_id"), 10, 64)
	session, _ := strconv.Atoi(c.PostForm("session"))
	present := c.PostForm("present") == "true"
	at, err := s.cfg.Allocation.RecordAttendance(c.Request.Context(), actor(c), id, allocation.Mark{HouseholdID: household, Session: session, Present: present})
	if err != nil {
		return err
	}
	if c.GetHeader("HX-Request") == "true" {
		course, err := s.cfg.Allocation.Course(c.Request.Context(), actor(c), id)
		if err != nil {
			return err
		}
		cell := attendanceCell{CourseID: id, HouseholdID: household, Session: session, Present: &present, Attended: at.Attended, Required: course.RequiredSessions, Status: at.Status, CanMark: true, OOB: true}
		s.renderFragment(c, http.StatusOK, "course", "attendance-cell", &cell)
		return nil
	}
	return seeOther(c, "/courses/"+strconv.FormatInt(id, 10)+"#presence")
}
