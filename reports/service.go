package reports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/settings"
)

// Limits of a Bilan's filter.
const (
	MaxPeriodYears = 10
	MaxCommune     = 100
)

// Service computes the Bilan from the database.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService returns a Service reading db; now gives "today" for the
// default period.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now}
}

// period is a filter's dates as the queries need them: civil dates for DATE
// columns, and the UTC instants of Paris midnight for timestamps (from
// included, to excluded: the day after the last day).
type period struct {
	from, to      ordi.Date // both included
	fromT, untilT time.Time
}

func parisMidnight(d ordi.Date) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ordi.Paris).UTC()
}

func newPeriod(from, to ordi.Date) period {
	return period{from: from, to: to, fromT: parisMidnight(from), untilT: parisMidnight(ordi.Date{Time: to.AddDate(0, 0, 1)})}
}

// DefaultFilter is the Bilan shown before any choice: the current year so far.
func (s *Service) DefaultFilter() Filter {
	today := s.now().In(ordi.Paris)
	return Filter{From: fmt.Sprintf("%04d-01-01", today.Year()), To: today.Format(ordi.DateLayout)}
}

// scope is who the figures are for.
type scope struct {
	partnerID   int64  // families of this partner only (social workers, or the partner filter)
	partnerName string // set for a social worker: Summary.Scope
	restricted  bool   // a social worker's view: no cost figures, no targets
}

// check validates f for actor and returns its period and scope.
func (s *Service) check(ctx context.Context, a ordi.Actor, f *Filter) (period, scope, error) {
	if err := a.Require(ordi.ReadReports, "Le bilan est réservé à l'équipe, aux administrateurs et aux travailleurs sociaux."); err != nil {
		return period{}, scope{}, err
	}
	def := s.DefaultFilter()
	f.From, f.To, f.Commune = strings.TrimSpace(f.From), strings.TrimSpace(f.To), strings.TrimSpace(f.Commune)
	if f.From == "" {
		f.From = def.From
	}
	if f.To == "" {
		f.To = def.To
	}
	var v ordi.Validation
	from, err := ordi.ParseDate(f.From)
	if err != nil {
		v.Add("from", "Date de début invalide : attendu AAAA-MM-JJ, par exemple 2026-01-31.")
	}
	to, err2 := ordi.ParseDate(f.To)
	if err2 != nil {
		v.Add("to", "Date de fin invalide : attendu AAAA-MM-JJ, par exemple 2026-12-31.")
	}
	if err == nil && err2 == nil {
		switch {
		case to.Before(from):
			v.Add("to", "La fin de la période précède son début.")
		case !to.Before(ordi.Date{Time: from.AddDate(MaxPeriodYears, 0, 0)}):
			v.Addf("to", "La période ne peut dépasser %d ans.", MaxPeriodYears)
		}
	}
	if utf8.RuneCountInString(f.Commune) > MaxCommune {
		v.Addf("commune", "Le nom de la commune ne peut dépasser %d caractères.", MaxCommune)
	}
	sc := scope{partnerID: f.PartnerID}
	if a.Role == ordi.RoleSocialWorker {
		// A social worker's view is their partner's families, whatever
		// the filter says.
		if a.PartnerID == 0 {
			return period{}, scope{}, ordi.Errorf(ordi.Forbidden, "Votre compte n'est rattaché à aucun partenaire : le bilan ne peut pas vous être montré.")
		}
		sc = scope{partnerID: a.PartnerID, restricted: true}
		f.PartnerID = a.PartnerID
	}
	if sc.partnerID != 0 {
		var names []string
		if err := s.db.WithContext(ctx).Raw("SELECT name FROM partners WHERE id = ?", sc.partnerID).Scan(&names).Error; err != nil {
			return period{}, scope{}, fmt.Errorf("read partner %d: %w", sc.partnerID, err)
		}
		name := ""
		if len(names) == 0 {
			v.Add("partner_id", "Partenaire inconnu.")
		} else {
			name = names[0]
		}
		if sc.restricted {
			sc.partnerName = name
		}
	} else if f.PartnerID < 0 {
		v.Add("partner_id", "Partenaire inconnu.")
	}
	if err := v.Err(); err != nil {
		return period{}, scope{}, err
	}
	return newPeriod(from, to), sc, nil
}

