package inventory_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// lifecycle is DESIGN.md §2.1 written out again, independently of the
// package's table: one row per source status, one column per target status,
// both in the order of statusNames. A cell says what the generic transition
// endpoint does:
//
//	.  refused: not a transition
//	+  allowed, no guard
//	E  allowed once erased (entering wiped: passed erasure or no storage)
//	S  allowed once sanitised (passed erasure or no storage)
//	O  allowed once sanitised, with an outlet and its reference (recycled)
//	r  only through allocation: reservation
//	c  only through allocation: cancelling the reservation
//	h  only through allocation: handover
var statusNames = []string{"received", "diagnosed", "wiped", "refurbished", "ready", "reserved", "handed_over", "returned", "dismantled", "recycled"}

var lifecycle = map[string]string{
	//              rec dia wip ref rdy res han ret dis rec
	"received":    " .   +   .   .   .   .   .   .   S   O ",
	"diagnosed":   " .   .   E   .   .   .   .   .   S   O ",
	"wiped":       " .   .   .   +   .   .   .   .   S   O ",
	"refurbished": " .   +   .   .   +   .   .   .   S   O ",
	"ready":       " .   +   .   .   .   r   .   .   S   O ",
	"reserved":    " .   .   .   .   c   .   h   .   .   . ",
	"handed_over": " .   .   .   .   .   .   .   +   .   . ",
	"returned":    " .   +   .   .   .   .   .   .   S   O ",
	"dismantled":  " .   .   .   .   .   .   .   .   .   O ",
	"recycled":    " .   .   .   .   .   .   .   .   .   . ",
}

// cell returns what the lifecycle says of from → to.
func cell(t testing.TB, from, to string) string {
	t.Helper()
	row := strings.Fields(lifecycle[from])
	i := slices.Index(statusNames, to)
	if len(row) != len(statusNames) || i < 0 {
		t.Fatalf("test data: bad row %q or status %q", from, to)
	}
	return row[i]
}

var allocationCells = map[string]inventory.Allocation{
	"r": inventory.AllocationReserve,
	"c": inventory.AllocationCancel,
	"h": inventory.AllocationHandover,
}

// genericTargets lists, sorted, the targets the lifecycle lets the generic
// endpoint reach from a status.
func genericTargets(t testing.TB, from string) []string {
	t.Helper()
	var out []string
	for _, to := range statusNames {
		if strings.Contains("+ESO", cell(t, from, to)) {
			out = append(out, to)
		}
	}
	slices.Sort(out)
	return out
}

// allFacts is every combination of the facts the guards read.
var allFacts = []struct {
	name       string
	storage    bool
	erased     bool
	sanitised  bool
	describing string
}{
	{"NoStorage", false, false, true, "no storage"},
	{"NoStorageErased", false, true, true, "no storage, erased anyway"},
	{"StorageNotErased", true, false, false, "storage without a passed erasure"},
	{"StorageErased", true, true, true, "storage with a passed erasure"},
}

var withOutlet = inventory.TransitionInput{Outlet: "ecosystem", OutletReference: "BE-2026-0042"}

// errorOf returns err as an *ordi.Error, failing the test when it is not one.
func errorOf(t testing.TB, err error) *ordi.Error {
	t.Helper()
	var e *ordi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *ordi.Error", err, err)
	}
	return e
}

func fieldsOf(e *ordi.Error) []string {
	var fs []string
	for _, f := range e.Fields {
		fs = append(fs, f.Field)
	}
	return fs
}

func assertKind(t testing.TB, err error, kind ordi.Kind) *ordi.Error {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want kind %q", err, kind)
	}
	e := errorOf(t, err)
	if strings.TrimSpace(e.Message) == "" {
		t.Fatalf("%v: no user message", err)
	}
	return e
}

