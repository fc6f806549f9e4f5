package ordi

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Aïcha":         "aicha",
		"AÏCHA BENALI":  "aicha benali",
		"Éloïse Œuvray": "eloise oeuvray",
		"Lenovo T480":   "lenovo t480",
		"Ñúñez Çelik":   "nunez celik",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	if got := SearchWords("  Lenovo   T480 ", 5); !slices.Equal(got, []string{"lenovo", "t480"}) {
		t.Errorf("words %q", got)
	}
	if got := SearchWords("a b c d", 2); len(got) != 2 {
		t.Errorf("at most 2 words: %q", got)
	}
}
