package inventory_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// TestSuggestField reads headers as donors' tools write them. Sources of
// the real export headers:
//   - GLPI, computers list exported from its search engine: the columns
//     are the search options' names; in French "Nom", "Fabricant",
//     "Modèle", "Numéro de série", "Type", "Commentaires", and
//     "Mémoire (Mio)" (glpi-project/doc,
//     source/01-premiers-pas/03_Utiliser_GLPI/08_Rechercher.md, whose
//     example searches on "Mémoire (Mio)"); in English "Name",
//     "Manufacturer", "Model", "Serial number", "Inventory number", "OS"
//     (GLPI's data injection wiki, forge.glpi-project.org/projects/
//     datainjection/wiki/En_donnees, "Computers" table).
//   - Snipe-IT: "Asset Tag", "Category", "Manufacturer", "Model Name",
//     "Model Number", "Notes", "Item Name" (snipe/snipe-it,
//     app/Importer/import_mappings.md), and its asset export's "Serial".
func TestSuggestField(t *testing.T) {
	cases := map[string]string{
		// French office habits.
		"Fabricant": "brand", "Marque": "brand", "MARQUE": "brand", "Modèle": "model", "MODELE": "model",
		"N° de série": "serial_number", "Numéro de série": "serial_number", "N° série": "serial_number",
		"Mémoire": "ram_gb", "RAM (Go)": "ram_gb", "Mémoire vive": "ram_gb",
		"Disque": "storage_gb", "Stockage": "storage_gb", "Disque dur (Go)": "storage_gb",
		"Type": "kind", "Catégorie": "kind", "Processeur": "cpu", "Poids (kg)": "weight_kg",
		"Écran (pouces)": "screen_inches", "Système d'exploitation": "os", "Remarques": "notes",
		"Type de disque": "storage_kind",
		// English.
		"Manufacturer": "brand", "Model": "model", "Serial": "serial_number", "Serial Number": "serial_number",
		"Service tag": "serial_number", "Service Tag": "serial_number", "RAM": "ram_gb", "Memory (GB)": "ram_gb",
		"Storage": "storage_gb", "Category": "kind", "Weight": "weight_kg",
		// The API's own names.
		"serial_number": "serial_number", "ram_gb": "ram_gb", "storage_kind": "storage_kind", "kind": "kind",
		// GLPI (French and English) and Snipe-IT exports.
		"Mémoire (Mio)": "ram_gb", "Commentaires": "notes", "OS": "os", "Model Name": "model", "Notes": "notes",
		// Ignored unless mapped by hand.
		"Nom": "", "Name": "", "Asset Tag": "", "Numéro d'inventaire": "", "Inventory number": "", "Lieu": "",
		"Model Number": "", "Company": "", "Série": "", "Item Name": "", "Entité": "", "Statut": "",
	}
	for header, want := range cases {
		if got := inventory.SuggestField(header); got != want {
			t.Errorf("SuggestField(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestSuggestKind(t *testing.T) {
	cases := map[string]inventory.Kind{
		"Portable": inventory.KindLaptop, "LAPTOP": inventory.KindLaptop, "Notebook": inventory.KindLaptop,
		"PC portable": inventory.KindLaptop, "Fixe": inventory.KindDesktop, "UC": inventory.KindDesktop,
		"Tour": inventory.KindDesktop, "Desktop": inventory.KindDesktop, "Unité centrale": inventory.KindDesktop,
		"Écran": inventory.KindScreen, "ecran": inventory.KindScreen, "Monitor": inventory.KindScreen,
		"Tout-en-un": inventory.KindAllInOne, "All-in-one": inventory.KindAllInOne, "all_in_one": inventory.KindAllInOne,
		"Tablette": inventory.KindTablet, "Imprimante": "", "Serveur": "",
	}
	for v, want := range cases {
		if got := inventory.SuggestKind(v); got != want {
			t.Errorf("SuggestKind(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestSuggestMapping: a GLPI export in French, then the same donor's file
// with a mapping remembered from last time (which wins over the words).
func TestSuggestMapping(t *testing.T) {
	sh := inventory.Sheet{
		Header: []string{"Nom", "Entité", "Fabricant", "Numéro de série", "Type", "Modèle", "Mémoire (Mio)", "Marque"},
		Rows: []inventory.SheetRow{
			{Line: 2, Cells: []string{"PC-001", "Siège", "Dell", "ABC", "Portable", "Latitude", "8192"}},
			{Line: 3, Cells: []string{"PC-002", "Siège", "HP", "DEF", "Tour", "ProDesk", "4096"}},
			{Line: 4, Cells: []string{"PC-003", "Siège", "HP", "GHI", "portable", "ProBook", "4096"}},
			{Line: 5, Cells: []string{"PR-001", "Siège", "HP", "JKL", "Imprimante", "LaserJet", ""}},
		},
	}
	got := inventory.SuggestMapping(sh, nil)
	want := inventory.ImportMapping{
		Columns: map[string]string{"Fabricant": "brand", "Numéro de série": "serial_number", "Type": "kind", "Modèle": "model", "Mémoire (Mio)": "ram_gb"},
		Kinds:   map[string]inventory.Kind{"portable": inventory.KindLaptop, "tour": inventory.KindDesktop},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("suggestion (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Portable", "Tour", "Imprimante"}, inventory.KindValues(sh, got)); diff != "" {
		t.Fatalf("kind values (-want +got):\n%s", diff)
	}

	remembered := &inventory.ImportMapping{
		Columns:     map[string]string{"Nom": "notes", "Fabricant": "", "Marque": "brand", "Absente": "cpu"},
		Kinds:       map[string]inventory.Kind{"imprimante": inventory.KindOther, "portable": inventory.KindTablet},
		DefaultKind: inventory.KindDesktop,
	}
	got = inventory.SuggestMapping(sh, remembered)
	want = inventory.ImportMapping{
		Columns: map[string]string{"Nom": "notes", "Fabricant": "", "Marque": "brand", "Numéro de série": "serial_number",
			"Type": "kind", "Modèle": "model", "Mémoire (Mio)": "ram_gb"},
		Kinds:       map[string]inventory.Kind{"portable": inventory.KindTablet, "tour": inventory.KindDesktop, "imprimante": inventory.KindOther},
		DefaultKind: inventory.KindDesktop,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("suggestion with a remembered mapping (-want +got):\n%s", diff)
	}
}

func TestCheckMapping(t *testing.T) {
	cases := map[string]struct {
		m     inventory.ImportMapping
		field string
	}{
		"OK":              {inventory.ImportMapping{Columns: map[string]string{"A": "brand", "B": "", "C": "kind"}, Kinds: map[string]inventory.Kind{"x": inventory.KindLaptop}}, ""},
		"ErrUnknownField": {inventory.ImportMapping{Columns: map[string]string{"A": "colour"}}, "columns"},
		"ErrTwice":        {inventory.ImportMapping{Columns: map[string]string{"A": "brand", "B": "brand"}}, "columns"},
		"ErrKind":         {inventory.ImportMapping{Kinds: map[string]inventory.Kind{"x": "toaster"}}, "kinds"},
		"ErrDefaultKind":  {inventory.ImportMapping{DefaultKind: "toaster"}, "default_kind"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := inventory.CheckMapping(tc.m)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ordi.Invalid) || !hasField(err, tc.field) {
				t.Fatalf("got %v (fields %v), want Invalid on %s", err, fields(err), tc.field)
			}
		})
	}
}
