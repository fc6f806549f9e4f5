package allocation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ordi-app/ordi"
)

// foldedName is the families' contact name folded in SQL, the form searches
// compare (ordi.Fold).
var foldedName = ordi.FoldSQL("households.contact_name")

// maxSearchWords bounds the words of a search, each a test on every row.
const maxSearchWords = 8

// maxDuplicateCandidates bounds the files a duplicate check reads.
const maxDuplicateCandidates = 50

// Duplicates are the files that look like the family being nominated: the
// same contact name (whatever the case, accents, hyphens and word order) and
// the same phone number (its digits, "+33 6…" as "06…").
//
// What it may reveal: a social worker sees only their structure's families.
// A look-alike file of theirs is named (Visible), so they can open it; one
// of another structure is only counted (Elsewhere), never named, nor its
// structure, its status or its date. The social worker has typed the name
// and phone of a family in front of them, with its consent: learning that
// this person is already known to the programme is what the family itself
// can tell them, and what the one-unit rule would tell the staff anyway; the
// warning tells them no more than that.
type Duplicates struct {
	Visible   []string // references the actor may open
	Elsewhere int      // look-alike files the actor may not see
}

// Any reports whether a look-alike file exists.
func (d Duplicates) Any() bool { return len(d.Visible) > 0 || d.Elsewhere > 0 }

// Message says it in French, naming only what the actor may see.
func (d Duplicates) Message() string {
	const check = " Vérifiez avec la famille qu'elle n'est pas déjà orientée ; si c'est bien une autre famille, confirmez pour l'orienter."
	switch {
	case len(d.Visible) == 1 && d.Elsewhere == 0:
		return "Une famille de même nom et même téléphone a déjà un dossier : " + d.Visible[0] + "." + check
	case len(d.Visible) > 0:
		return "Des familles de même nom et même téléphone ont déjà un dossier, dont " + strings.Join(d.Visible, ", ") + "." + check
	default:
		return "Une famille de même nom et même téléphone est déjà connue du programme (un dossier que vous ne pouvez pas consulter)." + check
	}
}

// personKey compares contact names regardless of case, accents, hyphens,
// spacing and word order.
func personKey(name string) string {
	words := strings.Fields(ordi.Fold(strings.ReplaceAll(name, "-", " ")))
	slices.Sort(words)
	return strings.Join(words, " ")
}

// findDuplicates returns the look-alike files of a nomination, erased files
// excepted (nothing recognisable is left of them). Without a phone number
// or a name nothing is looked for: a name alone is too common.
func (s *Service) findDuplicates(ctx context.Context, a ordi.Actor, name, phone string) (Duplicates, error) {
	pk, nk := phoneKey(phone), personKey(name)
	if pk == "" || nk == "" {
		return Duplicates{}, nil
	}
	q := s.db.WithContext(ctx).Model(&Household{}).Select("id, reference, contact_name, phone, partner_id").Where("erased_at IS NULL")
	for _, w := range ordi.SearchWords(strings.ReplaceAll(name, "-", " "), maxSearchWords) {
		q = q.Where(foldedName+" LIKE ? ESCAPE '\\'", "%"+escapeLike(w)+"%")
	}
	var rows []Household
	if err := q.Order("id").Limit(maxDuplicateCandidates).Find(&rows).Error; err != nil {
		return Duplicates{}, fmt.Errorf("look-alike households: %w", err)
	}
	var d Duplicates
	for _, o := range rows {
		if phoneKey(o.Phone) != pk || personKey(o.ContactName) != nk {
			continue
		}
		if a.Is(ordi.RoleAdmin, ordi.RoleStaff) || a.Is(ordi.RoleSocialWorker) && a.PartnerID > 0 && o.PartnerID == a.PartnerID {
			d.Visible = append(d.Visible, o.Reference)
		} else {
			d.Elsewhere++
		}
	}
	return d, nil
}
