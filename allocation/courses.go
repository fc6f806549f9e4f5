package allocation

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// courseScope restricts a courses query: trainers see their own courses,
// staff and administrators every course, nobody else any.
func courseScope(q *gorm.DB, a ordi.Actor) *gorm.DB {
	switch {
	case a.Is(ordi.RoleAdmin, ordi.RoleStaff):
		return q
	case a.Is(ordi.RoleTrainer):
		return q.Where("courses.trainer_id = ?", a.UserID)
	}
	return q.Where("1 = 0")
}

func courseNotFound() error { return ordi.Errorf(ordi.NotFound, "Formation introuvable.") }

func (s *Service) findCourse(tx *gorm.DB, a ordi.Actor, id int64) (Course, error) {
	var c Course
	err := courseScope(tx.Model(&Course{}), a).Where("courses.id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Course{}, courseNotFound()
	}
	if err != nil {
		return Course{}, fmt.Errorf("find course %d: %w", id, err)
	}
	return c, nil
}

// CreateCourse creates a course with its dated sessions (staff).
func (s *Service) CreateCourse(ctx context.Context, a ordi.Actor, n NewCourse) (Course, error) {
	if err := a.Require(ordi.Allocate, "Les formations sont créées par l'équipe."); err != nil {
		return Course{}, err
	}
	sessions, err := n.validate()
	var v ordi.Validation
	if err := v.Merge(err); err != nil {
		return Course{}, err
	}
	db := s.db.WithContext(ctx)
	if n.TrainerID != 0 {
		var found int64
		if err := db.Table("users").Where("id = ? AND active = ? AND role IN ?", n.TrainerID, true, []ordi.Role{ordi.RoleTrainer, ordi.RoleStaff, ordi.RoleAdmin}).Count(&found).Error; err != nil {
			return Course{}, err
		}
		if found == 0 {
			v.Add("trainer_id", "Formateur inconnu : choisissez un compte actif de formateur ou de l'équipe.")
		}
	}
	if err := v.Err(); err != nil {
		return Course{}, err
	}
	now := s.now()
	c := Course{Title: n.Title, Place: n.Place, RequiredSessions: n.RequiredSessions, CreatedAt: now, UpdatedAt: now}
	if n.TrainerID != 0 {
		id := n.TrainerID
		c.TrainerID = &id
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("insert course: %w", err)
		}
		for i := range sessions {
			sessions[i].CourseID = c.ID
		}
		if err := tx.Create(&sessions).Error; err != nil {
			return fmt.Errorf("insert sessions: %w", err)
		}
		return audit.Record(ctx, tx, now, a, "course.create", "course", c.ID, "")
	})
	return c, err
}

// CourseFilter selects courses, newest first.
type CourseFilter struct {
	Before int64
	Limit  int
}

// Courses lists the courses the actor may see.
func (s *Service) Courses(ctx context.Context, a ordi.Actor, f CourseFilter) ([]CourseSummary, error) {
	if err := a.Require(ordi.RunCourses, coursesMessage); err != nil {
		return nil, err
	}
	q := courseScope(s.db.WithContext(ctx).Table("courses"), a).
		Select(`courses.*, users.name AS trainer_name,
			(SELECT COUNT(*) FROM course_sessions cs WHERE cs.course_id = courses.id) AS sessions,
			(SELECT MIN(date) FROM course_sessions cs WHERE cs.course_id = courses.id) AS first_date,
			(SELECT MAX(date) FROM course_sessions cs WHERE cs.course_id = courses.id) AS last_date,
			(SELECT COUNT(*) FROM enrollments e WHERE e.course_id = courses.id) AS enrolled`).
		Joins("LEFT JOIN users ON users.id = courses.trainer_id")
	if f.Before > 0 {
		q = q.Where("courses.id < ?", f.Before)
	}
	limit := ordi.ListLimit(f.Limit)
	var out []CourseSummary
	if err := q.Order("courses.id DESC").Limit(limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list courses: %w", err)
	}
	return out, nil
}

const coursesMessage = "Les formations sont suivies par l'équipe et leurs formateurs."

// Course returns a course with its sessions and the attendance of each
// enrolled family (reference and contact name only).
func (s *Service) Course(ctx context.Context, a ordi.Actor, id int64) (CourseDetail, error) {
	if err := a.Require(ordi.RunCourses, coursesMessage); err != nil {
		return CourseDetail{}, err
	}
	db := s.db.WithContext(ctx)
	c, err := s.findCourse(db, a, id)
	if err != nil {
		return CourseDetail{}, err
	}
	return s.courseDetail(db, c, a)
}

