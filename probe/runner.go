// Package probe is the workbench: "ordi probe" run on a donated computer
// booted from the workshop's Debian live USB stick. It runs the real tools
// (lshw, lsblk, smartctl, and nwipe on the drives the operator confirms),
// keeps each tool's raw output in a bundle with its SHA-256, and sends the
// bundle to the server's reports API with a workbench token, or writes it to
// a file to send later. It imports nothing of the server: it is a client.
package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
)

// Output is what a tool wrote and how it ended.
type Output struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// Runner runs a tool. ExecRunner runs the real one; tests may record or
// replace calls (the probe's own tests run the real tools of the machine).
type Runner interface {
	Run(ctx context.Context, name string, args ...string) (Output, error)
}

// ExecRunner runs programs found on PATH.
type ExecRunner struct{}

// packages names the Debian package of each tool, for the message of a
// missing one.
var packages = map[string]string{
	"lshw": "lshw", "lsblk": "util-linux", "smartctl": "smartmontools", "nwipe": "nwipe",
}

// MissingToolError says which tool is absent and which package brings it.
type MissingToolError struct{ Tool string }

func (e *MissingToolError) Error() string {
	pkg := packages[e.Tool]
	if pkg == "" {
		pkg = e.Tool
	}
	return fmt.Sprintf("l'outil %s est introuvable sur cette machine : installez le paquet Debian %s (apt-get install %s), ou démarrez sur la clé USB de l'atelier", e.Tool, pkg, pkg)
}

// Run runs name with args. A non-zero exit status is not an error: it is
// in Output.ExitCode, for the caller to read as the tool documents it
// (smartctl's is a bit mask). A program that cannot be started is.
func (ExecRunner) Run(ctx context.Context, name string, args ...string) (Output, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return Output{}, &MissingToolError{Tool: name}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		out.ExitCode = exit.ExitCode()
		if out.ExitCode < 0 { // killed by a signal, or by ctx
			return out, fmt.Errorf("%s interrompu : %w", name, err)
		}
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("%s : %w", name, err)
	}
	return out, nil
}

// CheckTools reports the first tool of a run that is not installed, before
// anything starts: a missing nwipe is better said before the drives are
// read than after.
func CheckTools(wipe bool) error {
	tools := []string{"lshw", "lsblk", "smartctl"}
	if wipe {
		tools = append(tools, "nwipe")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			return &MissingToolError{Tool: tool}
		}
	}
	return nil
}
