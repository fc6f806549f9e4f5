package inventory

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/ordi-app/ordi"
)

// ImportMapping says how a donor's columns become a unit's fields: Columns
// maps a column's header, as the file writes it, to a field (the API's name;
// a column left out, or mapped to "", is ignored); Kinds maps the values of
// the kind column, folded (see FoldHeader), to a unit kind; DefaultKind is
// the kind of a row whose kind cell is empty, or of every row when no column
// gives it.
type ImportMapping struct {
	Columns     map[string]string `json:"columns"`
	Kinds       map[string]Kind   `json:"kinds"`
	DefaultKind Kind              `json:"default_kind,omitempty"`
}

// MappingTarget is a field a donor's column may be mapped to.
type MappingTarget struct {
	Field string `json:"field"`
	Label string `json:"label"`
}

// MappingTargets are the fields of a unit a column may fill, in the order
// the mapping page offers them.
var MappingTargets = []MappingTarget{
	{"kind", "Type d'unité"}, {"brand", "Marque"}, {"model", "Modèle"}, {"serial_number", "N° de série"},
	{"cpu", "Processeur"}, {"ram_gb", "Mémoire vive (Go)"}, {"storage_gb", "Stockage (Go)"},
	{"storage_kind", "Type de stockage"}, {"screen_inches", "Écran (pouces)"}, {"weight_kg", "Poids (kg)"},
	{"grade", "Grade"}, {"os", "Système"}, {"notes", "Remarques"},
}

func isTarget(field string) bool {
	for _, t := range MappingTargets {
		if t.Field == field {
			return true
		}
	}
	return false
}

