package inventory

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
)

// MaxImportBytes is the largest CSV file accepted (5 MB).
const MaxImportBytes = 5 << 20

// maxImportErrors bounds the errors reported for one file.
const maxImportErrors = 200

// importColumns are the CSV columns, named as the API fields.
var importColumns = map[string]bool{
	"donation_id": true, "kind": true, "brand": true, "model": true, "serial_number": true, "cpu": true,
	"ram_gb": true, "storage_gb": true, "storage_kind": true, "screen_inches": true, "weight_kg": true,
	"grade": true, "os": true, "notes": true,
}

// ImportResult says how many units an import created.
type ImportResult struct {
	Created int      `json:"created"`
	Codes   []string `json:"codes"`
}

// importRow is one parsed line.
type importRow struct {
	line       int
	donationID int64
	spec       UnitSpec
}

// ImportUnits reads a donor's asset list as CSV (header row with the API
// field names, comma or semicolon, UTF-8 with or without BOM) and creates
// every unit, or none: any bad line makes an Invalid error listing each
// problem with its line (1 is the header) and field.
func (s *Service) ImportUnits(ctx context.Context, actor ordi.Actor, r io.Reader) (ImportResult, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return ImportResult{}, err
	}
	return s.importUnits(ctx, actor, 0, r)
}

// ImportDonationUnits imports a donor's asset list into one donation: the
// donation_id column may be left out, and must name this donation when given.
func (s *Service) ImportDonationUnits(ctx context.Context, actor ordi.Actor, donationID int64, r io.Reader) (ImportResult, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return ImportResult{}, err
	}
	if _, err := s.Donation(ctx, actor, donationID); err != nil {
		return ImportResult{}, err
	}
	return s.importUnits(ctx, actor, donationID, r)
}

func (s *Service) importUnits(ctx context.Context, actor ordi.Actor, donationID int64, r io.Reader) (ImportResult, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return ImportResult{}, err
	}
	if len(data) > MaxImportBytes {
		return ImportResult{}, ordi.Errorf(ordi.TooLarge, "Le fichier dépasse %d Mo.", MaxImportBytes>>20)
	}
	rows, problems := parseImport(data, donationID)
	if len(problems) == 0 {
		problems = s.checkDonations(ctx, rows)
	}
	if len(problems) > 0 {
		return ImportResult{}, importError(problems)
	}
	return s.createImported(ctx, actor, rows, nil)
}

// createImported creates the rows' units in one transaction, with extra's
// writes in it when extra is not nil: all or nothing. A clash of random unit
// codes retries the whole transaction.
func (s *Service) createImported(ctx context.Context, actor ordi.Actor, rows []importRow, extra func(tx *gorm.DB) error) (ImportResult, error) {
	// Group by donation, keeping the file's order within each.
	var order []int64
	byDonation := map[int64][]UnitSpec{}
	for _, row := range rows {
		if _, ok := byDonation[row.donationID]; !ok {
			order = append(order, row.donationID)
		}
		byDonation[row.donationID] = append(byDonation[row.donationID], row.spec)
	}
	var res ImportResult
	var err error
	for attempt := 1; ; attempt++ {
		res = ImportResult{}
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if extra != nil {
				if err := extra(tx); err != nil {
					return err
				}
			}
			txs := s.WithTx(tx)
			for _, id := range order {
				units, err := txs.insertUnits(ctx, actor, id, byDonation[id], ActionImported)
				if err != nil {
					return err
				}
				for _, u := range units {
					res.Codes = append(res.Codes, string(u.Code))
				}
			}
			return nil
		})
		if errors.Is(err, gorm.ErrDuplicatedKey) && attempt < maxCodeAttempts {
			continue
		}
		break
	}
	if err != nil {
		return ImportResult{}, err
	}
	res.Created = len(res.Codes)
	return res, nil
}

