package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/settings"
)

// Targets are the goals the admin sets for one calendar year; a zero goal
// is no goal.
type Targets struct {
	Year             int     `json:"year"`
	FamiliesEquipped float64 `json:"families_equipped"`
	QPVShare         float64 `json:"qpv_share"` // percent of the families equipped
	UnitsReused      float64 `json:"units_reused"`
	KgDiverted       float64 `json:"kg_diverted"`
	TrainingHours    float64 `json:"training_hours"`
}

// Limits of a target.
const (
	MinTargetYear = 2000
	MaxTargetYear = 2100
	MaxGoal       = 10_000_000
)

const targetsKey = "reports.targets"

// Validate checks a year's targets, with French messages per field.
func (t Targets) Validate() error {
	var v ordi.Validation
	if t.Year < MinTargetYear || t.Year > MaxTargetYear {
		v.Addf("year", "L'année va de %d à %d.", MinTargetYear, MaxTargetYear)
	}
	for _, f := range []struct {
		field string
		x     float64
		whole bool
	}{{"families_equipped", t.FamiliesEquipped, true}, {"units_reused", t.UnitsReused, true}, {"kg_diverted", t.KgDiverted, false}, {"training_hours", t.TrainingHours, false}} {
		switch {
		case math.IsNaN(f.x) || f.x < 0 || f.x > MaxGoal:
			v.Addf(f.field, "Donnez un objectif entre 0 et %d.", MaxGoal)
		case f.whole && f.x != math.Trunc(f.x):
			v.Add(f.field, "Donnez un nombre entier.")
		}
	}
	if math.IsNaN(t.QPVShare) || t.QPVShare < 0 || t.QPVShare > 100 {
		v.Add("qpv_share", "La part en QPV est un pourcentage, de 0 à 100.")
	}
	return v.Err()
}

func (s *Service) loadTargets(ctx context.Context) (map[string]Targets, error) {
	m := map[string]Targets{}
	if _, err := settings.Load(ctx, s.db, targetsKey, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// Targets lists the targets of every year that has some, oldest first
// (administrators and staff).
func (s *Service) Targets(ctx context.Context, a ordi.Actor) ([]Targets, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return nil, ordi.Errorf(ordi.Forbidden, "Les objectifs sont lus par l'équipe et les administrateurs.")
	}
	m, err := s.loadTargets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Targets, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// SetTargets stores one year's targets (administrators); all zero removes
// the year.
func (s *Service) SetTargets(ctx context.Context, a ordi.Actor, t Targets) error {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs fixent les objectifs."); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	m, err := s.loadTargets(ctx)
	if err != nil {
		return err
	}
	key := strconv.Itoa(t.Year)
	if t == (Targets{Year: t.Year}) {
		delete(m, key)
	} else {
		m[key] = t
	}
	return settings.Save(ctx, s.db, s.now(), a, targetsKey, m)
}

// Progress returns the progress of the current year's targets, for the
// home pages of administrators and staff; none when no target is set.
func (s *Service) Progress(ctx context.Context, a ordi.Actor) ([]Target, error) {
	if !a.Is(ordi.RoleAdmin, ordi.RoleStaff) {
		return nil, ordi.Errorf(ordi.Forbidden, "Les objectifs sont lus par l'équipe et les administrateurs.")
	}
	threshold, err := s.Threshold(ctx)
	if err != nil {
		return nil, err
	}
	return s.progress(ctx, s.now().In(ordi.Paris).Year(), threshold)
}

// progress measures the year's figures against its targets, over the whole
// programme and the whole calendar year.
func (s *Service) progress(ctx context.Context, year, threshold int) ([]Target, error) {
	m, err := s.loadTargets(ctx)
	if err != nil {
		return nil, err
	}
	goal, ok := m[strconv.Itoa(year)]
	if !ok {
		return nil, nil
	}
	jan1, _ := ordi.ParseDate(fmt.Sprintf("%04d-01-01", year))
	dec31, _ := ordi.ParseDate(fmt.Sprintf("%04d-12-31", year))
	q := &query{db: s.db.WithContext(ctx), p: newPeriod(jan1, dec31), now: s.now()}
	fam, err := q.byQPV()
	if err != nil {
		return nil, err
	}
	qpvEquipped, _ := fam.Cell("qpv", "equipped")
	allEquipped, _ := fam.Cell(TotalKey, "equipped")
	out, err := q.outcomes()
	if err != nil {
		return nil, err
	}
	reused, _ := out.Cell("reused", "units")
	kg, _ := out.Cell(TotalKey, "kg")
	_, _, hours, estimate, err := q.sessionHours()
	if err != nil {
		return nil, err
	}
	small := func(x float64) bool { return x >= 1 && x < float64(threshold) }
	equipped := Cell{Value: allEquipped.Value}
	if small(equipped.Value) {
		equipped = Cell{Suppressed: true}
	}
	share := Cell{Empty: true}
	switch {
	case small(qpvEquipped.Value) || small(allEquipped.Value-qpvEquipped.Value) || equipped.Suppressed:
		share = Cell{Suppressed: true}
	case allEquipped.Value > 0:
		share = Cell{Value: math.Round(qpvEquipped.Value/allEquipped.Value*1000) / 10}
	}
	var targets []Target
	for _, t := range []Target{
		{Key: "families_equipped", Label: "Familles équipées", Measure: Families, Goal: goal.FamiliesEquipped, Done: equipped},
		{Key: "qpv_share", Label: "dont en QPV (%)", Measure: Percent, Goal: goal.QPVShare, Done: share},
		{Key: "units_reused", Label: "Unités réemployées", Measure: Units, Goal: goal.UnitsReused, Done: reused},
		{Key: "kg_diverted", Label: "Kg détournés de la décharge", Measure: Kg, Goal: goal.KgDiverted, Done: kg},
		{Key: "training_hours", Label: "Heures de formation", Measure: Hours, Goal: goal.TrainingHours, Done: Cell{Value: math.Round(hours*10) / 10, Estimate: estimate}},
	} {
		if t.Goal > 0 {
			targets = append(targets, t)
		}
	}
	return targets, nil
}

// Percent returns how far Done is towards Goal, 0–100 (capped), for a
// progress bar; 0 when Done is hidden or empty.
func (t Target) Percent() float64 {
	if t.Goal <= 0 || t.Done.Suppressed || t.Done.Empty {
		return 0
	}
	return math.Min(100, math.Round(t.Done.Value/t.Goal*100))
}
