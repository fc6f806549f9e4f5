package allocation

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/settings"
)

// programmeRulesKey is where the rules live in the settings table.
const programmeRulesKey = "programme.rules"

// Rules returns the programme rules, or the defaults when none were saved.
func (s *Service) Rules(ctx context.Context) (Rules, error) {
	r := DefaultRules()
	if _, err := settings.Load(ctx, s.db, programmeRulesKey, &r); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// SetRules saves the programme rules (administrators).
func (s *Service) SetRules(ctx context.Context, a ordi.Actor, r Rules) (Rules, error) {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs règlent le programme."); err != nil {
		return Rules{}, err
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, settings.Save(ctx, s.db, s.now(), a, programmeRulesKey, r)
}

// Checklist evaluates a family against the programme rules, for staff.
func (s *Service) Checklist(ctx context.Context, h Household) (Checklist, error) {
	r, err := s.Rules(ctx)
	if err != nil {
		return Checklist{}, err
	}
	f := Facts{QPV: h.QPV, IncomeBracket: h.IncomeBracket, HasComputer: h.HasComputer}
	if r.OneUnitPerHousehold {
		ref, err := s.equippedAs(ctx, h)
		if err != nil {
			return Checklist{}, err
		}
		f.AlreadyEquipped = ref != ""
		if ref != h.Reference {
			f.EquippedAs = ref
		}
	}
	return r.Evaluate(f), nil
}

// equippedAs returns the reference of a file, this one or another, under
// which the family already received a computer: the same file, or an
// equipped one with the same phone number or the same name in the same
// commune (a family nominated again by another partner, or a year later).
func (s *Service) equippedAs(ctx context.Context, h Household) (string, error) {
	var others []Household
	err := s.db.WithContext(ctx).Select("id, reference, contact_name, phone, commune").
		Where("(status = ? OR id = ?)", StatusEquipped, h.ID).
		Where("id IN (SELECT household_id FROM reservations WHERE status = ?)", ReservationHandedOver).
		Where("erased_at IS NULL"). // an erased family is no longer recognisable
		Find(&others).Error
	if err != nil {
		return "", fmt.Errorf("equipped households: %w", err)
	}
	phone, name, commune := phoneKey(h.Phone), nameKey(h.ContactName), nameKey(h.Commune)
	for _, o := range others {
		switch {
		case o.ID == h.ID,
			phone != "" && phoneKey(o.Phone) == phone,
			name != "" && nameKey(o.ContactName) == name && nameKey(o.Commune) == commune:
			return o.Reference, nil
		}
	}
	return "", nil
}

// phoneKey is a phone number's digits in national form ("+33 6 12…" and
// "06 12…" match); too short a number matches nothing.
func phoneKey(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "33") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) < 9 {
		return ""
	}
	return d
}

// nameKey compares names regardless of case, accents and spacing.
func nameKey(n string) string {
	n = strings.ToLower(strings.Join(strings.Fields(n), " "))
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ä", "a", "î", "i", "ï", "i",
		"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "œ", "oe", "æ", "ae", "-", " ").Replace(n)
}