func assertFields(t testing.TB, err error, want ...string) {
	t.Helper()
	e := assertKind(t, err, ordi.Invalid)
	if got := fieldsOf(e); !slices.Equal(got, want) {
		t.Fatalf("invalid fields = %q, want %q (%v)", got, want, err)
	}
	for _, f := range e.Fields {
		if strings.TrimSpace(f.Message) == "" {
			t.Fatalf("field %q has no message", f.Field)
		}
	}
}

// TestCheckTransitionExhaustive tries every (from, to) pair of the ten
// statuses, with every combination of facts, with and without an outlet, and
// compares the answer with the lifecycle matrix above.
func TestCheckTransitionExhaustive(t *testing.T) {
	for _, from := range statusNames {
		for _, to := range statusNames {
			c := cell(t, from, to)
			for _, facts := range allFacts {
				for _, outlet := range []bool{false, true} {
					in := inventory.TransitionInput{Note: "essai"}
					if outlet {
						in = withOutlet
					}
					name := fmt.Sprintf("%s→%s/%s/outlet=%t", from, to, facts.name, outlet)
					t.Run(name, func(t *testing.T) {
						f := inventory.UnitFacts{Status: inventory.Status(from), HasStorage: facts.storage, HasPassedErasure: facts.erased}
						err := inventory.CheckTransition(f, inventory.Status(to), in)
						checkCell(t, from, to, c, facts.sanitised, outlet, err)
					})
				}
			}
		}
	}
}

func checkCell(t *testing.T, from, to, c string, sanitised, outlet bool, err error) {
	t.Helper()
	switch c {
	case ".":
		e := assertKind(t, err, ordi.Conflict)
		got, ok := e.Extra["allowed"].([]string)
		if !ok {
			t.Fatalf("Extra[allowed] = %#v, want a []string", e.Extra["allowed"])
		}
		got = slices.Sorted(slices.Values(got))
		if want := genericTargets(t, from); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("allowed = %q, want %q", got, want)
		}
		if _, ok := e.Extra["action"]; ok {
			t.Fatalf("illegal move carries an allocation action: %v", e.Extra)
		}
	case "r", "c", "h":
		e := assertKind(t, err, ordi.Conflict)
		if got, want := e.Extra["action"], string(allocationCells[c]); got != want {
			t.Fatalf("Extra[action] = %v, want %q", got, want)
		}
		// The message names the right action.
		key := map[string]string{"r": "attribution", "c": "annulez sa réservation", "h": "formulaire de remise"}[c]
		if !strings.Contains(e.Message, key) {
			t.Fatalf("message %q does not name the right action (%q)", e.Message, key)
		}
	case "+", "E", "S", "O":
		if c != "+" && !sanitised {
			e := assertKind(t, err, ordi.Conflict)
			guard := map[string]string{"E": "erased", "S": "sanitised", "O": "sanitised"}[c]
			if e.Extra["guard"] != guard {
				t.Fatalf("Extra[guard] = %v, want %q", e.Extra["guard"], guard)
			}
			if !strings.HasPrefix(e.Message, "Enregistrez d'abord un effacement réussi") {
				t.Fatalf("guard message %q does not say what to do", e.Message)
			}
			return
		}
		switch {
		case c == "O" && !outlet:
			assertFields(t, err, "outlet", "outlet_reference")
		case c != "O" && outlet:
			assertFields(t, err, "outlet", "outlet_reference")
		case err != nil:
			t.Fatalf("refused: %v", err)
		}
	default:
		t.Fatalf("test data: unknown cell %q", c)
	}
}

