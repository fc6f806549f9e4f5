package hwreport

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// nwipe's log, as written by src/logging.c and src/device.c of nwipe 0.33
// to 0.42 (the lines did not change between these releases):
//
//	[2026/11/30 23:25:30]  notice: Found /dev/sda, ATA, WDC WD5000AAKX-0, 500 GB, S/N=WD-WCC2E7NV4C7U
//	[2026/11/30 23:25:30]  notice: Invoking method 'Fill With Zeros' on /dev/sda
//	********************************* Drive Status *********************************
//	!   Device | Status | Thru-put | HH:MM:SS | Model/Serial Number
//	--------------------------------------------------------------------------------
//	       sda | Erased |  120MB/s | 01:25:04 | WDC WD5000AAKX-0/WD-WCC2E7NV4C7U
//	--------------------------------------------------------------------------------
//	[2026/11/30 23:25:32] Total Throughput   0 B/s, Fill With Zeros, 1R+B+VL
//
// The status is " Erased ", "-FAILED-", "UABORTED" or "INSANITY"; the last
// line names the method, the rounds, B or NB (final blanking pass or not)
// and NV, VL or VA (no verification, last pass verified, every pass).
// Times are the workbench's local time; a Debian live system runs in UTC,
// so they are read as UTC.
var (
	nwipeStamp     = `\[(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\]`
	nwipeLineStart = regexp.MustCompile(`^\[\d{4}/\d{2}/\d{2} `)
	nwipeVersion   = regexp.MustCompile(`(?:info: |banner\s+= )nwipe (\d+\.\d+(?:\.\d+)?)`)
	nwipeFound     = regexp.MustCompile(`notice: Found (/dev/\S+), (.*), S/N=(.*)$`)
	nwipeInvoke    = regexp.MustCompile(nwipeStamp + `\s+notice: Invoking method '(.*)' on (/dev/\S+)`)
	nwipeTotal     = regexp.MustCompile(nwipeStamp + ` Total Throughput .*?/s, (.+), (\d+)R\+(NB|B)\+(NV|VL|VA)\s*$`)
	nwipeRow       = regexp.MustCompile(`^([! ])\s*(\S+) \|(.{8})\|\s*(.*?)/s \| (\d+):(\d\d):(\d\d) \| (.*)$`)
)

const nwipeTable = "! Device | Status | Thru-put | HH:MM:SS | Model/Serial Number"

// nwipeLogLine is a line of nwipe's log: a time stamp and a level.
var nwipeLogLine = regexp.MustCompile(`(?m)^\[\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\] +(?:info|notice|warning|error|fatal|sanity|debug): `)

// looksLikeNwipe: lines of nwipe's log, or its summary table.
func looksLikeNwipe(data []byte) bool {
	return nwipeLogLine.Match(firstLines(data)) || bytes.Contains(data, []byte("********************************* Drive Status"))
}

func firstLines(data []byte) []byte {
	if len(data) > 64<<10 {
		return data[:64<<10]
	}
	return data
}

type nwipeDevice struct{ model, serial string }

// nwipeMethods maps nwipe's method labels to what they do. Every method of
// nwipe overwrites the user-addressable area: NIST SP 800-88 Clear. The
// verification-only methods erase nothing.
var verifyOnly = []string{"Verify Zeros", "Verify Ones"}

