package ordi

import "testing"

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 unité"}, {1, "1 unité"}, {2, "2 unités"}, {1000, "1000 unités"}} {
		if got := Plural(c.n, "unité", "unités"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestOrList(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"A"}, "A"}, {[]string{"A", "B"}, "A ou B"}, {[]string{"A", "B", "C"}, "A, B ou C"}} {
		if got := OrList(c.in...); got != c.want {
			t.Errorf("OrList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
