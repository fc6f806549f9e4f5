package inventory_test

import (
	"testing"

	"github.com/ordi-app/ordi/inventory"
)

func TestValidSIRET(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct{ name, siret string }{
			// Public establishments, as published in the SIRENE register.
			{"CommuneDeParis", "21750001600019"}, // Hôtel de Ville
			{"DepartementDeVaucluse", "22840001600017"},
			{"UniversiteDeRouen", "19761904200017"},
			// Companies listed as valid in python-stdnum's test suite.
			{"GoogleFrance", "73282932000074"},
			{"Company1", "44126652500019"},
			{"Company2", "79068156300017"},
			{"Company3", "77556323200104"},
			// La Poste: its head office follows Luhn...
			{"LaPosteHeadOffice", "35600000000048"},
			// ...its other establishments add up to a multiple of 5 and fail Luhn.
			{"LaPosteEstablishment1", "35600000009075"},
			{"LaPosteEstablishment2", "35600000049837"},
			// Separators people copy from letters and registries.
			{"Spaces", "217 500 016 00019"},
			{"NoBreakSpaces", "217\u00a0500\u00a0016\u00a000019"},
			{"NarrowNoBreakSpaces", "217\u202f500\u202f016\u202f00019"},
			{"Dots", "775.563.232.00104"},
			{"Padded", "  35600000009075 "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if !inventory.ValidSIRET(tc.siret) {
					t.Fatalf("ValidSIRET(%q) = false", tc.siret)
				}
			})
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct{ name, siret string }{
			{"Empty", ""},
			{"Blank", "   "},
			{"TooShort", "2175000160001"},
			{"TooLong", "217500016000190"},
			{"SIRENOnly", "217500016"},
			{"WrongLastDigit", "21750001600018"},
			{"WrongFirstDigit", "31750001600019"},
			{"AdjacentSwap", "21750001600091"},
			{"Letter", "2175000160001A"},
			{"LetterO", "2175OOO16OOO19"},
			{"Hyphens", "217-500-016-00019"},
			{"FullwidthDigits", "２１７５０００１６０００１９"},
			{"Minus", "-1750001600019"},
			{"AllZeros", "00000000000000"},
			// Luhn-valid over 14 digits, but the SIREN's own key is wrong.
			{"BadSIRENKey", "21750001500003"},
			// La Poste: neither Luhn nor a multiple of 5.
			{"LaPosteWrongSum", "35600000049838"},
			// Digit sum a multiple of 5 is La Poste's rule only.
			{"NotLaPosteSumOfFive", "21750001600017"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if inventory.ValidSIRET(tc.siret) {
					t.Fatalf("ValidSIRET(%q) = true", tc.siret)
				}
			})
		}
	})
}

// TestValidSIRETSingleDigitErrors changes each digit of real SIRETs (outside
// La Poste) to each other digit: Luhn catches every one.
func TestValidSIRETSingleDigitErrors(t *testing.T) {
	for _, siret := range []string{"21750001600019", "22840001600017", "73282932000074", "35600000000048"} {
		for i := range len(siret) {
			for d := byte('0'); d <= '9'; d++ {
				if d == siret[i] {
					continue
				}
				typo := siret[:i] + string(d) + siret[i+1:]
				if siret[:9] == "356000000" && typo[:9] == "356000000" {
					continue // La Poste's rule may accept a changed NIC
				}
				if inventory.ValidSIRET(typo) {
					t.Errorf("%s → %s accepted", siret, typo)
				}
			}
		}
	}
}

func TestNormalizeSIRET(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"217 500 016 00019", "21750001600019"},
		{" 217\u00a0500\u202f016\t00019\n", "21750001600019"},
		{"775.563.232.00104", "77556323200104"},
		{"21750001600019", "21750001600019"},
		{"", ""},
		{"2175-0001", "2175-0001"}, // not a separator: left for ValidSIRET to refuse
	} {
		if got := inventory.NormalizeSIRET(tc.in); got != tc.want {
			t.Errorf("NormalizeSIRET(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatSIRET(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"21750001600019", "217 500 016 00019"},
		{"356.000.000.00048", "356 000 000 00048"},
		{"35600000009075", "356 000 000 09075"},
		{"21750001600018", "21750001600018"}, // invalid: unchanged
		{"", ""},
	} {
		if got := inventory.FormatSIRET(tc.in); got != tc.want {
			t.Errorf("FormatSIRET(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