// TestTransitionTable compares the package's table, row by row, with the
// lifecycle matrix: same transitions, same allocation operations, same
// guards, and nothing else.
func TestTransitionTable(t *testing.T) {
	rows := inventory.Transitions()
	seen := map[string]bool{}
	for _, tr := range rows {
		key := string(tr.From) + "→" + string(tr.To)
		if seen[key] {
			t.Errorf("%s appears twice", key)
		}
		seen[key] = true
		if !tr.From.Valid() || !tr.To.Valid() {
			t.Errorf("%s: unknown status", key)
			continue
		}
		c := cell(t, string(tr.From), string(tr.To))
		var wantGuards []inventory.Guard
		var wantVia inventory.Allocation
		switch c {
		case ".":
			t.Errorf("%s is in the table, not in DESIGN.md", key)
			continue
		case "E":
			wantGuards = []inventory.Guard{inventory.GuardErased}
		case "S":
			wantGuards = []inventory.Guard{inventory.GuardSanitised}
		case "O":
			wantGuards = []inventory.Guard{inventory.GuardSanitised, inventory.GuardOutlet}
		case "r", "c", "h":
			wantVia = allocationCells[c]
		}
		if !slices.Equal(tr.Guards, wantGuards) {
			t.Errorf("%s: guards %q, want %q", key, tr.Guards, wantGuards)
		}
		if tr.Via != wantVia {
			t.Errorf("%s: via %q, want %q", key, tr.Via, wantVia)
		}
		if tr.Generic() != (wantVia == "") {
			t.Errorf("%s: Generic() = %t", key, tr.Generic())
		}
		if strings.TrimSpace(tr.Label()) == "" {
			t.Errorf("%s: no button label", key)
		}
	}
	for _, from := range statusNames {
		for _, to := range statusNames {
			if c := cell(t, from, to); c != "." && !seen[from+"→"+to] {
				t.Errorf("%s→%s (%s) is in DESIGN.md, not in the table", from, to, c)
			}
		}
	}
	// The copy is the caller's.
	rows[0].To = "changed"
	if len(rows[2].Guards) > 0 {
		rows[2].Guards[0] = "changed"
	}
	again := inventory.Transitions()
	if again[0].To == "changed" || len(again[2].Guards) > 0 && again[2].Guards[0] == "changed" {
		t.Error("modifying Transitions() changed the table")
	}
}

func TestAllowed(t *testing.T) {
	for _, from := range statusNames {
		got := inventory.Allowed(inventory.Status(from))
		if got == nil {
			t.Errorf("Allowed(%s) is nil: it must encode as []", from)
		}
		var gotS []string
		for _, s := range got {
			gotS = append(gotS, string(s))
		}
		slices.Sort(gotS)
		if want := genericTargets(t, from); !slices.Equal(gotS, want) {
			t.Errorf("Allowed(%s) = %q, want %q", from, gotS, want)
		}
	}
	if got := inventory.Allowed("lost"); len(got) != 0 {
		t.Errorf("Allowed(unknown) = %q", got)
	}
}

