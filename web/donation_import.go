package web

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// importedCodesKey is the session key of the codes an import just created,
// shown once on the donation page with their labels to print.
const importedCodesKey = "imported_codes"

// maxPrintedCodes bounds the codes the donation page's "print these labels"
// form carries (its body is a page form of formBodyLimit); above it the page
// offers the whole donation's labels.
const maxPrintedCodes = 2000

// importPage is the mapping step of a donor's file: how it was read, a
// select per column, the kind values' mapping, and the first rows with
// their problems under the mapping.
type importPage struct {
	basePage
	Donation inventory.Donation
	Donor    inventory.Donor
	UploadID string
	Filename string
	Preview  inventory.ImportPreview
	Targets  []inventory.MappingTarget
	Kinds    []inventory.Kind
	Columns  []importColumn
	Values   []importValue
	Rows     []importRow
	Default  inventory.Kind
	Errors   []ordi.FieldError // the mapping's own problems, or the import's
	RowsLeft int               // rows of the file beyond the preview
	// ErrorsBeyond counts the refused rows beyond the preview.
	ErrorsBeyond int
}

// importColumn is one column of the donor's file and the field it fills.
type importColumn struct {
	Index  int
	Header string
	Field  string
}

// importValue is one value of the kind column and the kind it means.
type importValue struct {
	Index int
	Value string
	Kind  inventory.Kind
}

// importRow is a preview row: its cells, each with its problem.
type importRow struct {
	Line   int
	Cells  []importCell
	Errors []ordi.FieldError
}

type importCell struct {
	Value string
	Error bool
}

func (s *Server) importPage(c *gin.Context, donationID int64, up inventory.ImportUpload, opt inventory.ImportOptions) (*importPage, error) {
	ctx := c.Request.Context()
	d, err := s.cfg.Inventory.Donation(ctx, actor(c), donationID)
	if err != nil {
		return nil, err
	}
	donor, err := s.cfg.Inventory.Donor(ctx, actor(c), d.DonorID)
	if err != nil {
		return nil, err
	}
	prev, err := limited(ctx, s.expensive, func() (inventory.ImportPreview, error) {
		return s.cfg.Inventory.PreviewImport(ctx, actor(c), donationID, up.Data, opt)
	})
	if err != nil {
		return nil, err
	}
	p := &importPage{
		basePage: s.base(c, "Importer la liste du donateur"), Donation: d, Donor: donor, UploadID: up.ID, Filename: up.Filename,
		Preview: prev, Targets: inventory.MappingTargets, Kinds: inventory.Kinds(), Default: prev.Mapping.DefaultKind,
		Errors: prev.Problems, RowsLeft: prev.Total - len(prev.Rows),
	}
	for i, h := range prev.Header {
		p.Columns = append(p.Columns, importColumn{Index: i, Header: h, Field: prev.Mapping.Columns[h]})
	}
	for i, v := range prev.KindValues {
		p.Values = append(p.Values, importValue{Index: i, Value: v, Kind: prev.Mapping.Kinds[inventory.FoldHeader(v)]})
	}
	shown := 0
	for _, r := range prev.Rows {
		row := importRow{Line: r.Line, Errors: r.Errors}
		bad := map[string]bool{}
		for _, e := range r.Errors {
			bad[e.Field] = true
		}
		for i, h := range prev.Header {
			v := ""
			if i < len(r.Cells) {
				v = r.Cells[i]
			}
			row.Cells = append(row.Cells, importCell{Value: v, Error: bad[h] && h != ""})
		}
		p.Rows = append(p.Rows, row)
		if len(r.Errors) > 0 {
			shown++
		}
	}
	p.ErrorsBeyond = prev.RowsWithErrors - shown
	return p, nil
}

// mappingFromForm reads the mapping page's selects: col_N is the field of
// the file's column N, value_N and kind_N a kind value and its kind.
func mappingFromForm(form url.Values, header []string) inventory.ImportMapping {
	m := inventory.ImportMapping{Columns: map[string]string{}, Kinds: map[string]inventory.Kind{},
		DefaultKind: inventory.Kind(form.Get("default_kind"))}
	for i, h := range header {
		m.Columns[h] = form.Get("col_" + strconv.Itoa(i))
	}
	for i := 0; i < 1000; i++ {
		v, ok := form["value_"+strconv.Itoa(i)]
		if !ok {
			break
		}
		if k := form.Get("kind_" + strconv.Itoa(i)); k != "" && len(v) > 0 {
			m.Kinds[v[0]] = inventory.Kind(k)
		}
	}
	return m
}

