package probe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WipeMethods are the nwipe methods the probe offers (nwipe --method).
// "zero" with verification of the last pass is NIST SP 800-88's Clear for
// a hard disk; the server maps each method to its category.
var WipeMethods = []string{"zero", "one", "random", "prng", "dodshort", "dod522022m", "gutmann", "ops2", "is5enh"}

// Options is one run of the probe.
type Options struct {
	Runner Runner
	// Devices restricts the probe to these block devices (/dev/sdb…);
	// empty: every disk of the computer.
	Devices []string
	// Wipe runs nwipe on the drives the operator confirms.
	Wipe       bool
	WipeMethod string
	// Confirm asks the operator whether to wipe a drive; nil refuses all.
	Confirm func(Drive) (bool, error)
	// Log receives the progress, in French, for the operator.
	Log io.Writer
	Now func() time.Time
}

// Collect runs the tools and returns their outputs as the parts of a
// bundle, with the drives seen. lshw missing is an error (there would be
// nothing to send); a drive smartctl cannot read is kept with a note.
func Collect(ctx context.Context, o Options) ([]Part, []Drive, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.WipeMethod == "" {
		o.WipeMethod = "zero"
	}
	run := func(kind, device, name string, args ...string) (Part, Output, error) {
		start := o.Now().UTC()
		out, err := o.Runner.Run(ctx, name, args...)
		if err != nil {
			return Part{}, out, err
		}
		p := NewPart(kind, append([]string{name}, args...), out.Stdout)
		p.Device, p.StartedAt, p.FinishedAt, p.ExitStatus = device, start, o.Now().UTC(), out.ExitCode
		return p, out, nil
	}
	var parts []Part

	fmt.Fprintln(o.Log, "Lecture du matériel (lshw)…")
	hw, out, err := run(KindLshw, "", "lshw", "-json", "-quiet")
	if err != nil {
		return nil, nil, err
	}
	if out.ExitCode != 0 {
		return nil, nil, fmt.Errorf("lshw a échoué (code %d) : %s", out.ExitCode, strings.TrimSpace(string(out.Stderr)))
	}
	hw.Report = true
	parts = append(parts, hw)

	fmt.Fprintln(o.Log, "Liste des disques (lsblk)…")
	start := o.Now().UTC()
	drives, out, err := ListDrives(ctx, o.Runner, o.Devices)
	if err != nil {
		return nil, nil, err
	}
	listing := NewPart(KindLsblk, append([]string{"lsblk"}, LsblkArgs(o.Devices)...), out.Stdout)
	listing.StartedAt, listing.FinishedAt = start, o.Now().UTC()
	listing.Note = "liste des disques vus par la sonde (non envoyée)"
	parts = append(parts, listing)
	if len(drives) == 0 {
		fmt.Fprintln(o.Log, "Aucun disque trouvé.")
	}

	for _, d := range drives {
		fmt.Fprintf(o.Log, "Lecture SMART de %s (smartctl)…\n", d.Describe())
		p, out, err := run(KindSmartctl, d.Path, "smartctl", "--json", "-a", d.Path)
		if err != nil {
			return nil, nil, err
		}
		usable, note := SmartStatus(out.ExitCode, out.Stdout)
		p.Report, p.Note = usable, note
		if !usable {
			fmt.Fprintf(o.Log, "  %s : %s\n", d.Path, note)
		}
		parts = append(parts, p)
	}

	if o.Wipe {
		p, err := wipe(ctx, o, drives, run)
		if err != nil {
			return nil, nil, err
		}
		if p != nil {
			parts = append(parts, *p)
		}
	}
	return parts, drives, nil
}

// wipe asks the operator about each drive, then runs nwipe once on the
// drives confirmed, and returns its log. A drive in use (the live system's
// stick, anything mounted) is never offered.
func wipe(ctx context.Context, o Options, drives []Drive, run func(kind, device, name string, args ...string) (Part, Output, error)) (*Part, error) {
	var chosen []string
	for _, d := range drives {
		if d.InUse() {
			fmt.Fprintf(o.Log, "%s est utilisé par le système en marche (monté sur %s) : il ne sera pas effacé.\n", d.Path, strings.Join(d.Mounted, ", "))
			continue
		}
		if o.Confirm == nil {
			continue
		}
		ok, err := o.Confirm(d)
		if err != nil {
			return nil, err
		}
		if ok {
			chosen = append(chosen, d.Path)
		}
	}
	if len(chosen) == 0 {
		fmt.Fprintln(o.Log, "Aucun disque à effacer.")
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "ordi-probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	logfile := filepath.Join(dir, "nwipe.log")
	fmt.Fprintf(o.Log, "Effacement de %s (nwipe, méthode %s, vérification du dernier passage)… Ne pas éteindre l'ordinateur.\n", strings.Join(chosen, ", "), o.WipeMethod)
	args := append([]string{"--autonuke", "--nogui", "--nowait", "--method=" + o.WipeMethod, "--verify=last", "--logfile=" + logfile}, chosen...)
	p, out, err := run(KindNwipe, strings.Join(chosen, " "), "nwipe", args...)
	if err != nil {
		return nil, err
	}
	log, err := os.ReadFile(logfile)
	if err != nil || len(log) == 0 {
		return nil, fmt.Errorf("nwipe n'a pas écrit son journal (code %d) : %s", out.ExitCode, strings.TrimSpace(string(out.Stderr)))
	}
	// The report is the log file (its summary), not the terminal output.
	lp := NewPart(KindNwipe, p.Command, log)
	lp.Device, lp.StartedAt, lp.FinishedAt, lp.ExitStatus, lp.Report = p.Device, p.StartedAt, p.FinishedAt, p.ExitStatus, true
	if out.ExitCode != 0 {
		lp.Note = fmt.Sprintf("nwipe a terminé avec le code %d : le serveur enregistre l'effacement comme échoué", out.ExitCode)
		fmt.Fprintln(o.Log, lp.Note)
	}
	return &lp, nil
}

// ConfirmBySerial asks on out, and reads on in, whether to wipe a drive:
// the operator types the drive's serial number (a drive without one: its
// path, /dev/sdb). An empty line, or anything else, leaves the drive alone.
// There is no bypass: "--yes" does not exist for this question.
func ConfirmBySerial(in *bufio.Reader, out io.Writer) func(Drive) (bool, error) {
	return func(d Drive) (bool, error) {
		want, what := NormalizeSerial(d.Serial), "son numéro de série"
		if want == "" {
			want, what = d.Path, "son chemin ("+d.Path+", il n'a pas de numéro de série)"
		}
		fmt.Fprintf(out, "\nEffacer %s ?\nToutes ses données seront détruites. Pour confirmer, tapez %s ; pour ne pas l'effacer, appuyez sur Entrée : ", d.Describe(), what)
		line, err := in.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			if err == io.EOF {
				fmt.Fprintln(out, "\n(pas de réponse : disque non effacé)")
				return false, nil
			}
			return false, err
		}
		typed := strings.TrimSpace(line)
		if d.Serial != "" {
			typed = NormalizeSerial(typed)
		}
		switch {
		case typed == "":
			fmt.Fprintf(out, "%s ne sera pas effacé.\n", d.Path)
			return false, nil
		case typed != want:
			fmt.Fprintf(out, "Ce n'est pas %s : %s ne sera PAS effacé.\n", what, d.Path)
			return false, nil
		}
		fmt.Fprintf(out, "%s sera effacé.\n", d.Path)
		return true, nil
	}
}
