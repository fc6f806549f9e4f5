package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
)

type coursesPage struct {
	basePage
	Courses   []allocation.CourseSummary
	Next      string
	CanCreate bool
}

func (s *Server) handleCoursesPage(c *gin.Context) error {
	before, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	items, err := s.cfg.Allocation.Courses(c.Request.Context(), actor(c), allocation.CourseFilter{Before: before, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	page := paginate(items, ordi.DefaultLimit, func(cs allocation.CourseSummary) string { return ordi.IDCursor(cs.ID) })
	u, _ := userOf(c)
	title := "Formations"
	if u.Role == ordi.RoleTrainer {
		title = "Mes formations"
	}
	p := coursesPage{basePage: s.base(c, title), Courses: page.Items, Next: page.NextCursor, CanCreate: allocate.allows(u.Role)}
	s.render(c, http.StatusOK, "courses", &p)
	return nil
}

type courseFormPage struct {
	basePage
	Form     url.Values
	Fields   []ordi.FieldError
	Trainers []account.User
}

func (s *Server) courseForm(c *gin.Context, form url.Values, fields []ordi.FieldError) (*courseFormPage, error) {
	var trainers []account.User
	for _, role := range []ordi.Role{ordi.RoleTrainer, ordi.RoleStaff} {
		active := true
		us, err := s.cfg.Accounts.Users(c.Request.Context(), actor(c), account.UserFilter{Role: role, Active: &active, Limit: ordi.MaxLimit})
		if err != nil {
			return nil, err
		}
		trainers = append(trainers, us...)
	}
	return &courseFormPage{basePage: s.base(c, "Nouvelle formation"), Form: form, Fields: fields, Trainers: trainers}, nil
}

func (s *Server) handleCourseNewPage(c *gin.Context) error {
	rules, err := s.cfg.Allocation.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	p, err := s.courseForm(c, url.Values{"required_sessions": {strconv.Itoa(rules.RequiredSessions)}}, nil)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "course_form", p)
	return nil
}

func (s *Server) handleCourseCreate(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	form := c.Request.PostForm
	var fields []ordi.FieldError
	trainer, _ := strconv.ParseInt(form.Get("trainer_id"), 10, 64)
	dates, times := sessionsForm(form, &fields)
	in := allocation.NewCourse{Title: form.Get("title"), Place: form.Get("place"), TrainerID: trainer, SessionDates: dates, SessionTimes: times,
		RequiredSessions: atoiForm(form, "required_sessions", &fields)}
	var course allocation.Course
	if len(fields) == 0 {
		var err error
		course, err = s.cfg.Allocation.CreateCourse(c.Request.Context(), actor(c), in)
		if fields, err = invalidFields(err); err != nil {
			return err
		}
	} else {
		// Every error in one round: the domain's too, for the fields read.
		domain, _ := invalidFields(allocation.ValidateCourse(in))
		fields = mergeFields(fields, domain)
	}
	if len(fields) > 0 {
		p, err := s.courseForm(c, form, fields)
		if err != nil {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "course_form", p)
		return nil
	}
	s.flash(c, "Formation créée. Inscrivez-y maintenant les familles éligibles.")
	return seeOther(c, "/courses/"+strconv.FormatInt(course.ID, 10))
}

// sessionsForm reads the form's session rows: each filled date, with its
// times as allocation.NewCourse.SessionTimes carries them ("14:00-16:00",
// "" for none, "14:00-" when one is missing, which the domain refuses).
// Times typed on a row without a date are refused here.
func sessionsForm(form url.Values, fields *[]ordi.FieldError) (dates, times []string) {
	starts, ends := form["session_starts"], form["session_ends"]
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	for i, d := range form["session_dates"] {
		start, end := at(starts, i), at(ends, i)
		if d = strings.TrimSpace(d); d == "" {
			if start != "" || end != "" {
				*fields = append(*fields, ordi.FieldError{Field: "session_times", Message: fmt.Sprintf("Ligne %d : des horaires sans date de séance.", i+1)})
			}
			continue
		}
		dates = append(dates, d)
		if start != "" || end != "" {
			times = append(times, start+"-"+end)
		} else {
			times = append(times, "")
		}
	}
	return dates, times
}