// setText sets the free-text field of the spec named as in the API (brand,
// model, serial_number, cpu, os, notes): the CSV import and the donor's
// spreadsheet read them alike.
func (sp *UnitSpec) setText(field, v string) {
	switch field {
	case "brand":
		sp.Brand = v
	case "model":
		sp.Model = v
	case "serial_number":
		sp.SerialNumber = v
	case "cpu":
		sp.CPU = v
	case "os":
		sp.OS = v
	case "notes":
		sp.Notes = v
	}
}

func importError(problems []ordi.FieldError) error {
	msg := fmt.Sprintf("Le fichier contient %s : rien n'a été importé. Corrigez-les puis renvoyez le fichier.", ordi.Plural(len(problems), "erreur", "erreurs"))
	if len(problems) == 1 {
		msg = "Le fichier contient 1 erreur : rien n'a été importé. Corrigez-la puis renvoyez le fichier."
	}
	if len(problems) > maxImportErrors {
		msg = fmt.Sprintf("Le fichier contient plus de %d erreurs (les %d premières sont listées) : rien n'a été importé.", maxImportErrors, maxImportErrors)
		problems = problems[:maxImportErrors]
	}
	return &ordi.Error{Kind: ordi.Invalid, Message: msg, Fields: problems, Extra: map[string]any{"created": 0}}
}

// checkDonations verifies that every donation named by the file exists.
func (s *Service) checkDonations(ctx context.Context, rows []importRow) []ordi.FieldError {
	ids := map[int64]bool{}
	var list []int64
	for _, r := range rows {
		if !ids[r.donationID] {
			ids[r.donationID] = true
			list = append(list, r.donationID)
		}
	}
	var found []int64
	if err := s.db.WithContext(ctx).Model(&Donation{}).Where("id IN ?", list).Pluck("id", &found).Error; err != nil {
		return []ordi.FieldError{{Line: 1, Field: "donation_id", Message: "Vérification des dons impossible."}}
	}
	exists := map[int64]bool{}
	for _, id := range found {
		exists[id] = true
	}
	var problems []ordi.FieldError
	for _, r := range rows {
		if !exists[r.donationID] {
			problems = append(problems, ordi.FieldError{Line: r.line, Field: "donation_id", Message: fmt.Sprintf("Don n° %d inconnu.", r.donationID)})
		}
	}
	return problems
}