// FoldHeader is the form headers and kind values are compared in: folded as
// searches are (case and accents), every run of other characters than
// letters and digits made one space ("N° de série" → "n de serie",
// "RAM (Go)" → "ram go").
func FoldHeader(s string) string {
	var b strings.Builder
	space := false
	for _, r := range ordi.Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// headerWords are the headers each field is suggested for, folded. They
// come from the API's own names, from French and English office habits, and
// from the exports of GLPI (French: Fabricant, Modèle, Numéro de série,
// Type, Mémoire (Mio); English: Manufacturer, Model, Serial number) and
// Snipe-IT (Manufacturer, Model Name, Model No., Category, Serial); see
// inventory/mapping_test.go for the sources.
var headerWords = map[string][]string{
	"brand": {"brand", "fabricant", "marque", "manufacturer", "constructeur", "make", "vendor", "editeur"},
	"model": {"model", "modele", "model name", "nom du modele", "nom de modele", "modele de l ordinateur", "reference modele"},
	"serial_number": {"serial number", "serial", "serial no", "sn", "s n", "n de serie", "no de serie", "numero de serie",
		"num serie", "num de serie", "numero serie", "service tag", "servicetag", "n serie"},
	"cpu":          {"cpu", "processeur", "processor", "proc", "composants processeur", "processeurs"},
	"ram_gb":       {"ram gb", "ram", "memoire", "memoire vive", "memory", "ram go", "memoire go", "memoire mio", "memoire mo", "ram mo", "ram mb", "memory gb", "memory mb"},
	"storage_gb":   {"storage gb", "disque", "stockage", "storage", "disque dur", "disk", "hard drive", "hdd", "ssd", "capacite", "capacite disque", "capacite de stockage", "disque go", "stockage go", "taille disque", "disk size"},
	"storage_kind": {"storage kind", "type de disque", "type disque", "type de stockage", "type stockage", "storage type", "disk type"},
	"kind":         {"kind", "type", "categorie", "category", "type de materiel", "type materiel", "type d unite", "type d equipement", "asset type", "device type"},
	"screen_inches": {"screen inches", "ecran", "taille ecran", "taille d ecran", "ecran pouces", "diagonale", "pouces",
		"screen", "screen size", "display size", "taille de l ecran"},
	"weight_kg": {"weight kg", "poids", "poids kg", "weight", "masse"},
	"grade":     {"grade", "classe", "etat esthetique"},
	"os":        {"os", "systeme", "systeme d exploitation", "operating system", "systeme d exploitation nom", "os name"},
	"notes":     {"notes", "note", "remarques", "remarque", "commentaires", "commentaire", "comments", "comment", "observations"},
}

// headerIndex is headerWords inverted.
var headerIndex = func() map[string]string {
	m := map[string]string{}
	for field, words := range headerWords {
		for _, w := range words {
			m[w] = field
		}
	}
	return m
}()

// unitWords are trailing words a header may carry to say its unit
// ("RAM (Go)", "Poids (kg)"); they are dropped before a second look.
var unitWords = map[string]bool{"go": true, "gb": true, "gio": true, "gib": true, "mo": true, "mb": true, "mio": true,
	"mib": true, "to": true, "tb": true, "kg": true, "pouces": true, "inches": true, "in": true}

// SuggestField is the field a header suggests, or "".
func SuggestField(header string) string {
	h := FoldHeader(header)
	if f, ok := headerIndex[h]; ok {
		return f
	}
	words := strings.Fields(h)
	for len(words) > 1 && unitWords[words[len(words)-1]] {
		words = words[:len(words)-1]
		if f, ok := headerIndex[strings.Join(words, " ")]; ok {
			return f
		}
	}
	return ""
}

// kindWords are the kind values suggested for the donor's words, folded.
var kindWords = map[string]Kind{
	"laptop": KindLaptop, "portable": KindLaptop, "notebook": KindLaptop, "ordinateur portable": KindLaptop,
	"pc portable": KindLaptop, "ultraportable": KindLaptop, "netbook": KindLaptop,
	"desktop": KindDesktop, "fixe": KindDesktop, "uc": KindDesktop, "tour": KindDesktop, "pc fixe": KindDesktop,
	"ordinateur fixe": KindDesktop, "unite centrale": KindDesktop, "pc de bureau": KindDesktop, "tower": KindDesktop,
	"mini pc": KindDesktop, "station de travail": KindDesktop, "workstation": KindDesktop,
	"screen": KindScreen, "ecran": KindScreen, "monitor": KindScreen, "moniteur": KindScreen,
	"all in one": KindAllInOne, "tout en un": KindAllInOne, "aio": KindAllInOne,
	"tablet": KindTablet, "tablette": KindTablet,
	"other": KindOther, "autre": KindOther,
}

// SuggestKind is the kind a donor's word suggests, or "".
func SuggestKind(value string) Kind {
	v := FoldHeader(value)
	if k, ok := kindWords[v]; ok {
		return k
	}
	if k := Kind(strings.ReplaceAll(v, " ", "_")); k.Valid() {
		return k
	}
	return ""
}

// SuggestMapping maps each header to the field it suggests; a field goes to
// the first header that suggests it. Every value of the kind column that
// suggests a kind is mapped. remembered, when not nil, is the donor's last
// mapping: its choices win for the headers it knows (compared folded), as do
// its kind values.
func SuggestMapping(sh Sheet, remembered *ImportMapping) ImportMapping {
	m := ImportMapping{Columns: map[string]string{}, Kinds: map[string]Kind{}}
	taken := map[string]bool{}
	if remembered != nil {
		m.DefaultKind = remembered.DefaultKind
		known := make(map[string]string, len(remembered.Columns))
		for h, f := range remembered.Columns {
			known[FoldHeader(h)] = f
		}
		for _, h := range sh.Header {
			if f, ok := known[FoldHeader(h)]; ok && h != "" && (f == "" || isTarget(f)) && !taken[f] {
				m.Columns[h] = f
				if f != "" {
					taken[f] = true
				}
			}
		}
	}
	for _, h := range sh.Header {
		if _, done := m.Columns[h]; done || h == "" {
			continue
		}
		if f := SuggestField(h); f != "" && !taken[f] {
			m.Columns[h] = f
			taken[f] = true
		}
	}
	for _, v := range KindValues(sh, m) {
		key := FoldHeader(v)
		if remembered != nil {
			if k, ok := remembered.Kinds[key]; ok && k.Valid() {
				m.Kinds[key] = k
				continue
			}
		}
		if k := SuggestKind(v); k != "" {
			m.Kinds[key] = k
		}
	}
	return m
}

// maxKindValues bounds the distinct kind values a mapping page lists.
const maxKindValues = 50

// KindValues are the distinct values of the column mapped to kind, as first
// written, in the order met (at most maxKindValues).
func KindValues(sh Sheet, m ImportMapping) []string {
	col := -1
	for i, h := range sh.Header {
		if m.Columns[h] == "kind" {
			col = i
			break
		}
	}
	if col < 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range sh.Rows {
		v := r.cell(col)
		key := FoldHeader(v)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, v)
		if len(out) == maxKindValues {
			break
		}
	}
	return out
}

// CheckMapping refuses a mapping naming an unknown field or kind, or a
// field twice; headers it names that the file lacks are ignored (a
// remembered mapping may know more columns than this file has).
func CheckMapping(m ImportMapping) error {
	var v ordi.Validation
	seen := map[string]string{}
	headers := make([]string, 0, len(m.Columns))
	for h := range m.Columns {
		headers = append(headers, h)
	}
	sort.Strings(headers)
	for _, h := range headers {
		f := m.Columns[h]
		switch {
		case f == "":
		case !isTarget(f):
			v.Addf("columns", "Colonne « %s » : champ « %s » inconnu.", h, f)
		case seen[f] != "":
			v.Addf("columns", "Les colonnes « %s » et « %s » remplissent toutes deux « %s » : gardez-en une.", seen[f], h, targetLabel(f))
		default:
			seen[f] = h
		}
	}
	for value, k := range m.Kinds {
		if k != "" && !k.Valid() {
			v.Addf("kinds", "Valeur « %s » : type d'unité « %s » inconnu.", value, k)
		}
	}
	if m.DefaultKind != "" && !m.DefaultKind.Valid() {
		v.Add("default_kind", "Type d'unité inconnu : laptop, desktop, all_in_one, tablet, screen ou other.")
	}
	return v.Err()
}

