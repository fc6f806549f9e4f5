package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Drive is a block device the probe may read (smartctl) and wipe (nwipe).
type Drive struct {
	Name      string   `json:"name"`
	Path      string   `json:"path"`
	Serial    string   `json:"serial,omitempty"`
	Model     string   `json:"model,omitempty"`
	SizeBytes int64    `json:"size_bytes"`
	Type      string   `json:"type"` // lsblk's: disk, loop…
	Transport string   `json:"transport,omitempty"`
	Removable bool     `json:"removable"`
	Mounted   []string `json:"mounted,omitempty"` // mount points of the drive and of its partitions
}

// InUse reports whether a file system of the drive is mounted: the live
// system's own USB stick (/run/live/medium), or any disk something on this
// computer is using. The probe never wipes such a drive.
func (d Drive) InUse() bool { return len(d.Mounted) > 0 }

// Describe is the drive as the operator sees it on the terminal.
func (d Drive) Describe() string {
	var b strings.Builder
	b.WriteString(d.Path)
	if d.Model != "" {
		b.WriteString(" — " + d.Model)
	}
	fmt.Fprintf(&b, ", %s", humanSize(d.SizeBytes))
	if d.Serial != "" {
		b.WriteString(", n° de série " + d.Serial)
	} else {
		b.WriteString(", sans numéro de série")
	}
	if d.Transport != "" {
		b.WriteString(" (" + strings.ToUpper(d.Transport) + ")")
	}
	return b.String()
}

func humanSize(n int64) string {
	switch {
	case n >= 1e12:
		return strings.Replace(strconv.FormatFloat(float64(n)/1e12, 'f', 1, 64), ".", ",", 1) + " To"
	case n >= 1e9:
		return strconv.FormatInt((n+5e8)/1e9, 10) + " Go"
	default:
		return strconv.FormatInt((n+5e5)/1e6, 10) + " Mo"
	}
}

// lsblkColumns are the columns the probe asks lsblk for.
const lsblkColumns = "NAME,PATH,SERIAL,MODEL,SIZE,TYPE,TRAN,RM,MOUNTPOINTS"

// LsblkArgs is lsblk's command line: every disk, or the devices named.
func LsblkArgs(devices []string) []string {
	return append([]string{"-J", "-b", "-o", lsblkColumns}, devices...)
}

// lsblkDevice is one device of lsblk -J. Older util-linux writes numbers
// and booleans as strings and has one "mountpoint"; both forms are read.
type lsblkDevice struct {
	Name        string          `json:"name"`
	Path        string          `json:"path"`
	Serial      *string         `json:"serial"`
	Model       *string         `json:"model"`
	Size        json.RawMessage `json:"size"`
	Type        string          `json:"type"`
	Tran        *string         `json:"tran"`
	RM          json.RawMessage `json:"rm"`
	Mountpoints []*string       `json:"mountpoints"`
	Mountpoint  *string         `json:"mountpoint"`
	Children    []lsblkDevice   `json:"children"`
}

func (d lsblkDevice) mounts() []string {
	var out []string
	for _, m := range append(d.Mountpoints, d.Mountpoint) {
		if m != nil && *m != "" {
			out = append(out, *m)
		}
	}
	for _, c := range d.Children {
		out = append(out, c.mounts()...)
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// ParseLsblk reads lsblk -J -b output. With named devices (explicit), every
// device is kept, loop devices included; otherwise only disks, and never a
// compressed-memory swap (zram) or an empty reader.
func ParseLsblk(data []byte, explicit bool) ([]Drive, error) {
	var doc struct {
		BlockDevices []lsblkDevice `json:"blockdevices"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("sortie de lsblk illisible : %w", err)
	}
	var drives []Drive
	for _, d := range doc.BlockDevices {
		size, _ := strconv.ParseInt(strings.Trim(string(d.Size), `"`), 10, 64)
		rm := strings.Trim(string(d.RM), `"`)
		drive := Drive{Name: d.Name, Path: d.Path, Serial: str(d.Serial), Model: str(d.Model), SizeBytes: size, Type: d.Type,
			Transport: str(d.Tran), Removable: rm == "true" || rm == "1", Mounted: d.mounts()}
		if drive.Path == "" {
			drive.Path = "/dev/" + d.Name
		}
		if !explicit && (d.Type != "disk" || strings.HasPrefix(d.Name, "zram") || size == 0) {
			continue
		}
		drives = append(drives, drive)
	}
	return drives, nil
}

// ListDrives runs lsblk and returns the drives: every disk of the
// computer, or the devices named.
func ListDrives(ctx context.Context, r Runner, devices []string) ([]Drive, Output, error) {
	out, err := r.Run(ctx, "lsblk", LsblkArgs(devices)...)
	if err != nil {
		return nil, out, err
	}
	if out.ExitCode != 0 {
		return nil, out, fmt.Errorf("lsblk a échoué (code %d) : %s", out.ExitCode, strings.TrimSpace(string(out.Stderr)))
	}
	drives, err := ParseLsblk(out.Stdout, len(devices) > 0)
	return drives, out, err
}

// NormalizeSerial is how serials are compared: trimmed, upper-cased, inner
// spaces removed (a serial typed from a label).
func NormalizeSerial(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}