// parseImport reads and validates every line, without the database. With a
// donation, the donation_id column is optional and must match it.
func parseImport(data []byte, donation int64) ([]importRow, []ordi.FieldError) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, []ordi.FieldError{{Line: 1, Field: "", Message: "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »."}}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 { // PostgreSQL cannot store it, and no text file holds one
		line := bytes.Count(data[:i], []byte("\n")) + 1
		return nil, []ordi.FieldError{{Line: line, Message: "Le fichier contient un caractère nul (U+0000) : ce n'est pas un fichier CSV texte."}}
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	rd := csv.NewReader(bufio.NewReader(bytes.NewReader(data)))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		rd.Comma = ';'
	}
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true

	header, err := rd.Read()
	if err == io.EOF {
		return nil, []ordi.FieldError{{Line: 1, Message: "Le fichier est vide : la première ligne doit nommer les colonnes."}}
	}
	if err != nil {
		return nil, []ordi.FieldError{{Line: 1, Message: "Ligne d'en-tête illisible : " + csvMessage(err)}}
	}
	var problems []ordi.FieldError
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		cols[i] = name
		switch {
		case name == "":
			problems = append(problems, ordi.FieldError{Line: 1, Field: fmt.Sprintf("colonne %d", i+1), Message: "Colonne sans nom."})
		case !importColumns[name]:
			problems = append(problems, ordi.FieldError{Line: 1, Field: name, Message: "Colonne inconnue."})
		case seen[name]:
			problems = append(problems, ordi.FieldError{Line: 1, Field: name, Message: "Colonne en double."})
		}
		seen[name] = true
	}
	required := []string{"donation_id", "kind"}
	if donation > 0 {
		required = required[1:]
	}
	for _, required := range required {
		if !seen[required] {
			problems = append(problems, ordi.FieldError{Line: 1, Field: required, Message: "Colonne obligatoire absente."})
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}

	var rows []importRow
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			problems = append(problems, ordi.FieldError{Line: line, Message: "Ligne illisible : " + csvMessage(err)})
			if len(problems) > maxImportErrors {
				break
			}
			continue
		}
		line, _ := rd.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(cols) {
			problems = append(problems, ordi.FieldError{Line: line, Message: fmt.Sprintf("%d valeurs pour %d colonnes.", len(rec), len(cols))})
			continue
		}
		row, rowProblems := parseRow(line, cols, rec)
		if donation == 0 && row.donationID == 0 && !hasField(rowProblems, "donation_id") {
			rowProblems = append(rowProblems, ordi.FieldError{Line: line, Field: "donation_id", Message: "Numéro de don attendu (nombre entier)."})
		}
		if donation > 0 {
			if row.donationID == 0 {
				row.donationID = donation
			} else if row.donationID != donation {
				rowProblems = append(rowProblems, ordi.FieldError{Line: line, Field: "donation_id", Message: fmt.Sprintf("Cette ligne vise le don n° %d, pas celui-ci (n° %d).", row.donationID, donation)})
			}
		}
		problems = append(problems, rowProblems...)
		if len(rowProblems) == 0 {
			rows = append(rows, row)
		}
		if len(problems) > maxImportErrors {
			break
		}
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, ordi.FieldError{Line: 2, Message: "Le fichier ne contient aucune unité."})
	}
	return rows, problems
}

func hasField(problems []ordi.FieldError, field string) bool {
	for _, p := range problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func csvMessage(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return "guillemet mal placé."
	}
	return "format CSV invalide."
}

// parseRow turns one record into a unit spec, validated as the API does.
func parseRow(line int, cols, rec []string) (importRow, []ordi.FieldError) {
	row := importRow{line: line}
	var problems []ordi.FieldError
	bad := func(field, msg string) {
		problems = append(problems, ordi.FieldError{Line: line, Field: field, Message: msg})
	}
	for i, name := range cols {
		v := strings.TrimSpace(rec[i])
		switch name {
		case "donation_id":
			if v == "" {
				continue // the caller's donation, if any; otherwise refused below
			}
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				bad(name, "Numéro de don attendu (nombre entier).")
			}
			row.donationID = id
		case "kind":
			row.spec.Kind = Kind(v)
		case "brand", "model", "serial_number", "cpu", "os", "notes":
			row.spec.setText(name, v)
		case "storage_kind":
			row.spec.StorageKind = StorageKind(strings.ToLower(v))
		case "grade":
			row.spec.Grade = Grade(v)
		case "ram_gb", "storage_gb":
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				bad(name, "Nombre entier de Go attendu.")
			}
			if name == "ram_gb" {
				row.spec.RAMGB = n
			} else {
				row.spec.StorageGB = n
			}
		case "screen_inches", "weight_kg":
			if v == "" {
				continue
			}
			// A French spreadsheet writes 15,6.
			f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if err != nil {
				bad(name, "Nombre attendu (ex. 15,6).")
				continue
			}
			if name == "screen_inches" {
				row.spec.ScreenInches = &f
			} else {
				row.spec.WeightKG = &f
			}
		}
	}
	row.spec.normalize()
	var v ordi.Validation
	row.spec.validate(&v)
	if err := v.Err(); err != nil {
		var e *ordi.Error
		errors.As(err, &e)
		for _, f := range e.Fields {
			already := false
			for _, p := range problems {
				already = already || p.Field == f.Field
			}
			if !already {
				bad(f.Field, f.Message)
			}
		}
	}
	return row, problems
}
