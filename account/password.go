package account

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 12

// maxPasswordLength bounds the work an attacker can make us do, in characters.
const maxPasswordLength = 256

// argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes, one
// lane), affordable on a refurbished PC serving a handful of users.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("account: malformed password hash")

// CheckPassword reports whether password matches hash, in constant time.
// Parameters are read from the hash, so hashes made with older parameters
// keep working.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Password rules, checked when a password is chosen (never at sign-in).
// Lengths are counted in characters, as the messages say.

// commonPasswordList is the 10,000 most common passwords, one a line, lower
// case (commonpasswords/README.md says where it comes from).
//
//go:embed commonpasswords/top10000.txt
var commonPasswordList string

// commonPasswords is the list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for _, p := range strings.Split(commonPasswordList, "\n") {
		if p != "" {
			set[p] = struct{}{}
		}
	}
	return set
})

// isCommonPassword reports whether password, ignoring case, is one of the
// most common passwords, or one of them followed by digits and punctuation
// ("azertyuiop2024!"): the usual way of stretching one to the minimum length.
func isCommonPassword(password string) bool {
	p := strings.ToLower(password)
	set := commonPasswords()
	if _, ok := set[p]; ok {
		return true
	}
	core := strings.TrimRightFunc(p, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ' })
	_, ok := set[core]
	return core != "" && ok
}

// checkPasswordRules returns a French message when password may not be
// chosen by the account whose login is email (lower case, may be empty).
func checkPasswordRules(password, email string) string {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(email, "@")
	switch {
	case n < MinPasswordLength:
		return fmt.Sprintf("Le mot de passe doit compter au moins %d caractères.", MinPasswordLength)
	case n > maxPasswordLength:
		return fmt.Sprintf("Le mot de passe est trop long (%d caractères au plus).", maxPasswordLength)
	case strings.TrimSpace(password) == "":
		return "Le mot de passe ne peut pas être fait que d'espaces."
	case oneCharacter(password):
		return "Le mot de passe ne peut pas répéter un seul caractère : choisissez plusieurs mots, par exemple."
	case email != "" && (lower == email || utf8.RuneCountInString(local) >= minLocalPartInPassword && strings.Contains(lower, local)):
		return "Le mot de passe ne doit pas reprendre l'adresse e-mail du compte."
	case isCommonPassword(password):
		return "Ce mot de passe fait partie des plus courants, que les attaquants essaient en premier : choisissez-en un autre."
	}
	return ""
}

// minLocalPartInPassword is the shortest e-mail local part ("jean" of
// jean@asso.fr) that a password may not contain: shorter ones ("al") occur
// in ordinary words.
const minLocalPartInPassword = 4

// oneCharacter reports whether s repeats a single character.
func oneCharacter(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}
