package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/reports"
	"github.com/ordi-app/ordi/reports/render"
)

// reportSource is what the Bilan's exports need of reports.Service: the
// figures for a filter, as the caller may see them.
type reportSource interface {
	Summary(ctx context.Context, a ordi.Actor, f reports.Filter) (reports.Summary, error)
}

// maxCommune is the longest commune filter accepted (issue 15).
const maxCommune = 100

// bilanFilter reads the Bilan's query (from, to, commune, qpv, partner_id),
// the same on the page, its exports and the API. It checks the syntax
// only, in French on each field; whether the period and the partner make
// sense is the reports service's to say. Without dates, the current
// calendar year in Paris.
func bilanFilter(c *gin.Context, now time.Time) (reports.Filter, error) {
	var v ordi.Validation
	year := now.In(ordi.Paris).Year()
	f := reports.Filter{
		From:    strings.TrimSpace(c.Query("from")),
		To:      strings.TrimSpace(c.Query("to")),
		Commune: strings.TrimSpace(c.Query("commune")),
	}
	if f.From == "" {
		f.From = strconv.Itoa(year) + "-01-01"
	}
	if f.To == "" {
		f.To = strconv.Itoa(year) + "-12-31"
	}
	if _, err := ordi.ParseDate(f.From); err != nil {
		v.Add("from", "Date de début invalide : utilisez le format AAAA-MM-JJ.")
	}
	if _, err := ordi.ParseDate(f.To); err != nil {
		v.Add("to", "Date de fin invalide : utilisez le format AAAA-MM-JJ.")
	}
	if len([]rune(f.Commune)) > maxCommune {
		v.Addf("commune", "Nom de commune trop long (%d caractères au plus).", maxCommune)
	}
	switch q := strings.ToLower(strings.TrimSpace(c.Query("qpv"))); q {
	case "":
	case "1", "true", "oui", "yes":
		yes := true
		f.QPV = &yes
	case "0", "false", "non", "no":
		no := false
		f.QPV = &no
	default:
		v.Add("qpv", "Quartier prioritaire : répondez oui ou non, ou laissez vide pour les deux.")
	}
	if p := strings.TrimSpace(c.Query("partner_id")); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			v.Add("partner_id", "Partenaire inconnu.")
		}
		f.PartnerID = id
	}
	return f, v.Err()
}

// bilanFormat is one export format of the Bilan.
type bilanFormat struct {
	ext, contentType string
	write            func(*bytes.Buffer, reports.Summary, render.Meta) error
	expensive        bool // drawn under the limiter of expensive work
}

var (
	bilanCSV  = bilanFormat{"csv", "text/csv; charset=utf-8", func(b *bytes.Buffer, s reports.Summary, m render.Meta) error { return render.WriteCSV(b, s, m) }, false}
	bilanXLSX = bilanFormat{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func(b *bytes.Buffer, s reports.Summary, m render.Meta) error { return render.WriteXLSX(b, s, m) }, true}
	bilanPDF  = bilanFormat{"pdf", "application/pdf", func(b *bytes.Buffer, s reports.Summary, m render.Meta) error { return render.WritePDF(b, s, m) }, true}
)

func (s *Server) handleBilanCSV(c *gin.Context) error  { return s.exportBilan(c, bilanCSV) }
func (s *Server) handleBilanXLSX(c *gin.Context) error { return s.exportBilan(c, bilanXLSX) }
func (s *Server) handleBilanPDF(c *gin.Context) error  { return s.exportBilan(c, bilanPDF) }

// exportBilan answers GET /bilan.{csv,xlsx,pdf} and
// /api/v1/reports/summary.{csv,xlsx,pdf}: the figures for the query, as
// the caller may see them (a social worker: their partner's families),
// written as a download named after the period.
func (s *Server) exportBilan(c *gin.Context, format bilanFormat) error {
	if s.reports == nil {
		return ordi.Errorf(ordi.Unavailable, "Le bilan n'est pas disponible sur ce serveur.")
	}
	now := s.now()
	f, err := bilanFilter(c, now)
	if err != nil {
		return err
	}
	ctx, a := c.Request.Context(), actor(c)
	sum, err := s.reports.Summary(ctx, a, f)
	if err != nil {
		return err
	}
	meta := render.Meta{Generated: now}
	issuer, err := s.cfg.Certificates.Issuer(ctx)
	if err != nil {
		return err
	}
	meta.Association = render.Identity{Name: issuer.Name, Address: issuer.AddressLines(), SIRET: issuer.SIRET, Phone: issuer.Phone, Email: issuer.Email, Website: issuer.Website}
	if sum.Filter.PartnerID != 0 {
		if p, err := s.cfg.Accounts.Partner(ctx, a, sum.Filter.PartnerID); err == nil {
			meta.Partner = p.Name
		}
	}
	write := func() ([]byte, error) {
		var buf bytes.Buffer
		err := format.write(&buf, sum, meta)
		return buf.Bytes(), err
	}
	var out []byte
	if format.expensive {
		out, err = limited(ctx, s.expensive, write)
	} else {
		out, err = write()
	}
	if err != nil {
		return err
	}
	name := "bilan-" + f.From + "-" + f.To + "." + format.ext
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, format.contentType, out)
	return nil
}