// concurrently runs fns at the same time and returns the first error.
func concurrently(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// thresholdSetting is the settings document of the suppression rule.
type thresholdSetting struct {
	Threshold int `json:"threshold"`
}

const thresholdKey = "reports.suppression"

// Threshold returns the suppression threshold the admin set, or the default.
func (s *Service) Threshold(ctx context.Context) (int, error) {
	t := thresholdSetting{Threshold: DefaultThreshold}
	if _, err := settings.Load(ctx, s.db, thresholdKey, &t); err != nil {
		return 0, err
	}
	if t.Threshold < MinThreshold {
		t.Threshold = MinThreshold
	}
	return t.Threshold, nil
}

// ValidateThreshold checks a confidentiality threshold without recording
// it, so that a form can report it with its other errors in one round.
func ValidateThreshold(threshold int) error {
	if threshold < MinThreshold || threshold > MaxThreshold {
		return &ordi.Error{Kind: ordi.Invalid, Message: "Seuil invalide.", Fields: []ordi.FieldError{{Field: "threshold",
			Message: fmt.Sprintf("Le seuil va de %d à %d familles ou personnes.", MinThreshold, MaxThreshold)}}}
	}
	return nil
}

// SetThreshold changes the suppression threshold (administrators).
func (s *Service) SetThreshold(ctx context.Context, a ordi.Actor, threshold int) error {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs règlent le seuil de confidentialité."); err != nil {
		return err
	}
	if err := ValidateThreshold(threshold); err != nil {
		return err
	}
	return settings.Save(ctx, s.db, s.now(), a, thresholdKey, thresholdSetting{Threshold: threshold})
}

// Summary computes the Bilan for f as actor may see it: administrators and
// staff the whole programme; a social worker their partner's families only
// (the families and training tables), without cost figures or targets.
// Every count of families or people goes through Suppress.
func (s *Service) Summary(ctx context.Context, a ordi.Actor, f Filter) (Summary, error) {
	p, sc, err := s.check(ctx, a, &f)
	if err != nil {
		return Summary{}, err
	}
	threshold, err := s.Threshold(ctx)
	if err != nil {
		return Summary{}, err
	}
	q := &query{db: s.db.WithContext(ctx), p: p, now: s.now(), fam: familyFilter{commune: f.Commune, qpv: f.QPV, partnerID: sc.partnerID}}
	sum := Summary{Filter: f, Threshold: threshold, Scope: sc.partnerName}
	// The queries are independent: they run side by side, the ones whose
	// rows several tables share first.
	if err := concurrently(
		func() error { _, err := q.unitGroups(); return err },
		func() error { _, err := q.moveGroups(); return err },
		func() error { _, err := q.familyGroups(); return err },
	); err != nil {
		return Summary{}, err
	}
	builders := []func() (Table, error){
		q.donorsByKind, q.unitsByKind, q.status, q.erasures, q.outcomes, q.leadTimes, q.monthly,
		q.funnel, q.ineligibleReasons, q.byCommune, q.byQPV, q.byPartner, q.people, q.training,
	}
	sum.Tables = make([]Table, len(builders))
	jobs := make([]func() error, len(builders))
	for i, build := range builders {
		jobs[i] = func() error {
			t, err := build()
			if err != nil {
				return err
			}
			Suppress(&t, threshold)
			sum.Tables[i] = t
			return nil
		}
	}
	if err := concurrently(jobs...); err != nil {
		return Summary{}, err
	}
	// The FSE+ indicators, when the programme asks the FSE+ questions.
	rules := allocation.DefaultRules()
	if _, err := settings.Load(ctx, s.db, allocation.ProgrammeRulesKey, &rules); err != nil {
		return Summary{}, err
	}
	if rules.FSEQuestions {
		scope := int64(0)
		if sc.restricted {
			scope = sc.partnerID
		}
		t, err := FSEIndicators(ctx, s.db, f, scope)
		if err != nil {
			return Summary{}, err
		}
		Suppress(&t, threshold)
		sum.Tables = append(sum.Tables, t)
	}
	if !sc.restricted {
		year := p.to.Year()
		if sum.Targets, err = s.progress(ctx, year, threshold); err != nil {
			return Summary{}, err
		}
	}
	return sum, nil
}
