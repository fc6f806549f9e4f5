package allocation

import (
	"context"
	"fmt"
	"sort"

	"github.com/ordi-app/ordi"
)

// Desk is the handover desk: the active reservations grouped by their
// appointment's day relative to Today (Europe/Paris).
type Desk struct {
	Today       ordi.Date
	Due         []ReservationView // appointment today, first reserved first
	Upcoming    []ReservationView // later days, soonest first
	Unscheduled []ReservationView // no appointment yet, first reserved first
	Overdue     []ReservationView // past days, still active, oldest first
}

// HandoverDesk returns the active reservations grouped for the desk
// (staff, volunteers).
func (s *Service) HandoverDesk(ctx context.Context, a ordi.Actor) (Desk, error) {
	if err := a.Require(ordi.HandOver, "Réservé à l'équipe et aux bénévoles."); err != nil {
		return Desk{}, err
	}
	// Every active reservation holds a unit: the list stays short, and it is
	// read whole so that none falls off the desk.
	var all []ReservationView
	err := reservationViews(s.db.WithContext(ctx)).
		Where("reservations.status = ?", ReservationActive).
		Order("reservations.id").Scan(&all).Error
	if err != nil {
		return Desk{}, fmt.Errorf("handover desk: %w", err)
	}
	d := Desk{Today: s.today()}
	for _, r := range all {
		r = forRole(a, r)
		switch on := r.AppointmentOn; {
		case on == nil:
			d.Unscheduled = append(d.Unscheduled, r)
		case on.Equal(d.Today.Time):
			d.Due = append(d.Due, r)
		case on.After(d.Today):
			d.Upcoming = append(d.Upcoming, r)
		default:
			d.Overdue = append(d.Overdue, r)
		}
	}
	byDay := func(rs []ReservationView) {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].AppointmentOn.Before(*rs[j].AppointmentOn) })
	}
	byDay(d.Upcoming)
	byDay(d.Overdue)
	return d, nil
}