// parseNwipe reads one erasure per row of the Drive Status summary.
func parseNwipe(data []byte) (Report, error) {
	r := Report{Kind: KindNwipe, Tool: "nwipe"}
	found := map[string]nwipeDevice{}
	started := map[string]time.Time{}
	var rows [][]string
	var inTable bool
	var total []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), MaxSize)
	for sc.Scan() {
		line := strings.TrimRight(strings.ToValidUTF8(sc.Text(), ""), "\r ")
		if m := nwipeVersion.FindStringSubmatch(line); m != nil && r.Tool == "nwipe" {
			r.Tool = "nwipe " + m[1]
		}
		if m := nwipeFound.FindStringSubmatch(line); m != nil {
			parts := strings.Split(m[2], ", ")
			model := ""
			if len(parts) >= 3 {
				model = strings.Join(parts[1:len(parts)-1], ", ")
			}
			found[base(m[1])] = nwipeDevice{model: strings.TrimSpace(model), serial: NormalizeSerial(m[3])}
			continue
		}
		if m := nwipeInvoke.FindStringSubmatch(line); m != nil {
			if t, err := time.Parse("2006/01/02 15:04:05", m[1]); err == nil {
				started[base(m[3])] = t
			}
			continue
		}
		if strings.Join(strings.Fields(line), " ") == nwipeTable {
			inTable, rows = true, nil // a later summary (SIGUSR1, end) replaces an earlier one
			continue
		}
		if inTable {
			if m := nwipeRow.FindStringSubmatch(line); m != nil {
				rows = append(rows, m)
				continue
			}
			if m := nwipeTotal.FindStringSubmatch(line); m != nil {
				total, inTable = m, false
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Report{}, invalid("Journal de nwipe illisible : " + err.Error())
	}
	if len(rows) == 0 || total == nil {
		return Report{}, invalid("Le journal de nwipe n'a pas de tableau de fin (« Drive Status » suivi de « Total Throughput ») : l'effacement n'est pas terminé ou le journal est tronqué. Envoyez le journal complet, écrit par nwipe à la fin de l'effacement.")
	}
	label := strings.TrimSpace(total[2])
	for _, v := range verifyOnly {
		if strings.HasPrefix(label, v) {
			return Report{}, invalid("Ce journal de nwipe est une vérification seule (« " + label + " ») : elle n'efface rien. Envoyez le journal d'un effacement.")
		}
	}
	rounds, _ := strconv.Atoi(total[3])
	blank, verify := total[4], total[5]
	end, _ := time.Parse("2006/01/02 15:04:05", total[1])
	method, category := nwipeMethod(label)
	for _, m := range rows {
		dev := m[2]
		status := strings.Trim(strings.TrimSpace(m[3]), "-")
		h, _ := strconv.Atoi(m[5])
		mi, _ := strconv.Atoi(m[6])
		s, _ := strconv.Atoi(m[7])
		dur := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second
		e := Erasure{Device: "/dev/" + dev, Label: label, Method: method, Category: category, Status: status, Tool: r.Tool,
			Verified: verify != "NV"}
		if d, ok := found[dev]; ok {
			e.Model, e.Serial = d.model, d.serial
		} else {
			ms := m[8]
			if i := strings.LastIndex(ms, "/"); i >= 0 {
				e.Model, e.Serial = strings.TrimSpace(ms[:i]), NormalizeSerial(ms[i+1:])
			}
		}
		e.Passed = status == "Erased" && e.Verified && m[1] != "!"
		if st, ok := started[dev]; ok {
			st, fin := st.UTC(), st.Add(dur).UTC()
			e.StartedAt, e.FinishedAt = &st, &fin
		} else if !end.IsZero() {
			st, fin := end.Add(-dur).UTC(), end.UTC()
			e.StartedAt, e.FinishedAt = &st, &fin
		}
		e.Technique = nwipeTechnique(label, rounds, blank, verify)
		r.Erasures = append(r.Erasures, e)
		r.Drives = append(r.Drives, Drive{Device: e.Device, Model: e.Model, Serial: e.Serial})
	}
	return r, nil
}

func base(dev string) string { return dev[strings.LastIndex(dev, "/")+1:] }

// nwipeMethod maps a method label to inventory's method and NIST category.
// A drive's own secure erase or sanitize command purges; every overwrite,
// whatever its passes (zeros, ones, PRNG, DoD, Gutmann, OPS-II…), clears.
func nwipeMethod(label string) (method, category string) {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "sanitize") || strings.Contains(l, "sanitise"):
		return "sanitize", "purge"
	case strings.Contains(l, "secure erase") || strings.Contains(l, "secure-erase"):
		return "secure_erase", "purge"
	}
	return "overwrite", "clear"
}

func nwipeTechnique(label string, rounds int, blank, verify string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "overwrite: %s, %d round", label, rounds)
	if rounds > 1 {
		b.WriteString("s")
	}
	if blank == "B" {
		b.WriteString(" + zero blanking pass")
	}
	switch verify {
	case "VL":
		b.WriteString(" + verify last pass")
	case "VA":
		b.WriteString(" + verify every pass")
	default:
		b.WriteString(", not verified")
	}
	return b.String()
}