// TestNextSteps checks, for every status and every combination of facts, the
// buttons offered against the lifecycle matrix.
func TestNextSteps(t *testing.T) {
	for _, from := range statusNames {
		for _, facts := range allFacts {
			t.Run(from+"/"+facts.name, func(t *testing.T) {
				f := inventory.UnitFacts{Status: inventory.Status(from), HasStorage: facts.storage, HasPassedErasure: facts.erased}
				steps := inventory.NextSteps(f)
				if steps == nil {
					t.Fatal("NextSteps is nil: it must encode as []")
				}
				var targets []string
				for _, s := range steps {
					targets = append(targets, string(s.To))
					c := cell(t, from, string(s.To))
					if !strings.Contains("+ESO", c) {
						t.Fatalf("step to %s offered; the lifecycle says %q", s.To, c)
					}
					wantPossible := c == "+" || facts.sanitised
					if s.Possible != wantPossible {
						t.Errorf("step to %s: Possible = %t, want %t", s.To, s.Possible, wantPossible)
					}
					if s.Possible && (s.Blocked != "" || s.Reason != "") {
						t.Errorf("possible step to %s carries a block: %q %q", s.To, s.Blocked, s.Reason)
					}
					if !s.Possible {
						want := map[string]inventory.Guard{"E": inventory.GuardErased, "S": inventory.GuardSanitised, "O": inventory.GuardSanitised}[c]
						if s.Blocked != want || s.Reason != want.Message() || s.Reason == "" {
							t.Errorf("blocked step to %s: %q %q, want %q", s.To, s.Blocked, s.Reason, want)
						}
					}
					if s.NeedsOutlet != (c == "O") {
						t.Errorf("step to %s: NeedsOutlet = %t", s.To, s.NeedsOutlet)
					}
					if strings.TrimSpace(s.Label) == "" {
						t.Errorf("step to %s has no label", s.To)
					}
					// What a step says is possible, CheckTransition allows.
					in := inventory.TransitionInput{}
					if s.NeedsOutlet {
						in = withOutlet
					}
					if err := inventory.CheckTransition(f, s.To, in); (err == nil) != s.Possible {
						t.Errorf("step to %s: Possible = %t but CheckTransition says %v", s.To, s.Possible, err)
					}
				}
				// Same buttons, in the same order, as the endpoint's allowed list.
				var allowed []string
				for _, s := range inventory.Allowed(inventory.Status(from)) {
					allowed = append(allowed, string(s))
				}
				if !slices.Equal(targets, allowed) {
					t.Errorf("steps %q, allowed %q", targets, allowed)
				}
			})
		}
	}
	t.Run("ButtonOrder", func(t *testing.T) {
		// The way forward comes first; disposal last.
		var got []inventory.Status
		for _, s := range inventory.NextSteps(inventory.UnitFacts{Status: inventory.StatusRefurbished}) {
			got = append(got, s.To)
		}
		want := []inventory.Status{inventory.StatusReady, inventory.StatusDiagnosed, inventory.StatusDismantled, inventory.StatusRecycled}
		if !slices.Equal(got, want) {
			t.Errorf("refurbished steps %q, want %q", got, want)
		}
	})
	t.Run("UnknownStatus", func(t *testing.T) {
		if got := inventory.NextSteps(inventory.UnitFacts{Status: "lost"}); len(got) != 0 {
			t.Errorf("NextSteps(unknown) = %v", got)
		}
	})
}

// TestGuards spells out each guard with and without its condition.
func TestGuards(t *testing.T) {
	storage := func(s inventory.Status, erased bool) inventory.UnitFacts {
		return inventory.UnitFacts{Status: s, HasStorage: true, HasPassedErasure: erased}
	}
	noStorage := func(s inventory.Status) inventory.UnitFacts { return inventory.UnitFacts{Status: s} }
	for _, tc := range []struct {
		name  string
		facts inventory.UnitFacts
		to    inventory.Status
		in    inventory.TransitionInput
		guard string // "" when allowed
	}{
		{"WipedErased", storage(inventory.StatusDiagnosed, true), inventory.StatusWiped, inventory.TransitionInput{}, ""},
		{"WipedNoStorage", noStorage(inventory.StatusDiagnosed), inventory.StatusWiped, inventory.TransitionInput{}, ""},
		{"ErrWipedNotErased", storage(inventory.StatusDiagnosed, false), inventory.StatusWiped, inventory.TransitionInput{}, "erased"},
		{"DismantledErased", storage(inventory.StatusReceived, true), inventory.StatusDismantled, inventory.TransitionInput{}, ""},
		{"DismantledNoStorage", noStorage(inventory.StatusReceived), inventory.StatusDismantled, inventory.TransitionInput{}, ""},
		{"ErrDismantledNotErased", storage(inventory.StatusReceived, false), inventory.StatusDismantled, inventory.TransitionInput{}, "sanitised"},
		{"ErrReadyDismantledNotErased", storage(inventory.StatusReady, false), inventory.StatusDismantled, inventory.TransitionInput{}, "sanitised"},
		{"RecycledErased", storage(inventory.StatusDismantled, true), inventory.StatusRecycled, withOutlet, ""},
		{"RecycledNoStorage", noStorage(inventory.StatusReceived), inventory.StatusRecycled, withOutlet, ""},
		{"ErrRecycledNotErased", storage(inventory.StatusDismantled, false), inventory.StatusRecycled, withOutlet, "sanitised"},
		{"ErrReturnedRecycledNotErased", storage(inventory.StatusReturned, false), inventory.StatusRecycled, withOutlet, "sanitised"},
		// A guard refusal comes before the outlet check: no use asking for
		// a pickup reference when the unit may not go.
		{"ErrRecycledNotErasedNoOutlet", storage(inventory.StatusReceived, false), inventory.StatusRecycled, inventory.TransitionInput{}, "sanitised"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := inventory.CheckTransition(tc.facts, tc.to, tc.in)
			if tc.guard == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := assertKind(t, err, ordi.Conflict)
			if e.Extra["guard"] != tc.guard {
				t.Fatalf("guard %v, want %q", e.Extra["guard"], tc.guard)
			}
			if !strings.Contains(e.Message, "Enregistrez d'abord un effacement réussi") {
				t.Fatalf("message %q does not say what to do", e.Message)
			}
		})
	}
}