func targetLabel(field string) string {
	for _, t := range MappingTargets {
		if t.Field == field {
			return t.Label
		}
	}
	return field
}

// mappedColumn is one column of the file mapped to a field.
type mappedColumn struct {
	index  int
	header string
	field  string
	scale  float64 // for ram_gb and storage_gb: GB per unit of a bare number
}

// columnsOf resolves a mapping against the file's header.
func columnsOf(sh Sheet, m ImportMapping) []mappedColumn {
	var cols []mappedColumn
	used := map[string]bool{}
	for i, h := range sh.Header {
		f := m.Columns[h]
		if f == "" || used[f] {
			continue // two columns of the same header: the first one counts
		}
		used[f] = true
		c := mappedColumn{index: i, header: h, field: f, scale: 1}
		if f == "ram_gb" || f == "storage_gb" {
			// "Mémoire (Mio)": a bare 8192 is MiB.
			words := strings.Fields(FoldHeader(h))
			if s, ok := sizeUnit(words[len(words)-1], f == "ram_gb"); ok {
				c.scale = s
			}
		}
		cols = append(cols, c)
	}
	return cols
}

// sizeUnit is how many GB one unit word stands for: memory counts in
// powers of two (8192 Mo is 8 Go), drives in powers of ten (1 To is 1000 Go,
// as their makers count).
func sizeUnit(w string, memory bool) (float64, bool) {
	k := 1000.0
	if memory {
		k = 1024
	}
	switch w {
	case "go", "gb", "gio", "gib", "g":
		return 1, true
	case "mo", "mb", "mio", "mib", "m":
		return 1 / k, true
	case "to", "tb", "tio", "tib", "t":
		return k, true
	}
	return 0, false
}

// storageKindWords are the words a storage cell may name its kind with.
var storageKindWords = map[string]StorageKind{"ssd": StorageSSD, "hdd": StorageHDD, "nvme": StorageNVMe, "emmc": StorageEMMC,
	"hd": StorageHDD, "disque dur": StorageHDD, "sata ssd": StorageSSD, "m 2": StorageNVMe, "m2": StorageNVMe}

// parseSize reads "8", "8 Go", "8Go", "8192 MB", "1 To", "256 Go SSD",
// "SSD 512GB", "500 Go (HDD)" into whole GB and a storage kind, if named.
// scale is the GB of a bare number.
func parseSize(v string, scale float64, memory bool) (gb int, kind StorageKind, msg string) {
	text := strings.ReplaceAll(ordi.Fold(strings.TrimSpace(v)), ",", ".")
	text = strings.ReplaceAll(text, "m.2", " nvme ")
	// Split numbers from words: "256go" → "256 go"; anything else separates.
	class := func(r rune) int {
		switch {
		case unicode.IsDigit(r) || r == '.':
			return 1
		case unicode.IsLetter(r):
			return 2
		}
		return 0
	}
	var b strings.Builder
	prev := 0
	for _, r := range text {
		c := class(r)
		if c == 0 || c != prev {
			b.WriteByte(' ')
		}
		if c != 0 {
			b.WriteRune(r)
		}
		prev = c
	}
	tokens := strings.Fields(b.String())
	var num float64
	haveNum := false
	unit := scale
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		if k, ok := storageKindWords[t]; ok && !memory {
			kind = k
			continue
		}
		if i+1 < len(tokens) {
			if k, ok := storageKindWords[t+" "+tokens[i+1]]; ok && !memory {
				kind = k
				i++
				continue
			}
		}
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			if haveNum {
				return 0, "", "Une seule capacité par cellule."
			}
			num, haveNum = f, true
			continue
		}
		if s, ok := sizeUnit(t, memory); ok && haveNum {
			unit = s
			continue
		}
		return 0, "", fmt.Sprintf("« %s » : capacité attendue en Go (ex. 8 Go, 8192 Mo, 1 To).", strings.TrimSpace(v))
	}
	if !haveNum {
		if kind != "" {
			return 0, kind, ""
		}
		return 0, "", fmt.Sprintf("« %s » : capacité attendue en Go (ex. 8 Go, 8192 Mo, 1 To).", strings.TrimSpace(v))
	}
	g := num * unit
	r := math.Round(g)
	if math.Abs(g-r) > 0.05*math.Max(1, g) || math.IsInf(g, 0) || math.IsNaN(g) {
		return 0, "", fmt.Sprintf("« %s » : nombre entier de Go attendu.", strings.TrimSpace(v))
	}
	if r > math.MaxInt32 {
		return 0, "", fmt.Sprintf("« %s » : valeur invraisemblable.", strings.TrimSpace(v))
	}
	return int(r), kind, ""
}

