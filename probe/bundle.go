package probe

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

// Format names the bundle's layout; a reader refuses any other.
const Format = "ordi-probe-bundle/1"

// The kinds of part. Reports (lshw, smartctl, nwipe) go to the server's
// reports API; lsblk's listing stays in the bundle as a record of what the
// probe saw.
const (
	KindLshw     = "lshw"
	KindSmartctl = "smartctl"
	KindNwipe    = "nwipe"
	KindLsblk    = "lsblk"
)

// Bundle is everything one run of the probe collected, for one unit: the
// unit named by its code, or a new unit to create in a donation. It is
// written as one JSON file (--out) and sent by "ordi probe upload".
type Bundle struct {
	Format     string    `json:"format"`
	CreatedAt  time.Time `json:"created_at"`
	Probe      string    `json:"probe"` // the program and its version
	Unit       string    `json:"unit,omitempty"`
	DonationID int64     `json:"donation_id,omitempty"`
	Kind       string    `json:"kind,omitempty"` // of the unit to create
	// UnitCreated is set once the unit of a donation has been created on the
	// server: sending the bundle again uses that unit, never a second one.
	UnitCreated bool    `json:"unit_created,omitempty"`
	Drives      []Drive `json:"drives,omitempty"`
	Parts       []Part  `json:"parts"`
}

// Part is one tool's raw output, as the tool wrote it.
type Part struct {
	Kind       string    `json:"kind"`
	Command    []string  `json:"command"`
	Device     string    `json:"device,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	ExitStatus int       `json:"exit_status"`
	// Report marks a part the server should receive; Note says why not,
	// or what the exit status means.
	Report bool   `json:"report"`
	Note   string `json:"note,omitempty"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	// Content is the output when it is UTF-8 text (the usual case), else
	// ContentBase64: the bytes and their SHA-256 stay exactly the tool's.
	Content       string `json:"content,omitempty"`
	ContentBase64 string `json:"content_base64,omitempty"`
	// Sent is set once the server has the report (upload).
	Sent *Sent `json:"sent,omitempty"`
}

// Sent records a report the server has.
type Sent struct {
	At       time.Time `json:"at"`
	Unit     string    `json:"unit"`
	ReportID int64     `json:"report_id,omitempty"`
	// Already is set when the server said it had this report already.
	Already bool `json:"already,omitempty"`
}

// NewPart keeps data as a part, with its SHA-256.
func NewPart(kind string, command []string, data []byte) Part {
	sum := sha256.Sum256(data)
	p := Part{Kind: kind, Command: command, SHA256: hex.EncodeToString(sum[:]), Size: len(data)}
	if utf8.Valid(data) {
		p.Content = string(data)
	} else {
		p.ContentBase64 = base64.StdEncoding.EncodeToString(data)
	}
	return p
}

// Data returns the part's bytes.
func (p Part) Data() ([]byte, error) {
	if p.ContentBase64 != "" {
		return base64.StdEncoding.DecodeString(p.ContentBase64)
	}
	return []byte(p.Content), nil
}

// Check verifies the part's bytes against its SHA-256.
func (p Part) Check() error {
	data, err := p.Data()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != p.SHA256 || len(data) != p.Size {
		return fmt.Errorf("la partie %s%s ne correspond plus à son empreinte SHA-256 : le fichier a été modifié ou abîmé", p.Kind, onDevice(p.Device))
	}
	return nil
}

func onDevice(dev string) string {
	if dev == "" {
		return ""
	}
	return " (" + dev + ")"
}

// Validate checks a bundle read from a file: its format, its target, and
// every part against its SHA-256.
func (b *Bundle) Validate() error {
	if b.Format != Format {
		return fmt.Errorf("ce fichier n'est pas un rapport d'ordi probe (format %q, attendu %q)", b.Format, Format)
	}
	if b.Unit == "" && (b.DonationID <= 0 || b.Kind == "") {
		return fmt.Errorf("le rapport ne dit ni l'unité (--unit) ni le don et le type de la nouvelle unité (--donation, --kind)")
	}
	for _, p := range b.Parts {
		if err := p.Check(); err != nil {
			return err
		}
	}
	return nil
}

// ReadBundle reads and checks a bundle file.
func ReadBundle(path string) (*Bundle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lecture du rapport : %w", err)
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s n'est pas un rapport d'ordi probe lisible : %v", path, err)
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("%s : %w", path, err)
	}
	return &b, nil
}

// WriteBundle writes the bundle to path atomically (a temporary file
// renamed), so that a power cut during the write never leaves half a file
// in place of a good one.
func WriteBundle(path string, b *Bundle) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ordi-probe-*")
	if err != nil {
		return fmt.Errorf("écriture du rapport : %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("écriture du rapport : %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("écriture du rapport : %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("écriture du rapport : %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("écriture du rapport : %w", err)
	}
	return nil
}
