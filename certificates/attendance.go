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
	Required  int
	Rows      []AttendanceRow
}

// AttendanceRow is one family of the sheet.
type AttendanceRow struct {
	Reference string
	Name      string
	Marks     []*bool // per session: present, absent, or not taken
}

// RenderAttendance writes the sign-in sheet, landscape, one column per
// session with the mark taken and room to sign.
func RenderAttendance(w io.Writer, s AttendanceSheet) error {
	if len(s.Sessions) == 0 {
		var v ordi.Validation
		v.Add("sessions", "La formation n'a pas de séance.")
		return v.Err()
	}
	d := newDoc(pdfdoc.Options{Orientation: "L", Created: s.PrintedAt, Title: "Feuille d'émargement"}, s.Issuer, "Feuille d'émargement", "")
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
		cols = append(cols, column{fmt.Sprintf("Séance %d\n%s", i+1, dt.French()), each, "C"})
	}
	var rows [][]string
	for _, r := range s.Rows {
		row := []string{r.Reference + "\n" + r.Name + "\n "}
		for i := range s.Sessions {
			mark := "\n\n "
			if i < len(r.Marks) && r.Marks[i] != nil {
				if *r.Marks[i] {
					mark = "présent\n\n "
				} else {
					mark = "absent\n\n "
				}
			}
			row = append(row, mark)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		d.paragraph("Aucune famille inscrite.", 9)
	} else {
		d.table(cols, rows, 9)
	}
	d.SetFont(pdfdoc.Font, "", 8)
	d.SetTextColor(greyText, greyText, greyText)
	d.MultiCell(d.w, 4, "Chaque personne présente signe dans la case de la séance. Document édité le "+longDate(s.PrintedAt)+" pour les financeurs du programme.", "", "L", false)
	return d.output(w)
}
