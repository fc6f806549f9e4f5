package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/inventory/hwreport"
)

// handleUnitReport attaches the report chosen on the unit page.
func (s *Server) handleUnitReport(c *gin.Context) error {
	code := c.Param("code")
	ctx := c.Request.Context()
	file, _, err := c.Request.FormFile("report")
	var res inventory.Attached
	switch {
	case err != nil:
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			err = ordi.Errorf(ordi.TooLarge, "Le rapport dépasse %d Mo.", hwreport.MaxSize>>20)
		} else {
			err = &ordi.Error{Kind: ordi.Invalid, Message: "Choisissez le fichier du rapport (sortie de lshw ou de smartctl, journal de nwipe).",
				Fields: []ordi.FieldError{{Field: "report", Message: "Choisissez le fichier du rapport (sortie de lshw ou de smartctl, journal de nwipe)."}}}
		}
	default:
		defer file.Close()
		var data []byte
		if data, err = readReport(http.MaxBytesReader(c.Writer, file, hwreport.MaxSize)); err == nil {
			res, err = limited(ctx, s.expensive, func() (inventory.Attached, error) {
				return s.cfg.Inventory.AttachReport(ctx, actor(c), code, data)
			})
		}
	}
	if err == nil {
		s.flash(c, reportSummary(res))
		return seeOther(c, "/u/"+string(res.Unit.Code)+"#rapports")
	}
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict && kind != ordi.TooLarge {
		return err
	}
	p, perr := s.unitPage(c, code)
	if perr != nil {
		return perr
	}
	p.FormFor = "report"
	p.Fields = []ordi.FieldError{{Field: "report", Message: ordi.MessageOf(err)}}
	s.render(c, statusOf[kind], "unit", p)
	return nil
}

// reportSummary says in French what a report did.
func reportSummary(a inventory.Attached) string {
	kind := map[string]string{"lshw": "lshw", "smartctl": "smartctl", "nwipe": "nwipe"}[a.Report.Kind]
	parts := []string{fmt.Sprintf("Rapport %s joint", kind)}
	if n := len(a.Drives); n > 0 {
		parts = append(parts, ordi.Plural(n, "disque", "disques"))
	}
	if n := len(a.Erasures); n > 0 {
		passed := 0
		for _, e := range a.Erasures {
			if e.Result == inventory.ErasurePassed {
				passed++
			}
		}
		parts = append(parts, ordi.Plural(n, "effacement enregistré", "effacements enregistrés")+
			fmt.Sprintf(" (%d réussi%s)", passed, map[bool]string{true: "s", false: ""}[passed > 1]))
	}
	if n := len(a.Filled); n > 0 {
		parts = append(parts, ordi.Plural(n, "champ rempli", "champs remplis"))
	}
	msg := strings.Join(parts, " : ")
	if len(parts) > 2 {
		msg = parts[0] + " : " + strings.Join(parts[1:], ", ")
	}
	if n := len(a.Conflicts); n > 0 {
		msg += ". " + ordi.Plural(n, "désaccord", "désaccords") + " avec la fiche : choisissez la bonne valeur ci-dessous"
	}
	return msg + "."
}

// handleUnitConflict settles a conflict from the unit page.
func (s *Server) handleUnitConflict(c *gin.Context) error {
	code := c.Param("code")
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return &ordi.Error{Kind: ordi.NotFound, Message: "Désaccord inconnu pour cette unité."}
	}
	u, err := s.cfg.Inventory.ResolveConflict(c.Request.Context(), actor(c), code, id, c.PostForm("choice"), formVersion(c))
	if err == nil {
		s.flash(c, "Désaccord tranché.")
		return seeOther(c, "/u/"+string(u.Code)+"#desaccords")
	}
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.unitPage(c, code)
	if perr != nil {
		return perr
	}
	p.FormFor = "conflict"
	p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	s.render(c, statusOf[kind], "unit", p)
	return nil
}
