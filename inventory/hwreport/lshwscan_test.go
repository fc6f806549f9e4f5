package hwreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// TestScanLshwAgreesWithEncodingJSON: the one-pass reader gives the nodes
// encoding/json gives, on every real lshw output here and on the tree of
// the test machine.
func TestScanLshwAgreesWithEncodingJSON(t *testing.T) {
	files := []string{"lshw-acer-aspire-5737z.json", "lshw-dell-optiplex-745.json", "lshw-toshiba-portege-r700.json"}
	inputs := map[string][]byte{}
	for _, f := range files {
		inputs[f] = mustRead(t, f)
	}
	inputs["escapes"] = []byte(`{"id": "h\u00f4te", "class": "system", "vendor": "Dell\u0020Inc.", "product": "\"Opti\\Plex\"\n",
		"size": -1.5e3, "disabled": false, "x": [null, true, {"a": [1, 2.5, "s"]}], "children": [{"id": "disk", "class": "disk",
		"size": 1000, "logicalname": ["/dev/sda", "/dev/sdb"]}]}`)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			var want lshwNode
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			got, err := scanLshw(data)
			if err != nil {
				t.Fatal(err)
			}
			// The scanner keeps logicalname as sent, spaces included.
			var strip func(n *lshwNode)
			strip = func(n *lshwNode) {
				var v any
				if n.LogicalName != nil {
					json.Unmarshal(n.LogicalName, &v)
					n.LogicalName, _ = json.Marshal(v)
				}
				for i := range n.Children {
					strip(&n.Children[i])
				}
			}
			strip(&want)
			strip(&got[0])
			if !reflect.DeepEqual(got[0], want) {
				t.Errorf("scanner and encoding/json differ")
			}
		})
	}
}

func TestScanLshwRefusesBadJSON(t *testing.T) {
	for _, in := range []string{`{"id": "x", "class": "system"} trailing`, `{"id": "x" "class": "system"}`, `{"id": tru}`,
		`{"id": "x", "size": 12a}`, `{"id": "unterminated`, `{"children": [{"id": "disk"}`, "{\"id\": \"a\tb\"}", `[{"id": 1,]`} {
		_, err := scanLshw([]byte(in))
		var se *syntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: %v, want a syntax error", in, err)
		}
		if json.Valid([]byte(in)) {
			t.Errorf("%q is valid JSON: the case proves nothing", in)
		}
	}
}

func FuzzScanLshw(f *testing.F) {
	for _, name := range []string{"lshw-dell-optiplex-745.json"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Add([]byte(`[{"id":"a","class":"system"}]`))
	// The scanner never panics, and reads every object encoding/json reads
	// into a node (it is more lenient: a known member of another type is
	// skipped).
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := scanLshw(data)
		var want lshwNode
		if json.Unmarshal(data, &want) != nil || len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' {
			return
		}
		if err != nil {
			t.Fatalf("encoding/json reads %q, the scanner refuses it: %v", data, err)
		}
		if got[0].ID != want.ID || got[0].Class != want.Class || len(got[0].Children) != len(want.Children) {
			t.Errorf("%q: scanner %+v, encoding/json %+v", data, got[0], want)
		}
	})
}