// applyMapping turns the sheet's rows into units for a donation, checked as
// the API checks them; each problem names the row's line and the donor's
// column. limit > 0 stops after that many rows (a preview).
func applyMapping(sh Sheet, m ImportMapping, donation int64, limit int) ([]importRow, [][]ordi.FieldError, []ordi.FieldError) {
	cols := columnsOf(sh, m)
	headerOf := map[string]string{}
	for _, c := range cols {
		headerOf[c.field] = c.header
	}
	var fileProblems []ordi.FieldError
	if headerOf["kind"] == "" && !m.DefaultKind.Valid() {
		fileProblems = append(fileProblems, ordi.FieldError{Line: sh.HeaderAt, Field: "kind",
			Message: "Aucune colonne ne donne le type d'unité : associez-en une au « Type d'unité », ou choisissez le type de toutes les lignes."})
	}
	n := len(sh.Rows)
	if limit > 0 && limit < n {
		n = limit
	}
	rows := make([]importRow, 0, n)
	problems := make([][]ordi.FieldError, 0, n)
	for _, r := range sh.Rows[:n] {
		row, p := mapRow(r, cols, m, headerOf, donation)
		rows = append(rows, row)
		problems = append(problems, p)
	}
	return rows, problems, fileProblems
}

func mapRow(r SheetRow, cols []mappedColumn, m ImportMapping, headerOf map[string]string, donation int64) (importRow, []ordi.FieldError) {
	row := importRow{line: r.Line, donationID: donation}
	var problems []ordi.FieldError
	bad := func(header, msg string) {
		problems = append(problems, ordi.FieldError{Line: r.Line, Field: header, Message: msg})
	}
	var fromStorage StorageKind
	kindSet := false
	for _, c := range cols {
		v := r.cell(c.index)
		switch c.field {
		case "kind":
			if v == "" {
				continue
			}
			k, ok := m.Kinds[FoldHeader(v)]
			if !ok || k == "" {
				if k = Kind(v); !k.Valid() {
					bad(c.header, fmt.Sprintf("« %s » : type sans correspondance ; choisissez-la sous « Valeurs du type ».", v))
					kindSet = true
					continue
				}
			}
			row.spec.Kind, kindSet = k, true
		case "brand", "model", "serial_number", "cpu", "os", "notes":
			row.spec.setText(c.field, v)
		case "grade":
			row.spec.Grade = Grade(v)
		case "storage_kind":
			if v == "" {
				continue
			}
			k, ok := storageKindWords[FoldHeader(v)]
			if !ok {
				k = StorageKind(FoldHeader(v))
			}
			if FoldHeader(v) == "aucun" || FoldHeader(v) == "none" || FoldHeader(v) == "sans" {
				k = StorageNone
			}
			row.spec.StorageKind = k
		case "ram_gb", "storage_gb":
			if v == "" {
				continue
			}
			n, kind, msg := parseSize(v, c.scale, c.field == "ram_gb")
			if msg != "" {
				bad(c.header, msg)
				continue
			}
			if c.field == "ram_gb" {
				row.spec.RAMGB = n
			} else {
				row.spec.StorageGB, fromStorage = n, kind
			}
		case "screen_inches", "weight_kg":
			if v == "" {
				continue
			}
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(v), "kg"), "\""), "pouces"))
			f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if err != nil {
				bad(c.header, "Nombre attendu (ex. 15,6).")
				continue
			}
			if c.field == "screen_inches" {
				row.spec.ScreenInches = &f
			} else {
				row.spec.WeightKG = &f
			}
		}
	}
	if !kindSet {
		row.spec.Kind = m.DefaultKind
	}
	if row.spec.StorageKind == "" && fromStorage != "" {
		row.spec.StorageKind = fromStorage
	}
	row.spec.normalize()
	var v ordi.Validation
	row.spec.validate(&v)
	if err := v.Err(); err != nil {
		e, _ := err.(*ordi.Error)
		for _, f := range e.Fields {
			header := headerOf[f.Field]
			if header == "" {
				header = targetLabel(f.Field)
			}
			if f.Field == "kind" && (kindSet || headerOf["kind"] == "") {
				continue // already said, for the row or for the file
			}
			if !hasField(problems, header) {
				bad(header, f.Message)
			}
		}
	}
	return row, problems
}
