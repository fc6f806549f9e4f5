package inventory

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/audit"
)

// PreviewRows is how many rows a preview shows.
const PreviewRows = 10

// UploadLifetime is how long a file sent on the donation page waits for its
// mapping to be confirmed.
const UploadLifetime = time.Hour

// ImportPreview is what a donor's file looks like under a mapping: how it
// was read, its headers, the mapping (the one given, or the suggestion), the
// distinct values of its kind column, and its first rows with each cell's
// problem.
type ImportPreview struct {
	Sheet
	Mapping    ImportMapping `json:"mapping"`
	Remembered bool          `json:"remembered"` // the suggestion starts from the donor's last mapping
	KindValues []string      `json:"kind_values"`
	Rows       []PreviewRow  `json:"rows"`
	Total      int           `json:"total_rows"`
	// RowsWithErrors counts the rows of the whole file, not only the
	// preview's, that the import would refuse under this mapping.
	RowsWithErrors int               `json:"rows_with_errors"`
	Problems       []ordi.FieldError `json:"problems"` // about the mapping itself (no kind column)
}

// PreviewRow is one row of a preview.
type PreviewRow struct {
	Line   int               `json:"line"`
	Cells  []string          `json:"cells"`
	Errors []ordi.FieldError `json:"errors"`
}

// ImportOptions choose how a donor's file is read: the sheet of a workbook
// ("" for the first) and the mapping (nil for the suggestion).
type ImportOptions struct {
	Sheet   string
	Mapping *ImportMapping
}

// donorMapping is a row of donor_import_mappings.
type donorMapping struct {
	DonorID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Mapping   string
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (donorMapping) TableName() string { return "donor_import_mappings" }

// ImportUpload is a file sent on the donation page, waiting for its mapping.
type ImportUpload struct {
	ID         string
	UserID     int64
	DonationID int64
	Filename   string
	Data       []byte
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt  time.Time
}

func (ImportUpload) TableName() string { return "import_uploads" }

// DonorMapping is the mapping last used for the donor's files, or nil.
func (s *Service) DonorMapping(ctx context.Context, actor ordi.Actor, donorID int64) (*ImportMapping, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return nil, err
	}
	var row donorMapping
	err := s.db.WithContext(ctx).Where("donor_id = ?", donorID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("donor %d mapping: %w", donorID, err)
	}
	var m ImportMapping
	if err := json.Unmarshal([]byte(row.Mapping), &m); err != nil {
		return nil, nil // a mapping that no longer reads is only a lost suggestion
	}
	return &m, nil
}

// mappingFor reads the file and settles the mapping: the one given, checked,
// or the suggestion from the donor's last mapping and the headers.
func (s *Service) mappingFor(ctx context.Context, actor ordi.Actor, d Donation, data []byte, opt ImportOptions) (Sheet, ImportMapping, bool, error) {
	if len(data) > MaxImportBytes {
		return Sheet{}, ImportMapping{}, false, ordi.Errorf(ordi.TooLarge, "Le fichier dépasse %d Mo.", MaxImportBytes>>20)
	}
	sh, err := ReadSheet(data, opt.Sheet)
	if err != nil {
		return Sheet{}, ImportMapping{}, false, err
	}
	if opt.Mapping != nil {
		if err := CheckMapping(*opt.Mapping); err != nil {
			return Sheet{}, ImportMapping{}, false, err
		}
		m := *opt.Mapping
		if m.Kinds == nil {
			m.Kinds = map[string]Kind{}
		}
		// Kind values are compared folded, whatever the caller wrote.
		folded := make(map[string]Kind, len(m.Kinds))
		for v, k := range m.Kinds {
			folded[FoldHeader(v)] = k
		}
		m.Kinds = folded
		return sh, m, false, nil
	}
	remembered, err := s.DonorMapping(ctx, actor, d.DonorID)
	if err != nil {
		return Sheet{}, ImportMapping{}, false, err
	}
	return sh, SuggestMapping(sh, remembered), remembered != nil, nil
}

// PreviewImport reads a donor's file for a donation and shows its first
// rows under the mapping. Nothing is written.
func (s *Service) PreviewImport(ctx context.Context, actor ordi.Actor, donationID int64, data []byte, opt ImportOptions) (ImportPreview, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return ImportPreview{}, err
	}
	d, err := s.Donation(ctx, actor, donationID)
	if err != nil {
		return ImportPreview{}, err
	}
	sh, m, remembered, err := s.mappingFor(ctx, actor, d, data, opt)
	if err != nil {
		return ImportPreview{}, err
	}
	_, problems, fileProblems := applyMapping(sh, m, donationID, 0)
	p := ImportPreview{Sheet: sh, Mapping: m, Remembered: remembered, KindValues: KindValues(sh, m),
		Total: len(sh.Rows), Problems: fileProblems}
	for _, rp := range problems {
		if len(rp) > 0 {
			p.RowsWithErrors++
		}
	}
	if len(problems) > PreviewRows {
		problems = problems[:PreviewRows]
	}
	p.Rows = make([]PreviewRow, len(problems))
	if p.KindValues == nil {
		p.KindValues = []string{}
	}
	if p.Problems == nil {
		p.Problems = []ordi.FieldError{}
	}
	for i := range problems {
		p.Rows[i] = PreviewRow{Line: sh.Rows[i].Line, Cells: sh.Rows[i].Cells, Errors: problems[i]}
		if p.Rows[i].Errors == nil {
			p.Rows[i].Errors = []ordi.FieldError{}
		}
	}
	p.Sheet.Rows = nil
	return p, nil
}