func TestTransitionInput(t *testing.T) {
	recyclable := inventory.UnitFacts{Status: inventory.StatusDismantled}
	repairable := inventory.UnitFacts{Status: inventory.StatusReceived}
	long := func(n int) string { return strings.Repeat("é", n) }
	for _, tc := range []struct {
		name   string
		facts  inventory.UnitFacts
		to     inventory.Status
		in     inventory.TransitionInput
		fields []string // nil when accepted
	}{
		{"Recycled", recyclable, inventory.StatusRecycled, withOutlet, nil},
		{"RecycledPadded", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Outlet: " Ecologic ", OutletReference: " 12 "}, nil},
		{"ErrRecycledNoOutlet", recyclable, inventory.StatusRecycled, inventory.TransitionInput{OutletReference: "BE-1"}, []string{"outlet"}},
		{"ErrRecycledNoReference", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Outlet: "ecosystem"}, []string{"outlet_reference"}},
		{"ErrRecycledBlankOutlet", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Outlet: "  ", OutletReference: "\t"}, []string{"outlet", "outlet_reference"}},
		{"ErrRecycledNothing", recyclable, inventory.StatusRecycled, inventory.TransitionInput{}, []string{"outlet", "outlet_reference"}},
		{"RecycledLongestOutlet", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Outlet: long(inventory.MaxOutletLen), OutletReference: long(inventory.MaxOutletLen)}, nil},
		{"ErrRecycledOutletTooLong", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Outlet: long(inventory.MaxOutletLen + 1), OutletReference: "x"}, []string{"outlet"}},
		{"ErrRecycledReferenceTooLong", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Outlet: "x", OutletReference: long(inventory.MaxOutletLen + 1)}, []string{"outlet_reference"}},
		{"ErrOutletNotRecycling", repairable, inventory.StatusDiagnosed, inventory.TransitionInput{Outlet: "ecosystem"}, []string{"outlet"}},
		{"ErrReferenceNotRecycling", repairable, inventory.StatusDismantled, inventory.TransitionInput{OutletReference: "BE-1"}, []string{"outlet_reference"}},
		{"BlankOutletNotRecycling", repairable, inventory.StatusDiagnosed, inventory.TransitionInput{Outlet: " ", OutletReference: ""}, nil},
		{"LongestNote", repairable, inventory.StatusDiagnosed, inventory.TransitionInput{Note: long(inventory.MaxTransitionNoteLen)}, nil},
		{"ErrNoteTooLong", repairable, inventory.StatusDiagnosed, inventory.TransitionInput{Note: long(inventory.MaxTransitionNoteLen + 1)}, []string{"note"}},
		{"ErrNoteTwoMegabytes", repairable, inventory.StatusDiagnosed, inventory.TransitionInput{Note: strings.Repeat("x", 2<<20)}, []string{"note"}},
		{"ErrNoteNotUTF8", repairable, inventory.StatusDiagnosed, inventory.TransitionInput{Note: "caf\xe9"}, []string{"note"}},
		{"ErrEverything", recyclable, inventory.StatusRecycled, inventory.TransitionInput{Note: long(inventory.MaxTransitionNoteLen + 1)}, []string{"note", "outlet", "outlet_reference"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := inventory.CheckTransition(tc.facts, tc.to, tc.in)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			assertFields(t, err, tc.fields...)
		})
	}
	t.Run("Clean", func(t *testing.T) {
		got := inventory.TransitionInput{Note: " n ", Outlet: "\tEcologic\n", OutletReference: " R1 "}.Clean()
		want := inventory.TransitionInput{Note: "n", Outlet: "Ecologic", OutletReference: "R1"}
		if got != want {
			t.Errorf("Clean() = %+v, want %+v", got, want)
		}
	})
}

