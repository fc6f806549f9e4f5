package certificates

import (
	"fmt"
	"io"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/pdfdoc"
)

// AttendanceSheet is a course's sign-in sheet (feuille d'émargement).
type AttendanceSheet struct {
	PrintedAt time.Time
	Issuer    Issuer
	Title     string
	Place     string
	Trainer   string
	Sessions  []ordi.Date
	// Times[i], when given, is the times of session i+1 as printed
	// ("14 h 00 – 16 h 00"); a session without them gets blanks to fill.
	Times    []string
	Required int
	Rows     []AttendanceRow
}

// AttendanceRow is one family of the sheet.
type AttendanceRow struct {
	Reference string
	Name      string
}

// RenderAttendance writes the sign-in sheet, landscape: one column per
// session with its date and room to write its times, an empty box per
// family and session to sign in, and a last row for the trainer's
// signature. Nothing is pre-printed in the boxes: the sheet proves who
// signed, not what was typed.
func RenderAttendance(w io.Writer, s AttendanceSheet) error {
	if len(s.Sessions) == 0 {
		var v ordi.Validation
		v.Add("sessions", "La formation n'a pas de séance.")
		return v.Err()
	}
	d := newDoc(pdfdoc.Options{Orientation: "L", Created: s.PrintedAt, Title: "Feuille d'émargement : " + s.Title,
		Subject: "Émargement des familles aux séances de la formation « " + s.Title + " »"}, s.Issuer, "Feuille d'émargement", "")
	d.AddPage()
	d.header()
	sub := s.Title
	if s.Place != "" {
		sub += " · " + s.Place
	}
	if s.Trainer != "" {
		sub += " · formateur : " + s.Trainer
	}
	d.heading("Feuille d'émargement", sub+fmt.Sprintf(" · %s à suivre sur %d", ordi.Plural(s.Required, "séance", "séances"), len(s.Sessions)))
	first := 70.0
	each := (d.w - first) / float64(len(s.Sessions))
	cols := []column{{"Famille (référence) et signataire", first, "L"}}
	for i, dt := range s.Sessions {
		times := "de ….. h ….. à ….. h ….."
		if i < len(s.Times) && s.Times[i] != "" {
			times = s.Times[i]
		}
		cols = append(cols, column{fmt.Sprintf("Séance %d · %s\n%s", i+1, dt.French(), times), each, "C"})
	}
	blank := make([]string, len(s.Sessions))
	for i := range blank {
		blank[i] = "\n\n "
	}
	var rows [][]string
	for _, r := range s.Rows {
		rows = append(rows, append([]string{r.Reference + "\n" + r.Name + "\n "}, blank...))
	}
	trainer := "Signature du formateur"
	if s.Trainer != "" {
		trainer += "\n" + s.Trainer
	}
	rows = append(rows, append([]string{trainer + "\n "}, blank...))
	if len(s.Rows) == 0 {
		d.paragraph("Aucune famille inscrite.", 9)
	}
	d.table(cols, rows, 9)
	d.SetFont(pdfdoc.Font, "", 8)
	d.SetTextColor(greyText, greyText, greyText)
	d.MultiCell(d.w, 4, "Chaque personne présente signe dans la case de la séance ; le formateur indique les horaires de la séance s'ils manquent et signe en bas de sa colonne. Document édité le "+longDate(s.PrintedAt)+" pour les financeurs du programme.", "", "L", false)
	return d.output(w)
}
