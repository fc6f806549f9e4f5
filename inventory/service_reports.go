package inventory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory/hwreport"
)

// Drive is one physical storage device of a unit, as the tools reported it.
// A drive's serial (trimmed, upper case) belongs to one unit only: the
// database refuses a second row with it.
type Drive struct {
	ID            int64     `json:"id"`
	UnitID        int64     `json:"-"`
	Model         string    `json:"model"`
	Serial        string    `json:"serial"`
	CapacityBytes int64     `json:"capacity_bytes"`
	Kind          string    `json:"kind"` // hdd, ssd, nvme, emmc; "" when no report said
	PowerOnHours  *int64    `json:"power_on_hours"`
	SmartPassed   *bool     `json:"smart_passed"`
	Reallocated   *int64    `json:"reallocated_sectors"`
	Pending       *int64    `json:"pending_sectors"`
	ReportID      *int64    `json:"report_id"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// TableName tells GORM where drives live.
func (Drive) TableName() string { return "unit_drives" }

// CapacityLabel is the capacity in decimal gigabytes, as drives are sold
// ("500 Go"), or "" when unknown.
func (d Drive) CapacityLabel() string {
	if d.CapacityBytes <= 0 {
		return ""
	}
	return strconv.FormatInt(gbOf(d.CapacityBytes), 10) + " Go"
}

// Health is "passed" or "failed" as the drive's SMART self-assessment
// says, "" when no report said.
func (d Drive) Health() string {
	switch {
	case d.SmartPassed == nil:
		return ""
	case *d.SmartPassed:
		return "passed"
	}
	return "failed"
}

// KindLabel is the drive's kind in French, or "" when unknown.
func (d Drive) KindLabel() string {
	if d.Kind == "" {
		return ""
	}
	return StorageKind(d.Kind).Label()
}

// Report is a tool's output attached to a unit, kept as it was sent.
type Report struct {
	ID             int64     `json:"id"`
	UnitID         int64     `json:"-"`
	Kind           string    `json:"kind"`
	Tool           string    `json:"tool"`
	SHA256         string    `json:"sha256" gorm:"column:sha256"`
	SizeBytes      int       `json:"size_bytes"`
	Content        []byte    `json:"-"`
	UploadedByID   *int64    `json:"-"`
	UploadedByName string    `json:"uploaded_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// TableName tells GORM where reports live.
func (Report) TableName() string { return "unit_reports" }

// FileName is the name a downloaded report gets.
func (r Report) FileName(code Code) string {
	ext := ".json"
	if r.Kind == string(hwreport.KindNwipe) {
		ext = ".log"
	}
	return fmt.Sprintf("%s-%s-%d%s", code, r.Kind, r.ID, ext)
}

// ReportConflict is a field of the unit that a report disagrees with. The
// typed value stays until staff choose.
type ReportConflict struct {
	ID            int64      `json:"id"`
	UnitID        int64      `json:"-"`
	ReportID      int64      `json:"report_id"`
	Field         string     `json:"field"`
	CurrentValue  string     `json:"current"`
	ReportedValue string     `json:"reported"`
	Resolution    string     `json:"resolution,omitempty"` // "", kept, reported
	ResolvedBy    string     `json:"resolved_by,omitempty"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// TableName tells GORM where conflicts live.
func (ReportConflict) TableName() string { return "unit_report_conflicts" }

// FieldLabel is the field's name in French.
func (c ReportConflict) FieldLabel() string {
	if l, ok := conflictFieldLabels[c.Field]; ok {
		return l
	}
	return c.Field
}

// CurrentShown and ReportedShown are the two values as a person reads them.
func (c ReportConflict) CurrentShown() string  { return shownValue(c.Field, c.CurrentValue) }
func (c ReportConflict) ReportedShown() string { return shownValue(c.Field, c.ReportedValue) }

func shownValue(field, v string) string {
	switch {
	case v == "":
		return "—"
	case field == "storage_kind":
		return StorageKind(v).Label()
	case field == "ram_gb" || field == "storage_gb":
		return v + " Go"
	}
	return v
}

var conflictFieldLabels = map[string]string{
	"brand": "Marque", "model": "Modèle", "serial_number": "N° de série", "cpu": "Processeur",
	"ram_gb": "Mémoire vive", "storage_gb": "Stockage", "storage_kind": "Type de stockage",
}

// Attached is what attaching a report did.
type Attached struct {
	Report    Report           `json:"report"`
	Unit      Unit             `json:"unit"`
	Drives    []Drive          `json:"drives"`
	Erasures  []Erasure        `json:"erasures"`
	Conflicts []ReportConflict `json:"conflicts"`
	// Filled names the unit's fields that were empty and took the report's value.
	Filled []string `json:"filled"`
}

// short cuts a text read from a report to what a typed one may hold
// (maxShortText characters): firmware strings are short, a crafted report's
// need not be.
func short(s string) string {
	if utf8.RuneCountInString(s) <= maxShortText {
		return s
	}
	return string([]rune(s)[:maxShortText])
}

// gbOf is a capacity in decimal gigabytes, rounded.
func gbOf(bytes int64) int64 { return int64(math.Round(float64(bytes) / 1e9)) }

// AttachReport reads a tool's report (lshw, smartctl or nwipe, recognised
// from its content) and attaches it to the unit in one transaction: the file
// is kept with its SHA-256, the drives are created or completed, nwipe's
// erasures are recorded against their drive, empty fields of the unit are
// filled and fields already typed that the report contradicts become
// conflicts for staff to settle; the upload is in the unit's history. A
// machine or drive serial that belongs to another unit, or a unit handed
// over or recycled, is a Conflict naming it, and nothing is attached. The
// same file sent again to the same unit is a Conflict carrying its sha256
// and report_id (a unique index settles two sent at once): a workbench
// that sends a bundle twice attaches it once. A workbench may attach
// (ordi.Intake).
func (s *Service) AttachReport(ctx context.Context, actor ordi.Actor, code string, data []byte) (Attached, error) {
	if err := actor.Require(ordi.Intake, refuseManage); err != nil {
		return Attached{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Attached{}, err
	}
	rep, err := hwreport.Parse(data)
	if err != nil {
		return Attached{}, err
	}
	for i := range rep.Drives {
		rep.Drives[i].Model, rep.Drives[i].Serial = short(rep.Drives[i].Model), short(rep.Drives[i].Serial)
	}
	if m := rep.Machine; m != nil {
		m.Vendor, m.Product, m.Serial, m.CPU = short(m.Vendor), short(m.Product), short(m.Serial), short(m.CPU)
	}
	now := s.now()
	sum := sha256.Sum256(data)
	var out Attached
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out = Attached{}
		u, err := findUnit(tx, c)
		if err != nil {
			return err
		}
		if u.Status == StatusHandedOver || u.Status == StatusRecycled {
			return &ordi.Error{Kind: ordi.Conflict, Message: fmt.Sprintf("L'unité %s est « %s » : elle a quitté l'atelier, aucun rapport ne peut plus lui être joint.", u.Code, u.Status.Label())}
		}
		if len(rep.Erasures) > 0 && !u.Status.Erasable() {
			return &ordi.Error{Kind: ordi.Conflict, Message: erasureRefusal(u.Status)}
		}
		if err := checkOwners(tx, u, rep); err != nil {
			return err
		}
		r := Report{UnitID: u.ID, Kind: string(rep.Kind), Tool: rep.Tool, SHA256: hex.EncodeToString(sum[:]), SizeBytes: len(data),
			Content: data, UploadedByID: actorID(actor), UploadedByName: actor.Name, CreatedAt: now}
		var already int64
		if err := tx.Model(&Report{}).Select("id").Where("unit_id = ? AND sha256 = ?", u.ID, r.SHA256).Scan(&already).Error; err != nil {
			return fmt.Errorf("find report: %w", err)
		}
		if already != 0 {
			return sameReport(u, r.SHA256, already)
		}
		if err := tx.Create(&r).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
			// Sent twice at once: the other one has it (its id is not
			// readable in this failed transaction on PostgreSQL).
			return sameReport(u, r.SHA256, 0)
		} else if err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		out.Report = r
		byDevice := map[string]int64{}
		for _, d := range rep.Drives {
			saved, err := s.saveDrive(tx, u, r, d, now)
			if err != nil {
				return err
			}
			out.Drives = append(out.Drives, saved)
			if d.Device != "" {
				byDevice[d.Device] = saved.ID
			}
		}
		fills, conflicts, err := s.compare(tx, u, r, rep)
		if err != nil {
			return err
		}
		out.Conflicts = conflicts
		changed := len(fills) > 0 || len(rep.Erasures) > 0
		if changed {
			if err := s.fillUnit(tx, &u, fills, now); err != nil {
				return err
			}
			for f := range fills {
				out.Filled = append(out.Filled, f)
			}
			slices.Sort(out.Filled)
		}
		for _, e := range rep.Erasures {
			saved, err := s.reportErasure(tx, actor, u, r, e, byDevice[e.Device], out.Drives, now)
			if err != nil {
				return err
			}
			out.Erasures = append(out.Erasures, saved)
		}
		data, _ := json.Marshal(map[string]any{"report_id": r.ID, "kind": r.Kind, "sha256": r.SHA256, "drives": len(out.Drives),
			"erasures": len(out.Erasures), "conflicts": len(out.Conflicts), "filled": out.Filled})
		note := fmt.Sprintf("%s (%s)", r.Tool, shortHash(r.SHA256))
		if err := tx.Create(&Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: ActionReport,
			FromStatus: u.Status, ToStatus: u.Status, Note: note, Data: string(data)}).Error; err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		out.Unit = u
		return nil
	})
	var taken *driveTaken
	if errors.As(err, &taken) {
		u, uerr := findUnit(s.db.WithContext(ctx), c)
		if uerr != nil {
			return Attached{}, uerr
		}
		if oerr := driveOwner(s.db.WithContext(ctx), u, taken.serial); oerr != nil {
			return Attached{}, oerr
		}
		return Attached{}, &ordi.Error{Kind: ordi.Conflict, Message: fmt.Sprintf("Le disque %s vient d'être enregistré sur une autre unité. Rien n'a été joint.", taken.serial)}
	}
	if err != nil {
		return Attached{}, err
	}
	if out.Drives == nil {
		out.Drives = []Drive{}
	}
	if out.Erasures == nil {
		out.Erasures = []Erasure{}
	}
	if out.Conflicts == nil {
		out.Conflicts = []ReportConflict{}
	}
	if out.Filled == nil {
		out.Filled = []string{}
	}
	return out, nil
}

// sameReport is the refusal of a file the unit has already.
func sameReport(u Unit, sum string, id int64) error {
	return &ordi.Error{Kind: ordi.Conflict, Message: fmt.Sprintf("L'unité %s a déjà ce rapport (%s) : il n'est pas joint une seconde fois.", u.Code, shortHash(sum)),
		Extra: map[string]any{"sha256": sum, "report_id": id}}
}

func shortHash(h string) string {
	if len(h) > 12 {
		return "SHA-256 " + h[:12] + "…"
	}
	return h
}

// checkOwners refuses a report whose machine serial is another unit's, or
// one of whose drives is another unit's, naming that unit.
func checkOwners(tx *gorm.DB, u Unit, rep hwreport.Report) error {
	if rep.Machine != nil && rep.Machine.Serial != "" {
		// Nothing unique holds a machine serial (a typed one may repeat):
		// on PostgreSQL, reports naming the same machine wait for each
		// other here until the first commits, and the next one then sees
		// the serial it filled. SQLite's immediate transactions already
		// run one at a time.
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "ordi.machine-serial:"+rep.Machine.Serial).Error; err != nil {
				return fmt.Errorf("lock machine serial: %w", err)
			}
		}
		var other Unit
		err := tx.Select("id", "code").Where("UPPER(TRIM(serial_number)) = ? AND id <> ?", rep.Machine.Serial, u.ID).Order("id").Take(&other).Error
		switch {
		case err == nil:
			return &ordi.Error{Kind: ordi.Conflict, Message: fmt.Sprintf("Le numéro de série de cette machine (%s) est celui de l'unité %s : ce rapport n'est pas celui de l'unité %s. Rien n'a été joint.", rep.Machine.Serial, other.Code, u.Code),
				Extra: map[string]any{"unit_code": other.Code}}
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("find machine serial: %w", err)
		}
	}
	for _, d := range rep.Drives {
		if d.Serial == "" {
			continue
		}
		if err := driveOwner(tx, u, d.Serial); err != nil {
			return err
		}
	}
	return nil
}

// driveTaken is a drive serial another unit's transaction took first.
type driveTaken struct {
	serial string
	err    error
}

func (e *driveTaken) Error() string { return "drive " + e.serial + " taken: " + e.err.Error() }
func (e *driveTaken) Unwrap() error { return e.err }

// driveOwner is the Conflict of a drive serial that is another unit's.
func driveOwner(tx *gorm.DB, u Unit, serial string) error {
	var owner struct{ Code Code }
	err := tx.Table("unit_drives").Select("units.code").Joins("JOIN units ON units.id = unit_drives.unit_id").
		Where("unit_drives.serial = ? AND unit_drives.unit_id <> ?", serial, u.ID).Take(&owner).Error
	switch {
	case err == nil:
		return &ordi.Error{Kind: ordi.Conflict, Message: fmt.Sprintf("Le disque %s appartient déjà à l'unité %s : ce rapport n'est pas celui de l'unité %s. Rien n'a été joint.", serial, owner.Code, u.Code),
			Extra: map[string]any{"unit_code": owner.Code}}
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil
	}
	return fmt.Errorf("find drive serial: %w", err)
}

// saveDrive creates the unit's drive or completes the one it has. A drive
// is the same when its serial is; a drive without serial (a loop device, a
// card reader) is the same as the unit's serial-less drive of that model.
// Empty fields are filled; health figures are measurements, and the latest
// report's replace the earlier ones.
func (s *Service) saveDrive(tx *gorm.DB, u Unit, r Report, d hwreport.Drive, now time.Time) (Drive, error) {
	d.Model, d.Serial = short(d.Model), short(d.Serial)
	var cur Drive
	q := tx.Where("unit_id = ?", u.ID)
	if d.Serial != "" {
		q = q.Where("serial = ?", d.Serial)
	} else {
		q = q.Where("serial = '' AND model = ?", d.Model)
	}
	err := q.Order("id").Take(&cur).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		cur = Drive{UnitID: u.ID, Model: d.Model, Serial: d.Serial, CapacityBytes: d.CapacityBytes, Kind: d.Kind,
			PowerOnHours: d.PowerOnHours, SmartPassed: d.SmartPassed, Reallocated: d.Reallocated, Pending: d.Pending,
			ReportID: &r.ID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&cur).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				// Another unit took this serial since checkOwners: the
				// transaction is lost (PostgreSQL aborts it); AttachReport
				// names the owner once it is over.
				return Drive{}, &driveTaken{serial: d.Serial, err: err}
			}
			return Drive{}, fmt.Errorf("insert drive: %w", err)
		}
		return cur, nil
	}
	if err != nil {
		return Drive{}, fmt.Errorf("find drive: %w", err)
	}
	if cur.Model == "" || (len(d.Model) > len(cur.Model) && strings.HasPrefix(d.Model, cur.Model)) {
		cur.Model = d.Model // lshw cuts ATA models at 16 characters; smartctl does not
	}
	if cur.CapacityBytes == 0 {
		cur.CapacityBytes = d.CapacityBytes
	}
	if cur.Kind == "" {
		cur.Kind = d.Kind
	}
	if d.PowerOnHours != nil {
		cur.PowerOnHours = d.PowerOnHours
	}
	if d.SmartPassed != nil {
		cur.SmartPassed = d.SmartPassed
	}
	if d.Reallocated != nil {
		cur.Reallocated = d.Reallocated
	}
	if d.Pending != nil {
		cur.Pending = d.Pending
	}
	cur.ReportID, cur.UpdatedAt = &r.ID, now
	if err := tx.Model(&Drive{}).Where("id = ?", cur.ID).Updates(map[string]any{
		"model": cur.Model, "capacity_bytes": cur.CapacityBytes, "kind": cur.Kind, "power_on_hours": cur.PowerOnHours,
		"smart_passed": cur.SmartPassed, "reallocated": cur.Reallocated, "pending": cur.Pending, "report_id": cur.ReportID,
		"updated_at": now,
	}).Error; err != nil {
		return Drive{}, fmt.Errorf("update drive: %w", err)
	}
	return cur, nil
}

// reported is one value a report gives for a unit field.
type reported struct {
	field   string
	current string
	value   string
	empty   bool // the unit's field is empty
	same    bool // the values agree
	apply   func(*UnitSpec)
}

// compare sets the report's values against the unit's fields: empty fields
// are to fill, differing ones become conflicts (once per field and value).
func (s *Service) compare(tx *gorm.DB, u Unit, r Report, rep hwreport.Report) (map[string]func(*UnitSpec), []ReportConflict, error) {
	var vals []reported
	text := func(field, cur, val string, set func(*UnitSpec, string)) {
		val = strings.TrimSpace(val)
		if val == "" {
			return
		}
		val = short(val)
		same := strings.EqualFold(strings.Join(strings.Fields(cur), " "), strings.Join(strings.Fields(val), " "))
		if field == "serial_number" {
			same = hwreport.NormalizeSerial(cur) == val
		}
		vals = append(vals, reported{field: field, current: cur, value: val, empty: strings.TrimSpace(cur) == "", same: same,
			apply: func(sp *UnitSpec) { set(sp, val) }})
	}
	if m := rep.Machine; m != nil {
		text("brand", u.Brand, m.Vendor, func(sp *UnitSpec, v string) { sp.Brand = v })
		text("model", u.Model, m.Product, func(sp *UnitSpec, v string) { sp.Model = v })
		text("serial_number", u.SerialNumber, m.Serial, func(sp *UnitSpec, v string) { sp.SerialNumber = v })
		text("cpu", u.CPU, m.CPU, func(sp *UnitSpec, v string) { sp.CPU = v })
		if gb := int(math.Round(float64(m.RAMBytes) / (1 << 30))); gb > 0 && gb <= maxRAMGB {
			vals = append(vals, reported{field: "ram_gb", current: strconv.Itoa(u.RAMGB), value: strconv.Itoa(gb), empty: u.RAMGB == 0,
				same: u.RAMGB == gb, apply: func(sp *UnitSpec) { sp.RAMGB = gb }})
		}
	}
	// Storage: the unit's drives together, once the report's are saved.
	if len(rep.Drives) > 0 {
		var drives []Drive
		if err := tx.Where("unit_id = ?", u.ID).Order("id").Find(&drives).Error; err != nil {
			return nil, nil, fmt.Errorf("list drives: %w", err)
		}
		var total int64
		kind := ""
		for _, d := range drives {
			total += d.CapacityBytes
			if kind == "" {
				kind = d.Kind
			}
		}
		gb := int(gbOf(total))
		if gb > 0 && gb <= maxStorageGB && kind != "" {
			if !u.HasStorage() {
				vals = append(vals, reported{field: "storage_gb", empty: true, value: strconv.Itoa(gb),
					apply: func(sp *UnitSpec) { sp.StorageGB, sp.StorageKind = gb, StorageKind(kind) }})
			} else if rep.Kind == hwreport.KindLshw {
				// Only lshw sees the whole machine; smartctl sees one drive.
				near := math.Abs(float64(u.StorageGB-gb)) <= math.Max(1, 0.05*float64(gb))
				vals = append(vals, reported{field: "storage_gb", current: strconv.Itoa(u.StorageGB), value: strconv.Itoa(gb), same: near})
				vals = append(vals, reported{field: "storage_kind", current: string(u.StorageKind), value: kind, same: string(u.StorageKind) == kind})
			}
		}
	}
	fills := map[string]func(*UnitSpec){}
	var conflicts []ReportConflict
	for _, v := range vals {
		switch {
		case v.same:
		case v.empty:
			fills[v.field] = v.apply
		default:
			var n int64
			if err := tx.Model(&ReportConflict{}).Where("unit_id = ? AND field = ? AND reported_value = ? AND resolution = ''", u.ID, v.field, v.value).
				Count(&n).Error; err != nil {
				return nil, nil, fmt.Errorf("find conflict: %w", err)
			}
			if n > 0 {
				continue
			}
			c := ReportConflict{UnitID: u.ID, ReportID: r.ID, Field: v.field, CurrentValue: v.current, ReportedValue: v.value, CreatedAt: r.CreatedAt}
			if err := tx.Create(&c).Error; err != nil {
				return nil, nil, fmt.Errorf("insert conflict: %w", err)
			}
			conflicts = append(conflicts, c)
		}
	}
	return fills, conflicts, nil
}

// fillUnit writes the filled fields and bumps the unit's version, on the
// version read in this transaction.
func (s *Service) fillUnit(tx *gorm.DB, u *Unit, fills map[string]func(*UnitSpec), now time.Time) error {
	spec := specOf(*u)
	for _, f := range fills {
		f(&spec)
	}
	spec.normalize()
	var v ordi.Validation
	spec.validate(&v)
	if err := v.Err(); err != nil {
		return err
	}
	spec.apply(u)
	res := tx.Model(&Unit{}).Where("id = ? AND version = ?", u.ID, u.Version).Updates(map[string]any{
		"brand": u.Brand, "model": u.Model, "serial_number": u.SerialNumber, "cpu": u.CPU, "ram_gb": u.RAMGB,
		"storage_gb": u.StorageGB, "storage_kind": u.StorageKind, "search": u.Search,
		"version": gorm.Expr("version + 1"), "updated_at": now,
	})
	if res.Error != nil {
		return fmt.Errorf("fill unit %s: %w", u.Code, res.Error)
	}
	if res.RowsAffected == 0 {
		current, err := findUnit(tx, u.Code)
		if err != nil {
			return err
		}
		return changedSince(current)
	}
	u.Version++
	u.UpdatedAt = now
	return nil
}

// reportErasure records one drive's erasure read from nwipe's log.
func (s *Service) reportErasure(tx *gorm.DB, actor ordi.Actor, u Unit, r Report, e hwreport.Erasure, driveID int64, drives []Drive, now time.Time) (Erasure, error) {
	medium := MediumOf(u.StorageKind)
	for _, d := range drives {
		if d.ID == driveID && d.Kind != "" {
			medium = Medium(d.Kind)
		}
	}
	e.Model, e.Serial, e.Technique, e.Tool = short(e.Model), short(e.Serial), short(e.Technique), short(e.Tool)
	method, category := ErasureMethod(e.Method), ErasureCategory(e.Category)
	var v ordi.Validation
	checkSanitization(&v, medium, method, category)
	if err := v.Err(); err != nil {
		return Erasure{}, err
	}
	result := ErasureFailed
	if e.Passed {
		result = ErasurePassed
	}
	rec := Erasure{UnitID: u.ID, Category: category, Method: method, Medium: medium, Technique: e.Technique, Tool: e.Tool,
		DriveSerial: e.Serial, DriveModel: e.Model, Result: result, StartedAt: utcPtr(e.StartedAt), FinishedAt: utcPtr(e.FinishedAt),
		OperatorID: actorID(actor), OperatorName: actor.Name, CreatedAt: now, ReportID: &r.ID}
	if driveID != 0 {
		rec.DriveID = &driveID
	}
	if err := tx.Create(&rec).Error; err != nil {
		return Erasure{}, fmt.Errorf("insert erasure: %w", err)
	}
	action := ActionErasurePassed
	if rec.Result != ErasurePassed {
		action = ActionErasureFailed
	}
	data, _ := json.Marshal(map[string]any{"erasure_id": rec.ID, "category": rec.Category, "method": rec.Method, "medium": rec.Medium,
		"drive_serial": rec.DriveSerial, "report_id": r.ID, "status": e.Status})
	if err := tx.Create(&Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: action,
		FromStatus: u.Status, ToStatus: u.Status, Note: rec.Technique, Data: string(data)}).Error; err != nil {
		return Erasure{}, fmt.Errorf("insert event: %w", err)
	}
	return rec, nil
}

// maxDrives bounds a unit's drives read at once.
const maxDrives = 200

// Drives returns a unit's drives, oldest first.
func (s *Service) Drives(ctx context.Context, actor ordi.Actor, code string) ([]Drive, error) {
	u, err := s.Unit(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	out := []Drive{}
	if err := s.db.WithContext(ctx).Where("unit_id = ?", u.ID).Order("id").Limit(maxDrives).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list drives: %w", err)
	}
	return out, nil
}

// DrivesOf returns the drives of units, by unit id, oldest first.
func (s *Service) DrivesOf(ctx context.Context, actor ordi.Actor, unitIDs ...int64) (map[int64][]Drive, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	out := map[int64][]Drive{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	var all []Drive
	if err := s.db.WithContext(ctx).Where("unit_id IN ?", unitIDs).Order("id").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("list drives: %w", err)
	}
	for _, d := range all {
		out[d.UnitID] = append(out[d.UnitID], d)
	}
	return out, nil
}

// maxReports bounds a unit's reports listed at once.
const maxReports = 200

// Reports lists a unit's reports, oldest first, without their content.
// Reports are the staff's: they may name the donor's machine in detail.
func (s *Service) Reports(ctx context.Context, actor ordi.Actor, code string) ([]Report, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return nil, err
	}
	u, err := s.Unit(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	out := []Report{}
	if err := s.db.WithContext(ctx).Omit("content").Where("unit_id = ?", u.ID).Order("id").Limit(maxReports).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}

// ReportFile returns one of a unit's reports with its content, as sent.
func (s *Service) ReportFile(ctx context.Context, actor ordi.Actor, code string, id int64) (Report, Unit, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return Report{}, Unit{}, err
	}
	u, err := s.Unit(ctx, actor, code)
	if err != nil {
		return Report{}, Unit{}, err
	}
	var r Report
	err = s.db.WithContext(ctx).Where("id = ? AND unit_id = ?", id, u.ID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Report{}, Unit{}, &ordi.Error{Kind: ordi.NotFound, Message: "Rapport inconnu pour cette unité."}
	}
	if err != nil {
		return Report{}, Unit{}, fmt.Errorf("find report: %w", err)
	}
	return r, u, nil
}

// OpenConflicts returns the unit's conflicts not settled yet, oldest first.
func (s *Service) OpenConflicts(ctx context.Context, actor ordi.Actor, u Unit) ([]ReportConflict, error) {
	if err := actor.Require(ordi.ReadUnits, refuseRead); err != nil {
		return nil, err
	}
	out := []ReportConflict{}
	if err := s.db.WithContext(ctx).Where("unit_id = ? AND resolution = ''", u.ID).Order("id").Limit(maxHistory).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	return out, nil
}

// The choices for a conflict.
const (
	KeepTyped    = "kept"
	TakeReported = "reported"
)

// ResolveConflict settles a conflict: keep the typed value, or take the
// report's. Version is the unit's version the person saw; a unit changed
// since is a Conflict carrying it as it now is. Taking the reported value
// edits the unit as an edit would (validated, version bumped, in history).
func (s *Service) ResolveConflict(ctx context.Context, actor ordi.Actor, code string, id int64, choice string, version int) (Unit, error) {
	if err := actor.Require(ordi.ManageInventory, refuseManage); err != nil {
		return Unit{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Unit{}, err
	}
	if choice != KeepTyped && choice != TakeReported {
		var v ordi.Validation
		v.Add("choice", "Choisissez la valeur à garder : celle de la fiche ou celle du rapport.")
		return Unit{}, v.Err()
	}
	var u Unit
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = findUnit(tx, c); err != nil {
			return err
		}
		var rc ReportConflict
		err := tx.Where("id = ? AND unit_id = ?", id, u.ID).Take(&rc).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return &ordi.Error{Kind: ordi.NotFound, Message: "Désaccord inconnu pour cette unité."}
		}
		if err != nil {
			return fmt.Errorf("find conflict: %w", err)
		}
		if rc.Resolution != "" {
			return &ordi.Error{Kind: ordi.Conflict, Message: "Ce désaccord a déjà été tranché."}
		}
		if version <= 0 {
			var v ordi.Validation
			v.Add("version", "Indiquez la version de la fiche que vous avez vue.")
			return v.Err()
		}
		if version != u.Version {
			return staleVersion(u)
		}
		now := s.now()
		if choice == TakeReported {
			check := specOf(u)
			if err := setReported(&check, rc.Field, rc.ReportedValue); err != nil {
				return err
			}
			set := func(sp *UnitSpec) { _ = setReported(sp, rc.Field, rc.ReportedValue) }
			if err := s.fillUnit(tx, &u, map[string]func(*UnitSpec){rc.Field: set}, now); err != nil {
				return err
			}
		}
		res := tx.Model(&ReportConflict{}).Where("id = ? AND resolution = ''", rc.ID).
			Updates(map[string]any{"resolution": choice, "resolved_by": actor.Name, "resolved_at": now})
		if res.Error != nil {
			return fmt.Errorf("resolve conflict: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return &ordi.Error{Kind: ordi.Conflict, Message: "Ce désaccord a déjà été tranché."}
		}
		kept := rc.CurrentValue
		if choice == TakeReported {
			kept = rc.ReportedValue
		}
		data, _ := json.Marshal(map[string]any{"conflict_id": rc.ID, "field": rc.Field, "choice": choice, "current": rc.CurrentValue, "reported": rc.ReportedValue})
		return tx.Create(&Event{UnitID: u.ID, At: now, ActorID: actorID(actor), ActorName: actor.Name, Action: ActionConflictSolved,
			FromStatus: u.Status, ToStatus: u.Status, Note: fmt.Sprintf("%s : %s", rc.FieldLabel(), kept), Data: string(data)}).Error
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

// setReported puts a reported value into a spec.
func setReported(sp *UnitSpec, field, value string) error {
	atoi := func() (int, error) {
		n, err := strconv.Atoi(value)
		if err != nil {
			return 0, fmt.Errorf("conflict value %q of %s: %w", value, field, err)
		}
		return n, nil
	}
	var err error
	switch field {
	case "brand", "model", "serial_number", "cpu":
		sp.setText(field, value)
	case "ram_gb":
		sp.RAMGB, err = atoi()
	case "storage_gb":
		sp.StorageGB, err = atoi()
	case "storage_kind":
		sp.StorageKind = StorageKind(value)
	default:
		return fmt.Errorf("conflict on unknown field %q", field)
	}
	return err
}
