package allocation

import (
	"context"
	"fmt"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// Export is everything Ordi holds about a family, for a right-of-access
// request (RGPD article 15).
type Export struct {
	ExportedAt   time.Time         `json:"exported_at"`
	Household    Household         `json:"household"`
	PartnerName  string            `json:"partner"`
	Courses      []ExportedCourse  `json:"courses"`
	Reservations []ReservationView `json:"reservations"`
	AccessLog    []audit.Entry     `json:"access_log"`
}

// ExportedCourse is a course the family attended, with its marks.
type ExportedCourse struct {
	Title    string    `json:"title"`
	Place    string    `json:"place"`
	Sessions []Session `json:"sessions"`
	Present  []*bool   `json:"present"`
}

// maxExportedAccesses bounds the access log in an export.
const maxExportedAccesses = 10_000

// ExportHousehold gathers a family's data and logs the export.
func (s *Service) ExportHousehold(ctx context.Context, a ordi.Actor, id int64) (Export, error) {
	if err := a.Require(ordi.NominateHouseholds, "L'export d'un dossier est réservé aux administrateurs et au travailleur social de la famille."); err != nil {
		return Export{}, err
	}
	h, err := s.readHousehold(ctx, a, id, AccessExport)
	if err != nil {
		return Export{}, err
	}
	db := s.db.WithContext(ctx)
	e := Export{ExportedAt: s.now(), Household: h, Courses: []ExportedCourse{}}
	var names []string
	db.Table("partners").Where("id = ?", h.PartnerID).Pluck("name", &names)
	if len(names) > 0 {
		e.PartnerName = names[0]
	}
	var courseIDs []int64
	if err := db.Table("enrollments").Where("household_id = ?", id).Pluck("course_id", &courseIDs).Error; err != nil {
		return Export{}, err
	}
	for _, cid := range courseIDs {
		var c Course
		if err := db.Where("id = ?", cid).Take(&c).Error; err != nil {
			return Export{}, fmt.Errorf("course %d: %w", cid, err)
		}
		d, err := s.courseDetail(db, c, a)
		if err != nil {
			return Export{}, err
		}
		ec := ExportedCourse{Title: d.Title, Place: d.Place, Sessions: d.Sessions}
		for _, at := range d.Attendees {
			if at.HouseholdID == id {
				ec.Present = at.Present
			}
		}
		e.Courses = append(e.Courses, ec)
	}
	// The family's own reservations, with the reasons staff gave: it has
	// the right to read them.
	if e.Reservations, err = listReservations(db, ReservationFilter{HouseholdID: id, Limit: ordi.MaxLimit}); err != nil {
		return Export{}, err
	}
	q, err := familyAccesses(db, id)
	if err != nil {
		return Export{}, err
	}
	if err := q.Order("id").Limit(maxExportedAccesses).Find(&e.AccessLog).Error; err != nil {
		return Export{}, err
	}
	return e, nil
}
