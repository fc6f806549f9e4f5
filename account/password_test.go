package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
)

func TestPasswordRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		email    string
		password string
		message  string // part of the French message; "" when accepted
	}{
		{"OK", "marie.dupont@example.org", "correct horse battery", ""},
		{"OKTwelveAccentedCharacters", "marie.dupont@example.org", "éàüöçñøåæœßð", ""},
		{"OK256Characters", "marie.dupont@example.org", strings.Repeat("é", 255) + "a", ""},
		{"OKShortLocalPartInside", "al@example.org", "royal albatross over the bay", ""},
		{"ErrShort", "marie.dupont@example.org", "court", "au moins 12 caractères"},
		{"ErrElevenAccentedCharacters", "marie.dupont@example.org", "éàüöçñøåæœß", "au moins 12 caractères"},
		{"ErrTooLong", "marie.dupont@example.org", strings.Repeat("é", 257), "256 caractères au plus"},
		{"ErrSpaces", "marie.dupont@example.org", strings.Repeat(" ", 14), "espaces"},
		{"ErrOneCharacter", "marie.dupont@example.org", "aaaaaaaaaaaaaaaa", "un seul caractère"},
		{"ErrOneAccentedCharacter", "marie.dupont@example.org", "éééééééééééé", "un seul caractère"},
		{"ErrTheEmail", "marie.dupont@example.org", "Marie.Dupont@example.org", "adresse e-mail"},
		{"ErrTheLocalPart", "marie.dupont@example.org", "marie.dupont2026!", "adresse e-mail"},
		{"ErrCommon", "marie.dupont@example.org", "1qaz2wsx3edc", "plus courants"},
		{"ErrCommonUpperCase", "marie.dupont@example.org", "QWERTY123456", "plus courants"},
		{"ErrCommonWithDigits", "marie.dupont@example.org", "azertyuiop2026!", "plus courants"},
		{"ErrCommonWordWithDigits", "marie.dupont@example.org", "sunshine12345", "plus courants"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := account.NewUser{Email: tc.email, Name: "Marie", Role: ordi.RoleStaff, Password: tc.password}
			n.Normalize()
			err := n.Validate()
			if tc.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
				t.Fatalf("err = %v, want one Invalid password field", err)
			}
			if !strings.Contains(e.Fields[0].Message, tc.message) {
				t.Fatalf("message %q lacks %q", e.Fields[0].Message, tc.message)
			}
		})
	}
}
