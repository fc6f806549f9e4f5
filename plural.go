package ordi

import "strconv"

// Plural writes a count with its noun, French style: 0 and 1 take the
// singular ("1 unité", "0 séance", "3 unités").
func Plural(n int, one, many string) string {
	if n < 2 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}
