package allocation

import (
	"strings"
	"time"

	"github.com/ordi-app/ordi"
)

// Course is a training course: a few sessions a family must attend before
// it receives a computer.
type Course struct {
	ID               int64     `json:"id"`
	Title            string    `json:"title"`
	Place            string    `json:"place"`
	TrainerID        *int64    `json:"trainer_id,omitempty"`
	RequiredSessions int       `json:"required_sessions"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Session is one dated session of a course, numbered from 1. Start and End
// ("HH:MM") are its times when they were given at creation; nil otherwise,
// and the attendance sheet leaves room to write them by hand.
type Session struct {
	CourseID int64     `json:"-"`
	Number   int       `json:"number"`
	Date     ordi.Date `json:"date"`
	Start    *string   `json:"start,omitempty" gorm:"column:start_time"`
	End      *string   `json:"end,omitempty" gorm:"column:end_time"`
}

// Times writes the session's times the French way, "14 h 00 – 16 h 00"
// (non-breaking spaces inside each time), or "" when they are not known.
func (s Session) Times() string {
	if s.Start == nil || s.End == nil {
		return ""
	}
	return frenchClock(*s.Start) + " – " + frenchClock(*s.End)
}

// frenchClock turns "14:00" into "14 h 00".
func frenchClock(hm string) string {
	return strings.Replace(hm, ":", "\u00a0h\u00a0", 1)
}

// sessionTimes is one session's times as NewCourse.SessionTimes carries
// them: "HH:MM-HH:MM", or "" for none.
type sessionTimes struct{ start, end string }

// parseSessionTimes reads "14:00-16:00" (spaces allowed around the dash);
// ok is false when it is not two valid times of day.
func parseSessionTimes(s string) (t sessionTimes, ok bool) {
	start, end, found := strings.Cut(s, "-")
	if !found {
		return t, false
	}
	for _, p := range []struct {
		in  string
		out *string
	}{{start, &t.start}, {end, &t.end}} {
		c, err := time.Parse("15:04", strings.TrimSpace(p.in))
		if err != nil {
			return t, false
		}
		*p.out = c.Format("15:04")
	}
	return t, true
}

// TableName tells GORM where sessions live.
func (Session) TableName() string { return "course_sessions" }

type enrollment struct {
	CourseID    int64
	HouseholdID int64
	EnrolledAt  time.Time
}

func (enrollment) TableName() string { return "enrollments" }

type attendance struct {
	CourseID     int64
	HouseholdID  int64
	Session      int
	Present      bool
	RecordedAt   time.Time
	RecordedByID *int64
}

func (attendance) TableName() string { return "attendance" }

// NewCourse is the input to create a course.
type NewCourse struct {
	Title        string   `json:"title"`
	Place        string   `json:"place"`
	TrainerID    int64    `json:"trainer_id"`
	SessionDates []string `json:"session_dates"`
	// SessionTimes, optional, runs parallel to SessionDates: each session's
	// times as "HH:MM-HH:MM", or "" when they are not known yet.
	SessionTimes     []string `json:"session_times,omitempty"`
	RequiredSessions int      `json:"required_sessions"`
}

// ValidateCourse checks a new course without recording anything, so that a
// form can report every error in one round, those of the fields it could
// not even read included.
func ValidateCourse(n NewCourse) error {
	_, err := n.validate()
	return err
}

// validate checks the input and returns the sessions to create, numbered
// but not yet attached to a course.
func (n *NewCourse) validate() ([]Session, error) {
	n.Title, n.Place = strings.TrimSpace(n.Title), strings.TrimSpace(n.Place)
	var v ordi.Validation
	text(&v, "title", n.Title, maxText, "Donnez un titre à la formation.")
	text(&v, "place", n.Place, maxText, "")
	var dates []ordi.Date
	switch {
	case len(n.SessionDates) == 0:
		v.Add("session_dates", "Indiquez la date d'au moins une séance.")
	case len(n.SessionDates) > maxSessions:
		v.Addf("session_dates", "%d séances au plus.", maxSessions)
	default:
		for _, s := range n.SessionDates {
			d, err := ordi.ParseDate(s)
			if err != nil {
				v.Addf("session_dates", "Date de séance invalide « %s » : attendu AAAA-MM-JJ.", s)
				break
			}
			if len(dates) > 0 && !d.After(dates[len(dates)-1]) {
				v.Add("session_dates", "Les séances doivent être dans l'ordre chronologique, une par jour.")
				break
			}
			dates = append(dates, d)
		}
	}
	if n.RequiredSessions < 1 || (len(n.SessionDates) > 0 && n.RequiredSessions > len(n.SessionDates)) {
		v.Add("required_sessions", "Le nombre de séances exigées doit être compris entre 1 et le nombre de séances.")
	}
	times := make([]sessionTimes, len(n.SessionDates))
	if len(n.SessionTimes) > 0 && len(n.SessionTimes) != len(n.SessionDates) {
		v.Addf("session_times", "Donnez les horaires de chaque séance (%d), vides pour une séance sans horaires : %d reçus.", len(n.SessionDates), len(n.SessionTimes))
	} else {
		for i, s := range n.SessionTimes {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			if start, end, _ := strings.Cut(s, "-"); strings.TrimSpace(start) == "" || strings.TrimSpace(end) == "" {
				v.Addf("session_times", "Séance %d : donnez l'heure de début et l'heure de fin, ou aucune des deux.", i+1)
				continue
			}
			t, ok := parseSessionTimes(s)
			if !ok {
				v.Addf("session_times", "Horaires de la séance %d invalides « %s » : attendu HH:MM-HH:MM, par exemple 14:00-16:00.", i+1, s)
				continue
			}
			if t.end <= t.start {
				v.Addf("session_times", "Séance %d : l'heure de fin (%s) doit être après l'heure de début (%s).", i+1, t.end, t.start)
				continue
			}
			times[i] = t
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sessions := make([]Session, len(dates))
	for i, d := range dates {
		sessions[i] = Session{Number: i + 1, Date: d}
		if t := times[i]; t.start != "" {
			start, end := t.start, t.end
			sessions[i].Start, sessions[i].End = &start, &end
		}
	}
	return sessions, nil
}

// Attendee is a family enrolled in a course, as the course page shows it:
// the contact name and the sessions attended. Staff also see the reference
// and the family's status; a trainer sees the name and their own attendance
// marks, nothing more (forViewer).
type Attendee struct {
	HouseholdID int64           `json:"household_id"`
	Reference   string          `json:"household_reference,omitempty"`
	ContactName string          `json:"contact_name"`
	Status      HouseholdStatus `json:"status,omitempty"`
	// Present[i] is the attendance of session i+1: nil when not taken yet.
	Present  []*bool `json:"present"`
	Attended int     `json:"attended"`
}

// forViewer keeps of an attendee what the actor may see: a trainer gets the
// name (and the id the attendance sheet posts back), not the file's
// reference or status.
func forViewer(a ordi.Actor, at Attendee) Attendee {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		at.Reference, at.Status = "", ""
	}
	return at
}

// CourseDetail is a course with its sessions and attendees.
type CourseDetail struct {
	Course
	TrainerName string     `json:"trainer_name,omitempty"`
	Sessions    []Session  `json:"sessions"`
	Attendees   []Attendee `json:"attendees"`
}

// CourseSummary is a course for lists.
type CourseSummary struct {
	Course
	TrainerName string    `json:"trainer_name,omitempty"`
	Sessions    int       `json:"sessions"`
	FirstDate   ordi.Date `json:"first_date"`
	LastDate    ordi.Date `json:"last_date"`
	Enrolled    int       `json:"enrolled"`
}
