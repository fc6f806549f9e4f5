package inventory

import (
	"strings"
	"unicode"
)

// SIRETLen is the number of digits of a SIRET: the 9 of the company's SIREN
// and the 5 of the establishment's NIC.
const SIRETLen = 14

// laPosteSIREN is La Poste's SIREN. Its establishments have far more SIRETs
// than the Luhn key leaves room for, so INSEE numbers them with another rule:
// the sum of the 14 digits is a multiple of 5.
const laPosteSIREN = "356000000"

// NormalizeSIRET returns s without its spaces (including the no-break spaces
// of French typography) and dots, the separators people copy from letters
// and registries: "356 000 000 00048" becomes "35600000000048". It does not
// validate; see ValidSIRET.
func NormalizeSIRET(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// ValidSIRET reports whether s, once normalised, is a plausible SIRET: 14
// digits whose SIREN (first 9) passes the Luhn check and is not all zeros,
// and whose 14 digits pass the Luhn check too, or, for La Poste's SIREN
// 356000000, add up to a multiple of 5.
//
// Both rules are accepted for La Poste because its head office,
// 356 000 000 00048, follows Luhn and not the multiple of 5.
func ValidSIRET(s string) bool {
	s = NormalizeSIRET(s)
	if len(s) != SIRETLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	siren := s[:9]
	if siren == "000000000" || !luhn10(siren) {
		return false
	}
	if luhn10(s) {
		return true
	}
	if siren != laPosteSIREN {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum%5 == 0
}

// FormatSIRET writes a valid SIRET the way INSEE prints it,
// "356 000 000 00048", for documents and screens. Anything else is returned
// unchanged.
func FormatSIRET(s string) string {
	if !ValidSIRET(s) {
		return s
	}
	s = NormalizeSIRET(s)
	return s[0:3] + " " + s[3:6] + " " + s[6:9] + " " + s[9:]
}

// luhn10 reports whether the decimal digits s pass the Luhn check: from the
// right, every second digit is doubled (minus 9 when above 9) and the total
// is a multiple of 10.
func luhn10(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
