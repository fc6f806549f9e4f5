// Package hwreport reads the reports of the tools that look at a donated
// computer: lshw -json (the machine and its disks), smartctl --json -a (one
// drive and its health) and nwipe's log (the erasure of each drive). The
// kind of a report is recognised from its content, never from a file name or
// a Content-Type. Parsing is pure: bytes in, plain values out.
package hwreport

import (
	"bytes"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
)

// MaxSize is the largest report accepted (2 MB): a real lshw tree of a large
// machine is a few hundred kilobytes, an nwipe log of a few drives less.
const MaxSize = 2 << 20

// Kind is the tool a report came from.
type Kind string

// The kinds of reports.
const (
	KindLshw     Kind = "lshw"
	KindSmartctl Kind = "smartctl"
	KindNwipe    Kind = "nwipe"
)

// Report is what a tool's output says.
type Report struct {
	Kind Kind
	// Tool is the tool and its version when the report says it ("nwipe 0.33").
	Tool     string
	Machine  *Machine // lshw only
	Drives   []Drive
	Erasures []Erasure
}

// Machine is the computer described by lshw.
type Machine struct {
	Vendor   string
	Product  string
	Serial   string // normalised (NormalizeSerial); "" when absent or a placeholder
	CPU      string
	RAMBytes int64
}

// Drive kinds; "" when the report does not say (lshw does not tell a SATA
// SSD from a hard disk).
const (
	DriveHDD  = "hdd"
	DriveSSD  = "ssd"
	DriveNVMe = "nvme"
)

// Drive is one storage device.
type Drive struct {
	Device        string // /dev/sda, as seen by the tool
	Model         string
	Serial        string // normalised; "" when absent
	CapacityBytes int64
	Kind          string
	PowerOnHours  *int64
	SmartPassed   *bool
	Reallocated   *int64 // ATA attribute 5, raw
	Pending       *int64 // ATA attribute 197, raw
}

// Erasure is one drive's erasure as nwipe's summary reports it.
type Erasure struct {
	Device string
	Model  string
	Serial string // normalised
	// Label is the tool's name for the method ("Fill With Zeros").
	Label string
	// Method and Category use inventory's vocabulary: "overwrite",
	// "secure_erase" or "sanitize"; "clear" or "purge" (NIST SP 800-88).
	Method    string
	Category  string
	Technique string
	Verified  bool   // the tool verified the result (nwipe: VL or VA)
	Status    string // the tool's own word ("Erased", "FAILED", "UABORTED")
	// Passed is true only for a verified success.
	Passed     bool
	StartedAt  *time.Time
	FinishedAt *time.Time
	Tool       string
}

// placeholders are what firmware reports when nobody filled the serial in.
var placeholders = map[string]bool{
	"TO BE FILLED BY O.E.M.": true, "TO BE FILLED BY OEM": true, "DEFAULT STRING": true,
	"0123456789": true, "SYSTEM SERIAL NUMBER": true, "NOT SPECIFIED": true, "NONE": true,
	"N/A": true, "0": true, "00000000": true, "0000000000": true, "INVALID": true, "SERIAL": true,
	"CHASSIS SERIAL NUMBER": true, "O.E.M.": true, "XXXXXXXXXX": true,
}

// NormalizeSerial trims and upper-cases a serial number, and returns "" for
// a placeholder that firmware reports when no serial was set.
func NormalizeSerial(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if placeholders[s] {
		return ""
	}
	s = strings.Trim(s, ".")
	if placeholders[s] || strings.Trim(s, "0") == "" || strings.Trim(s, "X") == "" || strings.Trim(s, "?") == "" {
		return ""
	}
	return s
}

// invalid is the 422 of a report, on the field "report".
func invalid(msg string) error {
	return &ordi.Error{Kind: ordi.Invalid, Message: msg, Fields: []ordi.FieldError{{Field: "report", Message: msg}}}
}

const expected = "Envoyez la sortie de « lshw -json », de « smartctl --json -a » ou le journal de nwipe."

// Parse recognises a report's kind from its content and reads it. A report
// that is none of the three, truncated JSON or a log with no summary is an
// Invalid error saying what was expected.
func Parse(data []byte) (Report, error) {
	if len(data) > MaxSize {
		return Report{}, &ordi.Error{Kind: ordi.TooLarge, Message: "Le rapport dépasse 2 Mo."}
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return Report{}, invalid("Le fichier est vide. " + expected)
	}
	if trimmed[0] == '{' || (trimmed[0] == '[' && !nwipeLineStart.Match(trimmed)) {
		return parseJSON(trimmed)
	}
	if looksLikeNwipe(trimmed) {
		return parseNwipe(trimmed)
	}
	return Report{}, invalid("Format de rapport inconnu. " + expected)
}
