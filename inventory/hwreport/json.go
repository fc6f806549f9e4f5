package hwreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// parseJSON tells lshw from smartctl: smartctl's output carries its own
// "smartctl" and "json_format_version" members; lshw's is a tree of nodes
// with "id" and "class" (an object, or an array holding the root in the
// versions that print one). The tree is read in one pass (lshwScanner).
func parseJSON(data []byte) (Report, error) {
	nodes, err := scanLshw(data)
	if err != nil {
		return Report{}, badJSON(err, data)
	}
	for _, n := range nodes {
		if n.JSONFormatVersion != nil || n.Smartctl != nil {
			// smartctl's output: small, read whole.
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				return Report{}, badJSON(err, data)
			}
			return parseSmartctl(m)
		}
		if n.ID != "" && n.Class != "" {
			return parseLshw(n)
		}
	}
	return Report{}, invalid("Ce JSON n'est ni une sortie de lshw ni une sortie de smartctl. " + expected)
}

func badJSON(err error, data []byte) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return invalid("Ce JSON n'a pas la forme d'une sortie de lshw ou de smartctl (" + ute.Field + "). " + expected)
	}
	return invalid(fmt.Sprintf("JSON illisible ou tronqué (octet %d sur %d). %s", offsetOf(err, len(data)), len(data), expected))
}

// lshwNode is one node of lshw's tree, with the members Ordi reads.
type lshwNode struct {
	ID          string          `json:"id"`
	Class       string          `json:"class"`
	Description string          `json:"description"`
	Product     string          `json:"product"`
	Vendor      string          `json:"vendor"`
	Serial      string          `json:"serial"`
	BusInfo     string          `json:"businfo"`
	Size        json.Number     `json:"size"`
	LogicalName json.RawMessage `json:"logicalname"`
	Disabled    bool            `json:"disabled"`
	Children    []lshwNode      `json:"children"`
	// smartctl's own members: present, the JSON is smartctl's.
	JSONFormatVersion json.RawMessage `json:"json_format_version"`
	Smartctl          json.RawMessage `json:"smartctl"`
}

func (n lshwNode) size() (int64, bool) {
	f, err := n.Size.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > math.MaxInt64/2 {
		return 0, false
	}
	return int64(f), true
}

func offsetOf(err error, n int) int64 {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return syn.Offset
	}
	var own *syntaxError
	if errors.As(err, &own) {
		return int64(own.offset)
	}
	return int64(n)
}

func isLshwNode(m map[string]any) bool {
	_, id := m["id"]
	_, class := m["class"]
	return id && class
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return clean(s)
}

// clean keeps printable UTF-8 only: firmware strings sometimes carry NUL
// padding or bytes of another encoding.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s))
}

func num(m map[string]any, key string) (int64, bool) {
	f, ok := m[key].(float64)
	if !ok || math.IsNaN(f) || f < 0 || f > math.MaxInt64/2 {
		return 0, false
	}
	return int64(f), true
}

func obj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// skuSuffix is the " (SKU)" lshw appends to a product name from DMI.
var skuSuffix = regexp.MustCompile(`\s*\([^()]*\)$`)

// parseLshw reads the machine, its processor, its memory and its disks from
// the tree. Disks behind a USB bus are left out: on the workbench they are
// the live USB stick the machine was started from, not the donor's drives.
func parseLshw(root lshwNode) (Report, error) {
	if root.Class != "system" {
		return Report{}, invalid("La sortie de lshw ne commence pas par la machine (class « system ») : lancez « lshw -json » sans filtre de classe.")
	}
	r := Report{Kind: KindLshw, Tool: "lshw"}
	m := &Machine{
		Vendor:  clean(root.Vendor),
		Product: strings.TrimSpace(skuSuffix.ReplaceAllString(clean(root.Product), "")),
		Serial:  NormalizeSerial(clean(root.Serial)),
	}
	if placeholderText(m.Vendor) {
		m.Vendor = ""
	}
	if placeholderText(m.Product) {
		m.Product = ""
	}
	var banks int64
	var walk func(n, parent *lshwNode, usb bool)
	walk = func(n, parent *lshwNode, usb bool) {
		if strings.HasPrefix(n.BusInfo, "usb@") || (n.Class == "bus" && strings.Contains(strings.ToLower(n.Description), "usb")) {
			usb = true
		}
		switch {
		case n.Class == "processor" && m.CPU == "" && !n.Disabled && clean(n.Product) != "":
			m.CPU = strings.Join(strings.Fields(clean(n.Product)), " ")
		case n.Class == "memory" && strings.EqualFold(n.Description, "System Memory"):
			if size, ok := n.size(); ok {
				m.RAMBytes += size
			}
		case n.Class == "memory" && strings.HasPrefix(n.ID, "bank"):
			if size, ok := n.size(); ok {
				banks += size
			}
		case n.Class == "disk" && !usb && isDrive(n):
			r.Drives = append(r.Drives, lshwDrive(n, parent))
		}
		for i := range n.Children {
			walk(&n.Children[i], n, usb)
		}
	}
	walk(&root, nil, false)
	if m.RAMBytes == 0 {
		m.RAMBytes = banks
	}
	r.Machine = m
	return r, nil
}