// handleDonationImport keeps the file sent and leads to its mapping step.
func (s *Server) handleDonationImport(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Inventory.Donation(ctx, actor(c), id); err != nil {
		return err
	}
	file, header, err := c.Request.FormFile("file")
	var problems []ordi.FieldError
	if err != nil {
		problems = []ordi.FieldError{{Field: "file", Message: "Choisissez le fichier du donateur (.xlsx ou .csv) à importer."}}
	} else {
		defer file.Close()
		// Reading a workbook is expensive work: it takes a turn.
		upload, err := limited(ctx, s.expensive, func() (string, error) {
			return s.cfg.Inventory.HoldImport(ctx, actor(c), id, header.Filename, file)
		})
		if problems, err = invalidFields(err); err != nil {
			return err
		}
		if len(problems) == 0 {
			return seeOther(c, fmt.Sprintf("/donations/%d/import/%s", id, upload))
		}
	}
	p, err := s.donationPage(c, id)
	if err != nil {
		return err
	}
	p.Imported = problems
	s.render(c, http.StatusUnprocessableEntity, "donation", p)
	return nil
}

// handleDonationImportPage shows the mapping step of a file held for the
// signed-in user.
func (s *Server) handleDonationImportPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	up, err := s.cfg.Inventory.HeldImport(c.Request.Context(), actor(c), id, c.Param("upload"))
	if err != nil {
		return err
	}
	p, err := s.importPage(c, id, up, inventory.ImportOptions{Sheet: c.Query("sheet")})
	if err != nil {
		return s.importPageError(c, id, up, err)
	}
	s.render(c, http.StatusOK, "donation_import", p)
	return nil
}

// importPageError shows a file that no longer reads under the chosen sheet
// with its problem, on the first sheet's page.
func (s *Server) importPageError(c *gin.Context, id int64, up inventory.ImportUpload, cause error) error {
	problems, err := invalidFields(cause)
	if err != nil {
		return err
	}
	p, err := s.importPage(c, id, up, inventory.ImportOptions{})
	if err != nil {
		return err
	}
	p.Errors = problems
	s.render(c, http.StatusUnprocessableEntity, "donation_import", p)
	return nil
}

// handleDonationImportConfirm previews the file again under the mapping
// chosen (action "preview"), imports it (action "import") or forgets it
// (action "cancel").
func (s *Server) handleDonationImportConfirm(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := paramID(c)
	if err != nil {
		return err
	}
	uploadID := c.Param("upload")
	if c.PostForm("action") == "cancel" {
		if err := s.cfg.Inventory.DropImport(ctx, actor(c), id, uploadID); err != nil {
			return err
		}
		s.flash(c, "Import annulé : rien n'a été créé.")
		return seeOther(c, fmt.Sprintf("/donations/%d#import", id))
	}
	up, err := s.cfg.Inventory.HeldImport(ctx, actor(c), id, uploadID)
	if err != nil {
		return err
	}
	sheet := c.PostForm("sheet")
	sh, err := inventory.ReadSheet(up.Data, sheet)
	if err != nil {
		return s.importPageError(c, id, up, err)
	}
	if sheet != c.PostForm("shown_sheet") {
		// Another sheet was chosen: its columns are not the ones the
		// selects were about; start from its suggestion.
		p, err := s.importPage(c, id, up, inventory.ImportOptions{Sheet: sheet})
		if err != nil {
			return s.importPageError(c, id, up, err)
		}
		s.render(c, http.StatusOK, "donation_import", p)
		return nil
	}
	m := mappingFromForm(c.Request.PostForm, sh.Header)
	opt := inventory.ImportOptions{Sheet: sheet, Mapping: &m}
	if err := inventory.CheckMapping(m); err != nil {
		problems, err := invalidFields(err)
		if err != nil {
			return err
		}
		// The rows under the suggestion, the selects as staff left them,
		// and what is wrong with them.
		p, perr := s.importPage(c, id, up, inventory.ImportOptions{Sheet: sheet})
		if perr != nil {
			return perr
		}
		for i := range p.Columns {
			p.Columns[i].Field = m.Columns[p.Columns[i].Header]
		}
		for i := range p.Values {
			p.Values[i].Kind = m.Kinds[p.Values[i].Value]
		}
		p.Default = m.DefaultKind
		p.Errors = problems
		s.render(c, http.StatusUnprocessableEntity, "donation_import", p)
		return nil
	}
	if c.PostForm("action") == "import" {
		res, err := limited(ctx, s.expensive, func() (inventory.ImportResult, error) {
			return s.cfg.Inventory.ImportHeld(ctx, actor(c), id, uploadID, opt)
		})
		if err == nil {
			s.flash(c, ordi.Plural(res.Created, "unité importée", "unités importées")+". Leurs étiquettes attendent dans la file d'impression.")
			s.sessions.Put(ctx, importedCodesKey, strings.Join(res.Codes, " "))
			return seeOther(c, fmt.Sprintf("/donations/%d#importees", id))
		}
		problems, err := invalidFields(err)
		if err != nil {
			return err
		}
		p, perr := s.importPage(c, id, up, opt)
		if perr != nil {
			return perr
		}
		p.Errors = problems
		s.render(c, http.StatusUnprocessableEntity, "donation_import", p)
		return nil
	}
	p, err := s.importPage(c, id, up, opt)
	if err != nil {
		return s.importPageError(c, id, up, err)
	}
	s.render(c, http.StatusOK, "donation_import", p)
	return nil
}