// courseDetail gathers a course's sessions and attendees, as viewer may see
// them (forViewer).
func (s *Service) courseDetail(db *gorm.DB, c Course, viewer ordi.Actor) (CourseDetail, error) {
	id := c.ID
	d := CourseDetail{Course: c, Sessions: []Session{}, Attendees: []Attendee{}}
	if c.TrainerID != nil {
		var names []string
		if err := db.Table("users").Where("id = ?", *c.TrainerID).Pluck("name", &names).Error; err == nil && len(names) > 0 {
			d.TrainerName = names[0]
		}
	}
	if err := db.Where("course_id = ?", id).Order("number").Find(&d.Sessions).Error; err != nil {
		return CourseDetail{}, fmt.Errorf("list sessions: %w", err)
	}
	var rows []struct {
		HouseholdID int64
		Reference   string
		ContactName string
		Status      HouseholdStatus
	}
	err := db.Table("enrollments").Select("households.id AS household_id, households.reference, households.contact_name, households.status").
		Joins("JOIN households ON households.id = enrollments.household_id").
		Where("enrollments.course_id = ?", id).Order("households.reference").Limit(ordi.MaxLimit * 5).Scan(&rows).Error
	if err != nil {
		return CourseDetail{}, fmt.Errorf("list attendees: %w", err)
	}
	var marks []attendance
	if err := db.Where("course_id = ?", id).Find(&marks).Error; err != nil {
		return CourseDetail{}, fmt.Errorf("list attendance: %w", err)
	}
	byHousehold := map[int64][]attendance{}
	for _, m := range marks {
		byHousehold[m.HouseholdID] = append(byHousehold[m.HouseholdID], m)
	}
	for _, r := range rows {
		at := Attendee{HouseholdID: r.HouseholdID, Reference: r.Reference, ContactName: r.ContactName, Status: r.Status, Present: make([]*bool, len(d.Sessions))}
		for _, m := range byHousehold[r.HouseholdID] {
			if m.Session >= 1 && m.Session <= len(at.Present) {
				p := m.Present
				at.Present[m.Session-1] = &p
				if p {
					at.Attended++
				}
			}
		}
		d.Attendees = append(d.Attendees, forViewer(viewer, at))
	}
	return d, nil
}

// Enroll enrolls an eligible family in a course (staff).
func (s *Service) Enroll(ctx context.Context, a ordi.Actor, courseID, householdID int64) error {
	if err := a.Require(ordi.Allocate, "Les inscriptions sont faites par l'équipe."); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.findCourse(tx, a, courseID); err != nil {
			return err
		}
		h, err := s.findHousehold(tx, a, householdID)
		if errors.Is(err, ordi.NotFound) {
			var v ordi.Validation
			v.Add("household_id", "Famille inconnue.")
			return v.Err()
		}
		if err != nil {
			return err
		}
		if h.Status != StatusEligible {
			return ordi.Errorf(ordi.Conflict, "Seule une famille éligible peut être inscrite ; la famille %s est « %s ».", h.Reference, h.Status.Label())
		}
		if err := tx.Create(&enrollment{CourseID: courseID, HouseholdID: householdID, EnrolledAt: s.now()}).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ordi.Errorf(ordi.Conflict, "La famille est déjà inscrite à cette formation.")
			}
			return fmt.Errorf("insert enrollment: %w", err)
		}
		if err := s.setStatus(tx, &h, []HouseholdStatus{StatusEligible}, StatusEnrolled, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), a, "course.enroll", "household", h.ID, fmt.Sprint(courseID))
	})
}

// Mark is one attendance mark.
type Mark struct {
	HouseholdID int64 `json:"household_id"`
	Session     int   `json:"session"`
	Present     bool  `json:"present"`
}

// RecordAttendance marks a family present or absent at a session (the
// course's trainer, or staff). Reaching the course's required attendance
// makes the family trained; falling back below it (a correction) before a
// reservation makes it enrolled again.
func (s *Service) RecordAttendance(ctx context.Context, a ordi.Actor, courseID int64, m Mark) (Attendee, error) {
	if err := a.Require(ordi.RunCourses, "La présence est relevée par le formateur ou l'équipe."); err != nil {
		return Attendee{}, err
	}
	var out Attendee
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := s.findCourse(tx, a, courseID)
		if err != nil {
			return err
		}
		var sessions int64
		if err := tx.Model(&Session{}).Where("course_id = ?", courseID).Count(&sessions).Error; err != nil {
			return err
		}
		var v ordi.Validation
		if m.Session < 1 || int64(m.Session) > sessions {
			v.Addf("session", "Séance %d inconnue : cette formation compte %s.", m.Session, ordi.Plural(int(sessions), "séance", "séances"))
		}
		var enrolled int64
		if err := tx.Model(&enrollment{}).Where("course_id = ? AND household_id = ?", courseID, m.HouseholdID).Count(&enrolled).Error; err != nil {
			return err
		}
		if enrolled == 0 {
			v.Add("household_id", "Cette famille n'est pas inscrite à cette formation.")
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		row := attendance{CourseID: courseID, HouseholdID: m.HouseholdID, Session: m.Session, Present: m.Present, RecordedAt: now, RecordedByID: actorID(a)}
		err = tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "course_id"}, {Name: "household_id"}, {Name: "session"}},
			DoUpdates: clause.AssignmentColumns([]string{"present", "recorded_at", "recorded_by_id"}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("record attendance: %w", err)
		}
		var attended int64
		if err := tx.Model(&attendance{}).Where("course_id = ? AND household_id = ? AND present = ?", courseID, m.HouseholdID, true).Count(&attended).Error; err != nil {
			return err
		}
		var h Household
		if err := tx.Where("id = ?", m.HouseholdID).Take(&h).Error; err != nil {
			return err
		}
		switch {
		case attended >= int64(c.RequiredSessions) && h.Status == StatusEnrolled:
			if err := s.setStatus(tx, &h, []HouseholdStatus{StatusEnrolled}, StatusTrained, map[string]any{"trained_at": now}); err != nil {
				return err
			}
			if err := s.tellSocialWorker(tx, h, s.notify.CourseCompletedMail(h.Reference, h.ID, c.Title)); err != nil {
				return err
			}
		case attended < int64(c.RequiredSessions) && h.Status == StatusTrained:
			if err := s.setStatus(tx, &h, []HouseholdStatus{StatusTrained}, StatusEnrolled, map[string]any{"trained_at": nil}); err != nil {
				return err
			}
		}
		out = forViewer(a, Attendee{HouseholdID: h.ID, Reference: h.Reference, ContactName: h.ContactName, Status: h.Status, Attended: int(attended)})
		return nil
	})
	return out, err
}