func placeholderText(s string) bool {
	return NormalizeSerial(s) == "" || strings.EqualFold(s, "System manufacturer") || strings.EqualFold(s, "System Product Name")
}

// isDrive tells a fixed disk from an optical drive or a card reader's empty
// slot: a size, and a disk's id (disk, disk:0, namespace:0 for NVMe).
func isDrive(n *lshwNode) bool {
	if !(strings.HasPrefix(n.ID, "disk") || strings.HasPrefix(n.ID, "namespace")) {
		return false
	}
	size, ok := n.size()
	return ok && size > 0
}

func lshwDrive(n, parent *lshwNode) Drive {
	d := Drive{Model: clean(n.Product), Serial: NormalizeSerial(clean(n.Serial))}
	d.CapacityBytes, _ = n.size()
	var one string
	var many []string
	switch {
	case json.Unmarshal(n.LogicalName, &one) == nil:
		d.Device = one
	case json.Unmarshal(n.LogicalName, &many) == nil && len(many) > 0:
		d.Device = many[0]
	}
	nvme := strings.Contains(strings.ToLower(n.Description), "nvme") || strings.HasPrefix(d.Device, "/dev/nvme")
	if nvme {
		d.Kind = DriveNVMe
		// An NVMe namespace carries its size; the controller above it
		// carries the model and the serial.
		if parent != nil {
			if d.Model == "" {
				d.Model = clean(parent.Product)
			}
			if d.Serial == "" {
				d.Serial = NormalizeSerial(clean(parent.Serial))
			}
		}
	}
	return d
}

// parseSmartctl reads one drive. smartctl's exit status bits 0 and 1 mean
// it could not open or identify the device: there is nothing to read then.
func parseSmartctl(m map[string]any) (Report, error) {
	sc := obj(m, "smartctl")
	r := Report{Kind: KindSmartctl, Tool: "smartctl"}
	if sc != nil {
		if v, ok := sc["version"].([]any); ok && len(v) == 2 {
			r.Tool = fmt.Sprintf("smartctl %v.%v", v[0], v[1])
		}
		if st, ok := num(sc, "exit_status"); ok && st&3 != 0 {
			return Report{}, invalid("smartctl n'a pas pu lire le disque (statut de sortie " + fmt.Sprint(st) + ") : relancez « smartctl --json -a » sur le disque.")
		}
	}
	d := Drive{Model: str(m, "model_name"), Serial: NormalizeSerial(str(m, "serial_number"))}
	if d.Model == "" {
		d.Model = strings.TrimSpace(str(m, "scsi_vendor") + " " + str(m, "scsi_product"))
	}
	dev := obj(m, "device")
	if dev != nil {
		d.Device = str(dev, "name")
	}
	if d.Model == "" && d.Serial == "" {
		return Report{}, invalid("La sortie de smartctl ne dit ni le modèle ni le numéro de série du disque : lancez « smartctl --json -a /dev/… » (avec -a).")
	}
	if uc := obj(m, "user_capacity"); uc != nil {
		d.CapacityBytes, _ = num(uc, "bytes")
	}
	if d.CapacityBytes == 0 {
		d.CapacityBytes, _ = num(m, "nvme_total_capacity")
	}
	switch {
	case dev != nil && (strings.EqualFold(str(dev, "protocol"), "NVMe") || strings.EqualFold(str(dev, "type"), "nvme")):
		d.Kind = DriveNVMe
	default:
		if rr, ok := num(m, "rotation_rate"); ok {
			if rr == 0 {
				d.Kind = DriveSSD
			} else {
				d.Kind = DriveHDD
			}
		}
	}
	if pot := obj(m, "power_on_time"); pot != nil {
		if h, ok := num(pot, "hours"); ok {
			d.PowerOnHours = &h
		}
	}
	health := obj(m, "nvme_smart_health_information_log")
	if d.PowerOnHours == nil && health != nil {
		if h, ok := num(health, "power_on_hours"); ok {
			d.PowerOnHours = &h
		}
	}
	if ss := obj(m, "smart_status"); ss != nil {
		if p, ok := ss["passed"].(bool); ok {
			d.SmartPassed = &p
		}
	}
	if attrs := obj(m, "ata_smart_attributes"); attrs != nil {
		table, _ := attrs["table"].([]any)
		for _, a := range table {
			am, _ := a.(map[string]any)
			id, _ := num(am, "id")
			raw := obj(am, "raw")
			if raw == nil {
				continue
			}
			v, ok := num(raw, "value")
			if !ok {
				continue
			}
			switch id {
			case 5:
				d.Reallocated = &v
			case 197:
				d.Pending = &v
			}
		}
	}
	r.Drives = []Drive{d}
	return r, nil
}