// importedCodes pops the codes of the import just done, for the donation page.
func (s *Server) importedCodes(c *gin.Context) []string {
	return strings.Fields(s.sessions.PopString(c.Request.Context(), importedCodesKey))
}

// importRequest reads a donor's file and its options from an API request:
// multipart/form-data with parts file, mapping (JSON, optional) and sheet
// (optional), or the file as the whole body (Content-Type text/csv, the
// XLSX type or application/octet-stream) with ?sheet=.
func importRequest(c *gin.Context) ([]byte, inventory.ImportOptions, error) {
	var opt inventory.ImportOptions
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "multipart/form-data":
		file, _, err := c.Request.FormFile("file")
		if err != nil {
			return nil, opt, &ordi.Error{Kind: ordi.Invalid, Message: "Fichier attendu.",
				Fields: []ordi.FieldError{{Field: "file", Message: "Joignez le fichier du donateur dans la partie « file »."}}}
		}
		defer file.Close()
		data, err := io.ReadAll(file)
		if err != nil {
			return nil, opt, err
		}
		opt.Sheet = c.PostForm("sheet")
		if raw := strings.TrimSpace(c.PostForm("mapping")); raw != "" {
			var m inventory.ImportMapping
			dec := json.NewDecoder(strings.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&m); err != nil {
				return nil, opt, &ordi.Error{Kind: ordi.Invalid, Message: "Correspondance illisible.",
					Fields: []ordi.FieldError{{Field: "mapping", Message: "Objet JSON attendu : {\"columns\": {\"en-tête\": \"champ\"}, \"kinds\": {\"valeur\": \"laptop\"}, \"default_kind\": \"laptop\"} (" + jsonMessage(err) + ")"}}}
			}
			opt.Mapping = &m
		}
		return data, opt, nil
	case "text/csv", "text/plain", "application/octet-stream", xlsxType:
		// checkInput bounded the body to the route's rule.
		data, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return nil, opt, bodyError(err, bodyRule{limit: inventory.MaxImportBytes})
		}
		opt.Sheet = c.Query("sheet")
		return data, opt, nil
	}
	return nil, opt, &statusError{status: http.StatusUnsupportedMediaType,
		detail: "Envoyez le fichier en multipart/form-data (parties file, mapping, sheet), ou seul avec Content-Type: text/csv ou " + xlsxType + "."}
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *Server) handleAPIDonationImportPreview(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	data, opt, err := importRequest(c)
	if err != nil {
		return err
	}
	prev, err := limited(c.Request.Context(), s.expensive, func() (inventory.ImportPreview, error) {
		return s.cfg.Inventory.PreviewImport(c.Request.Context(), actor(c), id, data, opt)
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, prev)
	return nil
}

func (s *Server) handleAPIDonationImport(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	data, opt, err := importRequest(c)
	if err != nil {
		return err
	}
	res, err := limited(c.Request.Context(), s.expensive, func() (inventory.ImportResult, error) {
		return s.cfg.Inventory.ImportSheet(c.Request.Context(), actor(c), id, data, opt)
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, importResult{Created: res.Created, Codes: res.Codes, Errors: []ordi.FieldError{}})
	return nil
}
