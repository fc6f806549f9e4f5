package inventory

import (
	"strings"

	"github.com/ordi-app/ordi"
)

// The rules that tie an erasure's NIST SP 800-88 category to what was done
// and to what it was done on. NIST SP 800-88 Rev. 2 (with IEEE 2883, to
// which it defers for the media-specific techniques):
//   - Clear: logical techniques on the user-addressable areas. Overwriting
//     is Clear on every medium, and never more: a hard disk's overwrite by
//     software leaves remapped sectors, flash memory keeps spare and retired
//     cells that no write reaches.
//   - Purge: the device's own sanitize, secure-erase or cryptographic-erase
//     command, or degaussing a magnetic disk. A USB stick or memory card has
//     no such command; degaussing does nothing to flash memory.
//   - Destroy: physical destruction (shredding, disintegrating, pulverising,
//     incinerating), whatever the medium. Drilling or bending is not
//     destruction in this sense: pieces of platter or chips stay readable.
//
// A stronger method also achieves the weaker categories (a purged drive is
// cleared), so Clear stays allowed after a Purge method; Destroy is allowed
// after a destruction only, and a destruction is recorded as Destroy only.

// purgeMethods are the device commands that purge.
var purgeMethods = []ErasureMethod{MethodSanitize, MethodSecureErase, MethodCryptoErase}

// AllowedCategories returns the categories an erasure by method on medium may
// claim, weakest first; none when the method does not sanitise that medium.
// An empty medium is a unit's internal drive whose technology is not known:
// the commands are trusted, degaussing is not (it needs a magnetic disk).
func AllowedCategories(medium Medium, method ErasureMethod) []ErasureCategory {
	switch {
	case method == MethodOverwrite:
		return []ErasureCategory{ErasureClear}
	case method == MethodDestruction:
		return []ErasureCategory{ErasureDestroy}
	case method == MethodDegauss && medium.Magnetic():
		return []ErasureCategory{ErasureClear, ErasurePurge}
	case isPurgeCommand(method) && medium != MediumUSB:
		return []ErasureCategory{ErasureClear, ErasurePurge}
	}
	return nil
}

func isPurgeCommand(m ErasureMethod) bool {
	for _, p := range purgeMethods {
		if p == m {
			return true
		}
	}
	return false
}

// checkSanitization adds to v what makes category untrue for an erasure by
// method on medium, naming what is allowed. Unknown values are reported
// elsewhere.
func checkSanitization(v *ordi.Validation, medium Medium, method ErasureMethod, category ErasureCategory) {
	if !method.Valid() || (medium != "" && !medium.Valid()) {
		return
	}
	allowed := AllowedCategories(medium, method)
	if len(allowed) == 0 {
		switch {
		case method == MethodDegauss && medium == "":
			v.Add("medium", "Précisez le support : la démagnétisation n'efface qu'un disque dur magnétique.")
		case method == MethodDegauss:
			v.Add("method", "La démagnétisation n'efface pas une mémoire flash ("+medium.Label()+") : choisissez une commande Sanitize, un effacement sécurisé ou cryptographique (Purge), une réécriture (Clear) ou une destruction physique (Destroy).")
		default:
			v.Add("method", "Une clé USB ou une carte mémoire n'a pas de commande d'effacement sécurisé : choisissez une réécriture (Clear) ou une destruction physique (Destroy).")
		}
		return
	}
	if !category.Valid() {
		return
	}
	for _, c := range allowed {
		if c == category {
			return
		}
	}
	var why string
	switch {
	case category == ErasureDestroy:
		why = "Destroy désigne la destruction physique du support (broyage, désintégration, pulvérisation, incinération)."
	case method == MethodDestruction:
		why = "Un support détruit physiquement relève de Destroy."
	case category == ErasurePurge:
		why = "Une réécriture par logiciel n'atteint pas les secteurs réalloués ni, sur une mémoire flash, les cellules de réserve : c'est un effacement Clear. Purge demande une commande Sanitize, d'effacement sécurisé ou cryptographique"
		if medium == "" || medium.Magnetic() {
			why += ", ou la démagnétisation d'un disque dur"
		}
		why += "."
	}
	names := make([]string, len(allowed))
	for i, c := range allowed {
		names[i] = "« " + c.Label() + " »"
	}
	on := ""
	if medium != "" {
		on = " sur " + medium.Label()
	}
	v.Add("category", why+" Pour « "+method.Label()+" »"+on+", catégorie possible : "+strings.Join(names, " ou ")+" (NIST SP 800-88).")
}

// methodKeywords recognise the method in a free-text technique, for clients
// that send only the technique (API v1 before the method field). The first
// family that matches wins, strongest first, so that "ATA sanitize overwrite"
// is a sanitize command. Keywords are lower case, with and without accents.
var methodKeywords = []struct {
	method ErasureMethod
	words  []string
}{
	{MethodDestruction, []string{"broy", "shred", "désintégr", "desintegr", "disintegr", "pulvéris", "pulveris", "pulveriz", "incinér", "inciner", "destruction physique"}},
	{MethodDegauss, []string{"degauss", "démagnét", "demagnet"}},
	{MethodCryptoErase, []string{"crypto"}},
	{MethodSanitize, []string{"sanitize", "sanitise"}},
	{MethodSecureErase, []string{"secure erase", "secure-erase", "security erase", "secure_erase", "effacement sécurisé", "effacement securise"}},
	{MethodOverwrite, []string{"overwrite", "écras", "ecras", "réécri", "reecri", "nwipe", "dban", "zéro", "zero", "passe", "pass"}},
}

// MethodOf recognises the method named in a free-text technique, or returns
// "" when it names none.
func MethodOf(technique string) ErasureMethod {
	t := strings.ToLower(technique)
	for _, k := range methodKeywords {
		for _, w := range k.words {
			if strings.Contains(t, w) {
				return k.method
			}
		}
	}
	return ""
}
