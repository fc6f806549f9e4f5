package ordi

import "strings"

// foldPairs maps the accented letters of French (and of the names families
// bring from elsewhere in Europe) to their plain lower-case form, in both
// cases: SQLite's LOWER() only lowers ASCII, so FoldSQL must replace the
// capitals too.
var foldPairs = []string{
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "À", "a", "Á", "a", "Â", "a", "Ã", "a", "Ä", "a", "Å", "a",
	"ç", "c", "Ç", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "È", "e", "É", "e", "Ê", "e", "Ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "Ì", "i", "Í", "i", "Î", "i", "Ï", "i",
	"ñ", "n", "Ñ", "n",
	"ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "Ò", "o", "Ó", "o", "Ô", "o", "Õ", "o", "Ö", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "Ù", "u", "Ú", "u", "Û", "u", "Ü", "u",
	"ý", "y", "ÿ", "y", "Ý", "y", "Ÿ", "y",
	"œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae",
}

var folder = strings.NewReplacer(foldPairs...)

// Fold is the form searches compare: lower case, without diacritics
// ("Aïcha" and "AICHA" fold to "aicha"). Letters outside foldPairs are only
// lowered.
func Fold(s string) string { return strings.ToLower(folder.Replace(s)) }

// FoldSQL is an SQL expression folding column as Fold does, the same on
// SQLite and PostgreSQL (nested REPLACE, then LOWER). column must be a
// trusted identifier, never user input.
func FoldSQL(column string) string {
	expr := column
	for i := 0; i < len(foldPairs); i += 2 {
		expr = "REPLACE(" + expr + ", '" + foldPairs[i] + "', '" + foldPairs[i+1] + "')"
	}
	return "LOWER(" + expr + ")"
}

// SearchWords splits a search into its folded words, at most max of them:
// a row matches when it contains every word, in any order ("t480 lenovo").
func SearchWords(q string, max int) []string {
	words := strings.Fields(Fold(q))
	if len(words) > max {
		words = words[:max]
	}
	return words
}
