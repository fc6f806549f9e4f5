package ordi

import (
	"strconv"
	"strings"
)

// Plural writes a count with its noun, French style: 0 and 1 take the
// singular ("1 unité", "0 séance", "3 unités").
func Plural(n int, one, many string) string {
	if n < 2 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

// OrList joins choices the French way: "A", "A ou B", "A, B ou C".
func OrList(choices ...string) string {
	switch len(choices) {
	case 0:
		return ""
	case 1:
		return choices[0]
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " ou " + choices[len(choices)-1]
}
