package web

import (
	"strings"
	"testing"
)

func TestFrenchSpacing(t *testing.T) {
	const nb, nnb = "\u00A0", "\u202F"
	for _, tc := range []struct{ name, in, want string }{
		{"Colon", "<p>Motif : refusé</p>", "<p>Motif" + nb + ": refusé</p>"},
		{"HighSigns", "<p>Sûr ? Oui ! Non ; peut-être</p>", "<p>Sûr" + nnb + "? Oui" + nnb + "! Non" + nnb + "; peut-être</p>"},
		{"Guillemets", "<p>le numéro « REM-2026-0042 ».</p>", "<p>le numéro «" + nb + "REM-2026-0042" + nb + "».</p>"},
		{"RunOfSpaces", "<p>Motif\n   : refusé</p>", "<p>Motif" + nb + ": refusé</p>"},
		{"NoSpaceNoChange", "<p>15:04 https://x.example/?q=1 a;b</p>", "<p>15:04 https://x.example/?q=1 a;b</p>"},
		{"OtherSpacesKept", "<p>un  deux\ntrois</p>", "<p>un  deux\ntrois</p>"},
		{"MarkupUntouched", `<a href="/u?x=1&amp;y=2" class="a : b">Voir ?</a>`, `<a href="/u?x=1&amp;y=2" class="a : b">Voir` + nnb + `?</a>`},
		{"SpacedAttributes", `<button data-confirm="Émettre ? L'ancien sera « remplacé »." title="Note : x">`,
			`<button data-confirm="Émettre` + nnb + `? L'ancien sera «` + nb + `remplacé` + nb + `»." title="Note` + nb + `: x">`},
		{"OtherAttributesVerbatim", `<input name="q" value="a : b ?">`, `<input name="q" value="a : b ?">`},
		{"SingleQuotes", `<meta content='{"a" : 1}'><p title='x ?'>`, `<meta content='{"a" : 1}'><p title='x` + nnb + `?'>`},
		{"Textarea", "<textarea name=\"notes\">Note : à garder ?</textarea><p>a ?</p>", "<textarea name=\"notes\">Note : à garder ?</textarea><p>a" + nnb + "?</p>"},
		{"Code", "<p>calculez <code>sha256sum a : b</code> : identique</p>", "<p>calculez <code>sha256sum a : b</code>" + nb + ": identique</p>"},
		{"Script", "<script>if (a ? b : c) {}</script><style>a:hover { x : y; }</style>", "<script>if (a ? b : c) {}</script><style>a:hover { x : y; }</style>"},
		{"UpperCaseClosing", "<PRE>a : b</PRE> c : d", "<PRE>a : b</PRE> c" + nb + ": d"},
		{"Comment", "<!-- a : b --><p>c : d</p>", "<!-- a : b --><p>c" + nb + ": d</p>"},
		{"Doctype", "<!doctype html><title>Ordi : accueil</title>", "<!doctype html><title>Ordi" + nb + ": accueil</title>"},
		{"LoneLessThan", "<p>a < b : c</p>", "<p>a < b" + nb + ": c</p>"},
		{"GreaterThanInAttribute", `<p title="a > b" class="x">c ?</p>`, `<p title="a > b" class="x">c` + nnb + `?</p>`},
		{"Unterminated", "<p>a ?<textarea>b : c", "<p>a" + nnb + "?<textarea>b : c"},
		{"Empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(frenchSpacing([]byte(tc.in))); got != tc.want {
				t.Errorf("frenchSpacing(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzFrenchSpacing: whatever the page, only white space changes, and only
// into no-break spaces; running it twice changes nothing more.
func FuzzFrenchSpacing(f *testing.F) {
	for _, s := range []string{"<p>a : b</p>", "<textarea>a ?</textarea>", `<a title="« x »">y !</a>`, "<!-- x", "<p a='b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := string(frenchSpacing([]byte(in)))
		strip := strings.NewReplacer(" ", "", "\t", "", "\n", "", "\r", "", "\u00A0", "", "\u202F", "")
		if strip.Replace(out) != strip.Replace(in) {
			t.Fatalf("frenchSpacing(%q) = %q changes more than spaces", in, out)
		}
		if again := string(frenchSpacing([]byte(out))); again != out {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
	})
}