// ImportSheet imports a donor's file (CSV or XLSX, the donor's own columns)
// into a donation under the mapping: every row or none. On success the
// mapping is remembered for the donor. Each problem names the line as the
// donor's program counts it and the donor's column.
func (s *Service) ImportSheet(ctx context.Context, actor ordi.Actor, donationID int64, data []byte, opt ImportOptions) (ImportResult, error) {
	return s.importSheet(ctx, actor, donationID, data, opt, nil)
}

func (s *Service) importSheet(ctx context.Context, actor ordi.Actor, donationID int64, data []byte, opt ImportOptions, claim func(tx *gorm.DB) error) (ImportResult, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return ImportResult{}, err
	}
	d, err := s.Donation(ctx, actor, donationID)
	if err != nil {
		return ImportResult{}, err
	}
	sh, m, _, err := s.mappingFor(ctx, actor, d, data, opt)
	if err != nil {
		return ImportResult{}, err
	}
	rows, rowProblems, problems := applyMapping(sh, m, donationID, 0)
	for _, p := range rowProblems {
		problems = append(problems, p...)
	}
	if len(problems) > 0 {
		return ImportResult{}, importError(problems)
	}
	stored, err := json.Marshal(m)
	if err != nil {
		return ImportResult{}, err
	}
	return s.createImported(ctx, actor, rows, func(tx *gorm.DB) error {
		if claim != nil {
			if err := claim(tx); err != nil {
				return err
			}
		}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "donor_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"mapping", "updated_at"})}).
			Create(&donorMapping{DonorID: d.DonorID, Mapping: string(stored), UpdatedAt: s.now()}).Error
		if err != nil {
			return fmt.Errorf("remember donor %d mapping: %w", d.DonorID, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "donation.import", "donation", donationID,
			fmt.Sprintf("%s, %s", sh.Format, ordi.Plural(len(rows), "unité", "unités")))
	})
}

// HoldImport keeps a file sent on the donation page for its mapping step and
// returns its id. The file's name, as the browser sent it, is kept as valid
// text (PostgreSQL refuses other bytes). The file must read (else Invalid, nothing kept). Expired
// files of every user are removed on the way.
func (s *Service) HoldImport(ctx context.Context, actor ordi.Actor, donationID int64, filename string, r io.Reader) (string, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return "", err
	}
	if actor.UserID == 0 {
		return "", ordi.Errorf(ordi.Forbidden, "Seul un utilisateur connecté peut déposer un fichier.")
	}
	if _, err := s.Donation(ctx, actor, donationID); err != nil {
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return "", err
	}
	if len(data) > MaxImportBytes {
		return "", ordi.Errorf(ordi.TooLarge, "Le fichier dépasse %d Mo.", MaxImportBytes>>20)
	}
	if _, err := ReadSheet(data, ""); err != nil {
		return "", err
	}
	var raw [15]byte
	if _, err := io.ReadFull(s.rand, raw[:]); err != nil {
		return "", err
	}
	now := s.now()
	up := ImportUpload{ID: base32.StdEncoding.EncodeToString(raw[:]), UserID: actor.UserID, DonationID: donationID,
		Filename: truncate(strings.ReplaceAll(strings.ToValidUTF8(filename, ""), "\x00", ""), 200), Data: data, CreatedAt: now, ExpiresAt: now.Add(UploadLifetime)}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at <= ?", now).Delete(&ImportUpload{}).Error; err != nil {
			return fmt.Errorf("remove expired uploads: %w", err)
		}
		return tx.Create(&up).Error
	})
	if err != nil {
		return "", fmt.Errorf("hold upload: %w", err)
	}
	return up.ID, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

var errUploadGone = ordi.Errorf(ordi.NotFound, "Ce fichier n'est plus disponible (déjà importé, ou envoyé il y a plus d'une heure) : renvoyez-le.")

// HeldImport is a file the actor sent for the donation and has not imported,
// while it has not expired; anybody else's, or an expired one, is NotFound.
func (s *Service) HeldImport(ctx context.Context, actor ordi.Actor, donationID int64, id string) (ImportUpload, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return ImportUpload{}, err
	}
	var up ImportUpload
	err := s.db.WithContext(ctx).
		Where("id = ? AND user_id = ? AND donation_id = ? AND expires_at > ?", id, actor.UserID, donationID, s.now()).
		Take(&up).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ImportUpload{}, errUploadGone
	}
	if err != nil {
		return ImportUpload{}, fmt.Errorf("upload %s: %w", id, err)
	}
	return up, nil
}

// ImportHeld imports a held file under the mapping, and removes it in the
// same transaction: a second confirmation (a double tap, two tabs) finds it
// gone and imports nothing.
func (s *Service) ImportHeld(ctx context.Context, actor ordi.Actor, donationID int64, id string, opt ImportOptions) (ImportResult, error) {
	up, err := s.HeldImport(ctx, actor, donationID, id)
	if err != nil {
		return ImportResult{}, err
	}
	return s.importSheet(ctx, actor, donationID, up.Data, opt, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND user_id = ?", id, actor.UserID).Delete(&ImportUpload{})
		if res.Error != nil {
			return fmt.Errorf("claim upload %s: %w", id, res.Error)
		}
		if res.RowsAffected != 1 {
			return errUploadGone
		}
		return nil
	})
}

// DropImport forgets a held file (the "Annuler" of the mapping page).
func (s *Service) DropImport(ctx context.Context, actor ordi.Actor, donationID int64, id string) error {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Where("id = ? AND user_id = ? AND donation_id = ?", id, actor.UserID, donationID).Delete(&ImportUpload{}).Error
	if err != nil {
		return fmt.Errorf("drop upload %s: %w", id, err)
	}
	return nil
}
