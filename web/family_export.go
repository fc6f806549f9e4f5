package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi/allocation"
)

// familyExportPage is the family's copy of its own data (RGPD art. 15) in
// French, to read or print beside the JSON file: the same export, logged
// the same way (allocation.Service.ExportHousehold).
type familyExportPage struct {
	basePage
	allocation.Export
	Attendance []exportedCourseView
}

// exportedCourseView is a course with, per session, what was marked.
type exportedCourseView struct {
	Title, Place string
	Sessions     []exportedSessionView
}

type exportedSessionView struct {
	Number   int
	Date     string
	Presence string
}

// attendanceViews says each session's mark in words.
func attendanceViews(courses []allocation.ExportedCourse) []exportedCourseView {
	out := make([]exportedCourseView, 0, len(courses))
	for _, c := range courses {
		v := exportedCourseView{Title: c.Title, Place: c.Place}
		for i, sess := range c.Sessions {
			presence := "pas encore noté"
			if i < len(c.Present) && c.Present[i] != nil {
				presence = "absent"
				if *c.Present[i] {
					presence = "présent"
				}
			}
			v.Sessions = append(v.Sessions, exportedSessionView{Number: sess.Number, Date: sess.Date.French(), Presence: presence})
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) handleFamilyExportPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	e, err := s.cfg.Allocation.ExportHousehold(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := familyExportPage{basePage: s.base(c, "Données de la famille "+e.Household.Reference), Export: e, Attendance: attendanceViews(e.Courses)}
	s.render(c, http.StatusOK, "family_export", &p)
	return nil
}
