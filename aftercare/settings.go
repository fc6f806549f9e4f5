package aftercare

import (
	"context"
	"net/url"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/settings"
)

// Settings are what the public page of a handed-over unit says besides the
// association's identity: a help text, the opening hours, help links and
// the warranty's length.
type Settings struct {
	HelpText       string `json:"help_text"`
	Hours          string `json:"hours"`
	Links          []Link `json:"links"`
	WarrantyMonths int    `json:"warranty_months"`
}

// Link is a help link of the public page.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// DefaultWarrantyMonths is the warranty until an administrator sets one.
const DefaultWarrantyMonths = 6

// Bounds of the settings.
const (
	maxHelpText = 2000
	maxHours    = 500
	maxLinks    = 10
	maxLinkText = 200
)

// DefaultSettings are the settings until an administrator saves some.
func DefaultSettings() Settings {
	return Settings{WarrantyMonths: DefaultWarrantyMonths,
		HelpText: "Un problème avec cet ordinateur ? Appelez-nous ou passez nous voir : nous vous aiderons."}
}

// Validate checks and trims the settings.
func (st *Settings) Validate() error {
	var v ordi.Validation
	st.HelpText, st.Hours = strings.TrimSpace(st.HelpText), strings.TrimSpace(st.Hours)
	if len([]rune(st.HelpText)) > maxHelpText {
		v.Addf("help_text", "Texte d'aide trop long (%d caractères au plus).", maxHelpText)
	}
	if len([]rune(st.Hours)) > maxHours {
		v.Addf("hours", "Horaires trop longs (%d caractères au plus).", maxHours)
	}
	if st.WarrantyMonths < 0 || st.WarrantyMonths > 60 {
		v.Add("warranty_months", "La garantie se compte entre 0 et 60 mois.")
	}
	if len(st.Links) > maxLinks {
		v.Addf("links", "%d liens au plus.", maxLinks)
	}
	for i := range st.Links {
		l := &st.Links[i]
		l.Label, l.URL = strings.TrimSpace(l.Label), strings.TrimSpace(l.URL)
		u, err := url.Parse(l.URL)
		switch {
		case l.Label == "" || len([]rune(l.Label)) > maxLinkText:
			v.Addf("links", "Ligne %d : le libellé du lien est obligatoire (%d caractères au plus).", i+1, maxLinkText)
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(l.URL) > maxLinkText:
			v.Addf("links", "Ligne %d : l'adresse doit commencer par https:// (%d caractères au plus).", i+1, maxLinkText)
		}
	}
	return v.Err()
}

const settingsKey = "aftercare.public_page"

// Settings returns the settings of the public page, or the defaults. Anybody
// may read them: they are what the public page shows.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	st := DefaultSettings()
	if _, err := settings.Load(ctx, s.db, settingsKey, &st); err != nil {
		return Settings{}, err
	}
	return st, nil
}

// SetSettings saves the settings (administrators).
func (s *Service) SetSettings(ctx context.Context, a ordi.Actor, st Settings) (Settings, error) {
	if err := a.Require(ordi.Administer, "Seuls les administrateurs modifient la page publique des ordinateurs remis."); err != nil {
		return Settings{}, err
	}
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	return st, settings.Save(ctx, s.db, s.now(), a, settingsKey, st)
}
