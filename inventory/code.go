// Package inventory tracks donors, donations and units (machines) through
// refurbishment: data erasure, repairs, reuse or recycling.
package inventory

import (
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
)

// CodeAlphabet is Crockford's base-32 alphabet: digits and capital letters
// without I, L, O and U, so that a code read aloud or typed is unambiguous.
const CodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Lengths of a unit code: CodeRandomLen random symbols followed by one check
// symbol.
const (
	CodeRandomLen = 6
	CodeLen       = CodeRandomLen + 1
)

// codeBase is N in Luhn mod N: the number of symbols of CodeAlphabet.
const codeBase = len(CodeAlphabet)

// symbolValue maps an input byte to its value in CodeAlphabet, or -1. It
// accepts lower case and reads I and L as 1 and O as 0, as Crockford's
// decoding rules say; U stays refused.
var symbolValue = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for v := 0; v < codeBase; v++ {
		c := CodeAlphabet[v]
		t[c] = int8(v)
		if c >= 'A' && c <= 'Z' {
			t[c+'a'-'A'] = int8(v)
		}
	}
	for _, c := range "IiLl" {
		t[c] = 1
	}
	for _, c := range "Oo" {
		t[c] = 0
	}
	return t
}()

// Code is the public identifier of a unit, printed under its QR label: six
// random symbols of CodeAlphabet and a Luhn mod 32 check symbol, always in
// canonical form (upper case, no separators). Obtain one from NewCode or
// ParseCode; see docs/unit-codes.md for the reasons behind the format.
type Code string

// String returns the code in canonical form, e.g. "7K3QZ01".
func (c Code) String() string { return string(c) }

// NewCode draws a new random code from r, which is crypto/rand.Reader in
// production and a deterministic reader in tests. Codes must be unique: the
// store retries with a fresh code when the database reports a collision.
func NewCode(r io.Reader) (Code, error) {
	var buf [CodeRandomLen]byte
	if _, err := io.ReadFull(r, buf[:]); err != nil {
		return "", fmt.Errorf("inventory: draw a unit code: %w", err)
	}
	var b [CodeLen]byte
	for i, x := range buf {
		// 256 is a multiple of 32: the low five bits of a uniform byte are
		// a uniform symbol, without modulo bias.
		b[i] = CodeAlphabet[int(x)%codeBase]
	}
	b[CodeRandomLen] = CodeAlphabet[checkValue(b[:CodeRandomLen])]
	return Code(b[:]), nil
}

// errUnknownCode is the cause kept in every refusal of ParseCode, for logs.
var errUnknownCode = errors.New("malformed unit code")

// ParseCode reads a code typed or scanned by a person. It trims spaces,
// ignores hyphens and inner spaces ("7K3 QZ01", "7k3-qzol"), accepts lower
// case and reads I and L as 1 and O as 0. It refuses anything else (wrong
// length, U, other symbols) and a wrong check symbol, so that a mistyped code
// is refused before any lookup. Every refusal is an ordi.NotFound error with
// the message "Code inconnu": to the caller a malformed code is just a code
// that does not exist.
func ParseCode(s string) (Code, error) {
	var b [CodeLen]byte
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
				continue
			}
			v := symbolValue[c]
			if v < 0 || n == CodeLen {
				return "", unknownCode()
			}
			b[n] = CodeAlphabet[v]
			n++
			continue
		}
		// Outside ASCII only spaces are allowed (a no-break space pasted
		// from a document); never case-fold Unicode letters such as ſ or
		// ı into code symbols.
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			return "", unknownCode()
		}
		i += size
	}
	if n != CodeLen || !ValidCheck(string(b[:])) {
		return "", unknownCode()
	}
	return Code(b[:]), nil
}

// unknownCode is the refusal of ParseCode. It never echoes the input, which
// may be anything a user typed.
func unknownCode() error {
	return &ordi.Error{Kind: ordi.NotFound, Message: "Code inconnu", Err: errUnknownCode}
}

// ValidCheck reports whether s is a code in canonical form (CodeLen symbols
// of CodeAlphabet, upper case, no separators) whose last symbol is the
// Luhn mod 32 check symbol of the others.
func ValidCheck(s string) bool {
	if len(s) != CodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !canonical(s[i]) {
			return false
		}
	}
	return luhnSum(s, 1)%codeBase == 0
}

// canonical reports whether c is a symbol of CodeAlphabet as written there.
func canonical(c byte) bool {
	v := symbolValue[c]
	return v >= 0 && CodeAlphabet[v] == c
}

// checkValue returns the value of the Luhn mod N check symbol of payload,
// canonical symbols of CodeAlphabet: the value that, appended, makes the
// Luhn sum of the whole a multiple of N.
func checkValue[S ~string | ~[]byte](payload S) int {
	// The check symbol will take weight 1, so the payload's last symbol
	// starts with weight 2.
	return (codeBase - luhnSum(payload, 2)%codeBase) % codeBase
}

// luhnSum is the Luhn mod N sum of s, walking from its last symbol with the
// given first weight (1 or 2) and alternating: each weighted value is
// folded back into [0, N) by adding its base-N digits.
func luhnSum[S ~string | ~[]byte](s S, weight int) int {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		x := weight * int(symbolValue[s[i]])
		sum += x/codeBase + x%codeBase
		weight = 3 - weight
	}
	return sum
}