func TestCheckTransitionUnknownStatus(t *testing.T) {
	t.Run("ErrUnknownTarget", func(t *testing.T) {
		for _, to := range []inventory.Status{"", "shipped", "Ready", " ready"} {
			err := inventory.CheckTransition(inventory.UnitFacts{Status: inventory.StatusReady}, to, inventory.TransitionInput{})
			assertFields(t, err, "to")
		}
	})
	t.Run("ErrUnknownSource", func(t *testing.T) {
		err := inventory.CheckTransition(inventory.UnitFacts{Status: "lost"}, inventory.StatusReady, inventory.TransitionInput{})
		if err == nil || ordi.KindOf(err) != "" {
			t.Fatalf("err = %v (kind %q), want an internal error", err, ordi.KindOf(err))
		}
	})
}

// TestIllegalMessages checks the wording of refusals people will read.
func TestIllegalMessages(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to inventory.Status
		want     string
	}{
		{"Same", inventory.StatusReady, inventory.StatusReady, "L'unité est déjà « Prêt »."},
		{"Terminal", inventory.StatusRecycled, inventory.StatusDiagnosed, "« Recyclé (filière DEEE) » est un statut final : l'unité ne peut plus changer de statut."},
		{"Skip", inventory.StatusReceived, inventory.StatusReady, "Impossible de passer de « Réceptionné » à « Prêt ». Depuis ce statut : « Diagnostiqué », « Démantelé pour pièces », « Recyclé (filière DEEE) »."},
		{"Reserved", inventory.StatusReserved, inventory.StatusRecycled, "Impossible de passer de « Réservé » à « Recyclé (filière DEEE) ». Depuis ce statut, seule l'attribution agit : annulation de la réservation ou remise."},
		{"Reserve", inventory.StatusReady, inventory.StatusReserved, "Une réservation se fait depuis l'attribution : choisissez le foyer dans les propositions, puis confirmez la réservation."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := inventory.CheckTransition(inventory.UnitFacts{Status: tc.from}, tc.to, inventory.TransitionInput{})
			if got := ordi.MessageOf(err); got != tc.want {
				t.Errorf("message\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestAllocation(t *testing.T) {
	for c, op := range allocationCells {
		t.Run(string(op), func(t *testing.T) {
			tr, ok := inventory.AllocationTransition(op)
			if !ok {
				t.Fatalf("no transition for %q", op)
			}
			if cell(t, string(tr.From), string(tr.To)) != c {
				t.Fatalf("%q moves %s → %s, not what DESIGN.md says", op, tr.From, tr.To)
			}
			if op.Label() == string(op) {
				t.Errorf("%q has no French label", op)
			}
			for _, from := range statusNames {
				for _, facts := range allFacts {
					f := inventory.UnitFacts{Status: inventory.Status(from), HasStorage: facts.storage, HasPassedErasure: facts.erased}
					err := inventory.CheckAllocation(f, op)
					if cell(t, from, string(tr.To)) == c {
						if err != nil {
							t.Errorf("%s from %s (%s): %v", op, from, facts.name, err)
						}
						continue
					}
					e := assertKind(t, err, ordi.Conflict)
					if !strings.Contains(e.Message, "« "+tr.From.Label()+" »") {
						t.Errorf("%s from %s: message %q does not name the status needed", op, from, e.Message)
					}
				}
			}
		})
	}
	t.Run("ErrUnknownOperation", func(t *testing.T) {
		if _, ok := inventory.AllocationTransition("sell"); ok {
			t.Error("AllocationTransition(sell) found a row")
		}
		if _, ok := inventory.AllocationTransition(""); ok {
			t.Error("AllocationTransition(\"\") found a generic row")
		}
		err := inventory.CheckAllocation(inventory.UnitFacts{Status: inventory.StatusReady}, "sell")
		if err == nil || ordi.KindOf(err) != "" {
			t.Errorf("err = %v, want an internal error", err)
		}
	})
}

func TestStatuses(t *testing.T) {
	var got []string
	for _, s := range inventory.Statuses() {
		got = append(got, string(s))
	}
	if !slices.Equal(got, statusNames) {
		t.Fatalf("Statuses() = %q, want %q", got, statusNames)
	}
	labels := map[inventory.Status]string{
		inventory.StatusReceived:    "Réceptionné",
		inventory.StatusDiagnosed:   "Diagnostiqué",
		inventory.StatusWiped:       "Données effacées",
		inventory.StatusRefurbished: "Reconditionné",
		inventory.StatusReady:       "Prêt",
		inventory.StatusReserved:    "Réservé",
		inventory.StatusHandedOver:  "Remis",
		inventory.StatusReturned:    "Retourné",
		inventory.StatusDismantled:  "Démantelé pour pièces",
		inventory.StatusRecycled:    "Recyclé (filière DEEE)",
	}
	tones := map[inventory.Tone]inventory.Status{}
	actions := map[string]inventory.Status{}
	for _, s := range inventory.Statuses() {
		if !s.Valid() {
			t.Errorf("%q is not valid", s)
		}
		if s.Label() != labels[s] {
			t.Errorf("%q.Label() = %q, want %q", s, s.Label(), labels[s])
		}
		if other, dup := tones[s.Tone()]; dup || s.Tone() == "" {
			t.Errorf("%q has tone %q, already %q's", s, s.Tone(), other)
		}
		tones[s.Tone()] = s
		entered := false
		for _, from := range statusNames {
			entered = entered || cell(t, from, string(s)) != "."
		}
		if a := s.ActionLabel(); entered == (a == "") {
			t.Errorf("%q.ActionLabel() = %q; entered by a transition: %t", s, a, entered)
		} else if a != "" {
			if other, dup := actions[a]; dup {
				t.Errorf("%q and %q share the action %q", s, other, a)
			}
			actions[a] = s
		}
		terminal := strings.Trim(strings.Join(strings.Fields(lifecycle[string(s)]), ""), ".") == ""
		if s.Terminal() != terminal {
			t.Errorf("%q.Terminal() = %t, want %t", s, s.Terminal(), terminal)
		}
	}
	if got := inventory.StatusDiagnosed.ActionLabel(); got != "Marquer comme diagnostiqué" {
		t.Errorf("diagnosed action %q", got)
	}
	if got := inventory.StatusRecycled.ActionLabel(); got != "Envoyer au recyclage" {
		t.Errorf("recycled action %q", got)
	}
	for _, bad := range []inventory.Status{"", "lost", "READY"} {
		if bad.Valid() || bad.Label() != string(bad) || bad.Tone() != inventory.ToneGrey || bad.ActionLabel() != "" || bad.Terminal() || bad.Settled() {
			t.Errorf("unknown status %q is not handled as unknown", bad)
		}
	}
}

func TestSettled(t *testing.T) {
	// DESIGN.md §2.3: reused (ready, reserved, handed_over) or disposed of.
	want := []string{"ready", "reserved", "handed_over", "dismantled", "recycled"}
	for _, s := range statusNames {
		if got := inventory.Status(s).Settled(); got != slices.Contains(want, s) {
			t.Errorf("%s.Settled() = %t", s, got)
		}
	}
}

func TestUnitFactsSanitised(t *testing.T) {
	for _, f := range allFacts {
		got := inventory.UnitFacts{HasStorage: f.storage, HasPassedErasure: f.erased}.Sanitised()
		if got != f.sanitised {
			t.Errorf("%s: Sanitised() = %t, want %t", f.describing, got, f.sanitised)
		}
	}
}

// TestCaution: moves backwards in the workshop and moves to waste ask for a
// confirmation, the unit page's buttons carry the question, and ordinary
// steps forward ask nothing.
func TestCaution(t *testing.T) {
	cases := []struct {
		from, to inventory.Status
		want     inventory.Caution
	}{
		{inventory.StatusReady, inventory.StatusDiagnosed, inventory.CautionBackward},
		{inventory.StatusRefurbished, inventory.StatusDiagnosed, inventory.CautionBackward},
		{inventory.StatusReceived, inventory.StatusDismantled, inventory.CautionIrreversible},
		{inventory.StatusReady, inventory.StatusRecycled, inventory.CautionIrreversible},
		{inventory.StatusDismantled, inventory.StatusRecycled, inventory.CautionIrreversible},
		{inventory.StatusReceived, inventory.StatusDiagnosed, ""},
		{inventory.StatusReturned, inventory.StatusDiagnosed, ""}, // the normal path after a return
		{inventory.StatusWiped, inventory.StatusRefurbished, ""},
		{inventory.StatusReady, inventory.StatusReserved, ""},  // allocation only
		{inventory.StatusDiagnosed, inventory.StatusReady, ""}, // no such move
	}
	for _, c := range cases {
		if got := inventory.CautionOf(c.from, c.to); got != c.want {
			t.Errorf("CautionOf(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
	// Every generic row that goes to an earlier workshop status is marked,
	// so that a row added later cannot slip backwards unasked.
	order := map[inventory.Status]int{}
	for i, s := range inventory.Statuses() {
		order[s] = i
	}
	for _, tr := range inventory.Transitions() {
		back := order[tr.To] < order[tr.From] && tr.From != inventory.StatusReturned && tr.Generic()
		if back && tr.Caution() != inventory.CautionBackward {
			t.Errorf("%s → %s goes backwards without a caution", tr.From, tr.To)
		}
	}
	if w := inventory.CautionBackward.Warning(inventory.StatusReady, inventory.StatusDiagnosed); !strings.Contains(w, "« Prêt » à « Diagnostiqué »") {
		t.Errorf("backward warning %q", w)
	}
	for _, s := range inventory.NextSteps(inventory.UnitFacts{Status: inventory.StatusReady}) {
		want := s.To == inventory.StatusDiagnosed || s.To == inventory.StatusDismantled || s.To == inventory.StatusRecycled
		if (s.Confirm != "") != want {
			t.Errorf("ready → %s: confirm %q", s.To, s.Confirm)
		}
	}
}

// TestNeedsLabel: units gone from the workshop for good (handed over,
// dismantled, recycled) are not pre-checked in the print queue.
func TestNeedsLabel(t *testing.T) {
	for _, s := range inventory.Statuses() {
		want := s != inventory.StatusHandedOver && s != inventory.StatusDismantled && s != inventory.StatusRecycled
		if got := s.NeedsLabel(); got != want {
			t.Errorf("%s.NeedsLabel() = %v, want %v", s, got, want)
		}
	}
	if inventory.Status("lost").NeedsLabel() {
		t.Error("an unknown status needs a label")
	}
}
