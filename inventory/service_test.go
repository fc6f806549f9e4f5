package inventory_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/inventory"
)

var (
	ctx   = context.Background()
	staff = ordi.Actor{Name: "Sam (atelier)", Role: ordi.RoleStaff}
)

func fixedNow() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }

type fixture struct {
	db       *gorm.DB
	svc      *inventory.Service
	donor    inventory.Donor
	donation inventory.Donation
}

func newFixture(t *testing.T, db *gorm.DB) *fixture {
	t.Helper()
	svc := inventory.NewService(db, fixedNow)
	donor, err := svc.CreateDonor(ctx, staff, inventory.NewDonor{Name: "Mairie de Paris", Kind: inventory.DonorPublicBody, SIRET: "217 500 016 00019"})
	if err != nil {
		t.Fatal(err)
	}
	donation, err := svc.CreateDonation(ctx, staff, inventory.NewDonation{DonorID: donor.ID, ReceivedOn: "2026-10-28", Site: "Atelier Alma"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, svc: svc, donor: donor, donation: donation}
}

func (f *fixture) laptop(t *testing.T) inventory.Unit {
	t.Helper()
	w := 1.9
	u, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{
		Kind: inventory.KindLaptop, Brand: "Lenovo", Model: "ThinkPad T480", SerialNumber: "PF1ABCDE", CPU: "i5-8350U",
		RAMGB: 8, StorageGB: 256, StorageKind: inventory.StorageSSD, WeightKG: &w,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) move(t *testing.T, u inventory.Unit, to inventory.Status) inventory.Unit {
	t.Helper()
	got, err := f.svc.Transition(ctx, staff, string(u.Code), to, inventory.TransitionInput{})
	if err != nil {
		t.Fatalf("move %s to %s: %v", u.Code, to, err)
	}
	return got
}

func (f *fixture) erase(t *testing.T, u inventory.Unit, serial string, result inventory.ErasureResult) {
	t.Helper()
	_, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{
		Category: inventory.ErasurePurge, Technique: "NVMe sanitize", Tool: "nwipe 0.38", DriveSerial: serial, Result: result,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func fields(err error) []string {
	var e *ordi.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func hasField(err error, name string) bool {
	for _, f := range fields(err) {
		if f == name {
			return true
		}
	}
	return false
}

func TestDonorAndDonationValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		if f.donor.SIRET != "21750001600019" {
			t.Fatalf("SIRET stored as %q", f.donor.SIRET)
		}
		for name, tc := range map[string]struct {
			in    inventory.NewDonor
			field string
		}{
			"ErrBadSIRET":  {inventory.NewDonor{Name: "X", Kind: inventory.DonorCompany, SIRET: "12345678901234"}, "siret"},
			"ErrKind":      {inventory.NewDonor{Name: "X", Kind: "bank"}, "kind"},
			"ErrNoName":    {inventory.NewDonor{Kind: inventory.DonorCompany}, "name"},
			"ErrBadEmail":  {inventory.NewDonor{Name: "X", Kind: inventory.DonorIndividual, Email: "not an email"}, "email"},
			"ErrLongPhone": {inventory.NewDonor{Name: "X", Kind: inventory.DonorIndividual, Phone: strings.Repeat("0", 50)}, "phone"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.CreateDonor(ctx, staff, tc.in)
				if !errors.Is(err, ordi.Invalid) || !hasField(err, tc.field) {
					t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
				}
			})
		}
		for name, tc := range map[string]struct {
			in    inventory.NewDonation
			field string
		}{
			"ErrUnknownDonor": {inventory.NewDonation{DonorID: 999, ReceivedOn: "2026-10-01"}, "donor_id"},
			"ErrFutureDate":   {inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "2027-01-01"}, "received_on"},
			"ErrBadDate":      {inventory.NewDonation{DonorID: f.donor.ID, ReceivedOn: "28/10/2026"}, "received_on"},
			"ErrNoDate":       {inventory.NewDonation{DonorID: f.donor.ID}, "received_on"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.CreateDonation(ctx, staff, tc.in)
				if !errors.Is(err, ordi.Invalid) || !hasField(err, tc.field) {
					t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
				}
			})
		}
		if n := count(t, db, "donors"); n != 1 {
			t.Fatalf("%d donors written", n)
		}
		if n := count(t, db, "donations"); n != 1 {
			t.Fatalf("%d donations written", n)
		}
		got, err := f.svc.Donation(ctx, staff, f.donation.ID)
		if err != nil || got.ReceivedOn.String() != "2026-10-28" {
			t.Fatalf("donation = %+v, %v", got, err)
		}
	})
}

func TestCreateUnitRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		heavy, huge := 300.0, 3.5
		for name, tc := range map[string]struct {
			spec     inventory.UnitSpec
			donation int64
			field    string
		}{
			"ErrUnknownKind":     {inventory.UnitSpec{Kind: "toaster"}, f.donation.ID, "kind"},
			"ErrNegativeRAM":     {inventory.UnitSpec{Kind: inventory.KindLaptop, RAMGB: -4}, f.donation.ID, "ram_gb"},
			"Err300kgLaptop":     {inventory.UnitSpec{Kind: inventory.KindLaptop, WeightKG: &heavy}, f.donation.ID, "weight_kg"},
			"Err2MBNote":         {inventory.UnitSpec{Kind: inventory.KindLaptop, Notes: strings.Repeat("é", 2<<20)}, f.donation.ID, "notes"},
			"ErrUnknownDonation": {inventory.UnitSpec{Kind: inventory.KindLaptop}, 424242, "donation_id"},
			"ErrStorageNoKind":   {inventory.UnitSpec{Kind: inventory.KindLaptop, StorageGB: 128, StorageKind: inventory.StorageNone}, f.donation.ID, "storage_kind"},
			"ErrBadGrade":        {inventory.UnitSpec{Kind: inventory.KindLaptop, Grade: "Z"}, f.donation.ID, "grade"},
			"ErrHeavyTablet":     {inventory.UnitSpec{Kind: inventory.KindTablet, WeightKG: &huge}, f.donation.ID, "weight_kg"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: tc.donation, UnitSpec: tc.spec})
				if !errors.Is(err, ordi.Invalid) || !hasField(err, tc.field) {
					t.Fatalf("err = %v, want Invalid on %s", err, tc.field)
				}
			})
		}
		if n := count(t, db, "units"); n != 0 {
			t.Fatalf("bad input wrote %d units", n)
		}
		if n := count(t, db, "unit_events"); n != 0 {
			t.Fatalf("bad input wrote %d events", n)
		}
	})
}

func TestUnitLifecycleToReady(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		if u.Status != inventory.StatusReceived || u.Version != 1 || len(u.Code) != 7 {
			t.Fatalf("created %+v", u)
		}
		if _, err := inventory.ParseCode(string(u.Code)); err != nil {
			t.Fatalf("generated code %s does not parse: %v", u.Code, err)
		}
		u = f.move(t, u, inventory.StatusDiagnosed)

		// Entering wiped needs a passed erasure; a failed one does not do.
		_, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusWiped, inventory.TransitionInput{})
		if !errors.Is(err, ordi.Conflict) {
			t.Fatalf("wiped without erasure: %v", err)
		}
		f.erase(t, u, "S1", inventory.ErasureFailed)
		if _, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusWiped, inventory.TransitionInput{}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("wiped after a failed erasure: %v", err)
		}
		f.erase(t, u, "S1", inventory.ErasurePassed)
		u = f.move(t, u, inventory.StatusWiped)
		u = f.move(t, u, inventory.StatusRefurbished)
		u = f.move(t, u, inventory.StatusReady)
		if u.Version != 7 {
			t.Fatalf("version %d after four moves and two erasures, want 7", u.Version)
		}

		// Reservation is allocation's business: 409 naming the right action.
		_, err = f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusReserved, inventory.TransitionInput{})
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict || e.Extra["action"] != string(inventory.AllocationReserve) {
			t.Fatalf("generic reserve: %v", err)
		}
		// An illegal move lists what is allowed.
		_, err = f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusWiped, inventory.TransitionInput{})
		if !errors.As(err, &e) || e.Kind != ordi.Conflict || e.Extra["allowed"] == nil {
			t.Fatalf("illegal move: %v", err)
		}

		events, err := f.svc.Events(ctx, staff, string(u.Code))
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, ev := range events {
			if ev.Action == inventory.ActionTransition {
				moves = append(moves, string(ev.FromStatus)+">"+string(ev.ToStatus))
			}
			if ev.ActorName != staff.Name {
				t.Errorf("event by %q", ev.ActorName)
			}
		}
		want := "received>diagnosed diagnosed>wiped wiped>refurbished refurbished>ready"
		if strings.Join(moves, " ") != want {
			t.Fatalf("history %v, want %s", moves, want)
		}
		if events[0].Action != inventory.ActionCreated || len(events) != 7 {
			t.Fatalf("%d events, first %q", len(events), events[0].Action)
		}
	})
}

func TestRecyclingNeedsSanitisedStorageAndOutlet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		if _, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{Outlet: "Ecologic", OutletReference: "BE-1"}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("recycling unerased storage: %v", err)
		}
		// A unit with two drives: one passed, one failed, is not sanitised.
		f.erase(t, u, "DRIVE-A", inventory.ErasurePassed)
		f.erase(t, u, "DRIVE-B", inventory.ErasureFailed)
		if _, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusDismantled, inventory.TransitionInput{}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("dismantling with a failed drive: %v", err)
		}
		if _, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{Category: inventory.ErasureDestroy, Technique: "broyage", DriveSerial: "drive-b", Result: inventory.ErasurePassed}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{})
		if !errors.Is(err, ordi.Invalid) || !hasField(err, "outlet") || !hasField(err, "outlet_reference") {
			t.Fatalf("recycling without outlet: %v", err)
		}
		got, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{Outlet: " Ecologic ", OutletReference: "BE-2026-118"})
		if err != nil || got.Outlet != "Ecologic" || got.OutletReference != "BE-2026-118" {
			t.Fatalf("recycled: %+v, %v", got, err)
		}
		// Recycled is final, and nothing more can be erased.
		if _, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusDiagnosed, inventory.TransitionInput{}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("leaving recycled: %v", err)
		}
		stored, _ := f.svc.Unit(ctx, staff, string(u.Code))
		if stored.Outlet != "Ecologic" {
			t.Fatalf("outlet not stored: %+v", stored)
		}
	})
}

func TestUnitWithoutStorageNeedsNoErasure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindScreen, Brand: "Dell", Model: "P2419H"}})
		if err != nil {
			t.Fatal(err)
		}
		if u.StorageKind != inventory.StorageNone {
			t.Fatalf("storage kind %q", u.StorageKind)
		}
		u = f.move(t, u, inventory.StatusDiagnosed)
		u = f.move(t, u, inventory.StatusWiped)
		f.move(t, u, inventory.StatusDismantled)
	})
}

// TestConcurrentTransitions releases many goroutines at once on one unit:
// exactly one move wins, the others get Conflict, the history has one event.
func TestConcurrentTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		for round := 0; round < 5; round++ {
			u := f.laptop(t)
			const n = 32
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusDiagnosed, inventory.TransitionInput{Note: "diag"})
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, ordi.Conflict):
					t.Fatalf("unexpected error: %v", err)
				}
			}
			events, err := f.svc.Events(ctx, staff, string(u.Code))
			if err != nil {
				t.Fatal(err)
			}
			moves := 0
			for _, e := range events {
				if e.Action == inventory.ActionTransition {
					moves++
				}
			}
			if wins != 1 || moves != 1 {
				t.Fatalf("round %d: %d moves succeeded, %d events; want exactly one", round, wins, moves)
			}
		}
	})
}

// refurbished returns a new laptop, erased and moved to refurbished.
func (f *fixture) refurbished(t *testing.T) inventory.Unit {
	t.Helper()
	u := f.laptop(t)
	f.erase(t, u, "S1", inventory.ErasurePassed)
	for _, s := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished} {
		u = f.move(t, u, s)
	}
	return u
}

// moves counts a unit's generic transition events.
func (f *fixture) moves(t *testing.T, u inventory.Unit) int {
	t.Helper()
	var n int64
	if err := f.db.Model(&inventory.Event{}).Where("unit_id = ? AND action = ?", u.ID, inventory.ActionTransition).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestConcurrentTransitionsOnWhatTheySaw is the lost update of a lifecycle:
// 64 people all saw the unit refurbished at the same version; half send
// "ready", half "diagnosed", released at once. Each says what it saw
// (half the version, as the unit page does, half the status, as the batch
// scan does), so exactly one wins: the others get a Conflict carrying the
// unit as it now is, and the history gains one move. Without what they saw,
// "diagnosed" after "ready" would be a legal second move and undo the first.
func TestConcurrentTransitionsOnWhatTheySaw(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		const n, rounds = 64, 12
		for round := range rounds {
			u := f.refurbished(t)
			before := f.moves(t, u)
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, n)
			for i := range n {
				to := inventory.StatusReady
				if i%2 == 1 {
					to = inventory.StatusDiagnosed
				}
				in := inventory.TransitionInput{Version: u.Version}
				if i%4 >= 2 {
					in = inventory.TransitionInput{From: u.Status}
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = f.svc.Transition(ctx, staff, string(u.Code), to, in)
				}()
			}
			close(start)
			wg.Wait()
			wins, bare := 0, 0
			for _, err := range errs {
				var e *ordi.Error
				switch {
				case err == nil:
					wins++
				case !errors.As(err, &e) || e.Kind != ordi.Conflict:
					t.Fatalf("round %d: unexpected error: %v", round, err)
				default:
					if cur, ok := e.Extra["current"].(inventory.Unit); !ok || cur.Status == inventory.StatusRefurbished {
						bare++
					}
				}
			}
			if moved := f.moves(t, u) - before; wins != 1 || moved != 1 {
				t.Fatalf("round %d: %d transitions succeeded, %d events written; want exactly one", round, wins, moved)
			}
			if bare > 0 {
				t.Fatalf("round %d: %d conflicts without the unit as it now is", round, bare)
			}
		}
	})
}

// TestConcurrentBareTransitionsKeepTheChain is the race of the issue's
// item 10 as scripts send it, without the version or the status they saw:
// 64 transitions of one refurbished unit, half to "ready", half to
// "diagnosed", released at once. Without a view, a move read after another
// committed may legally follow it (ready → diagnosed), so more than one
// may win; what may never happen is two winning on the same status read —
// B silently undoing A. Each move is a conditional update on the status it
// was checked against, so the history stays a chain: every event leaves
// the status the previous one reached, and there are as many events as
// successes.
func TestConcurrentBareTransitionsKeepTheChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		const n, rounds = 64, 8
		for round := range rounds {
			u := f.refurbished(t)
			var last inventory.Event
			if err := db.Where("unit_id = ?", u.ID).Order("id DESC").Take(&last).Error; err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, n)
			for i := range n {
				to := inventory.StatusReady
				if i%2 == 1 {
					to = inventory.StatusDiagnosed
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = f.svc.Transition(ctx, staff, string(u.Code), to, inventory.TransitionInput{})
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, ordi.Conflict):
					t.Fatalf("round %d: unexpected error: %v", round, err)
				}
			}
			var events []inventory.Event
			if err := db.Where("unit_id = ? AND id > ?", u.ID, last.ID).Order("id").Find(&events).Error; err != nil {
				t.Fatal(err)
			}
			if wins == 0 || len(events) != wins {
				t.Fatalf("round %d: %d transitions succeeded, %d events written", round, wins, len(events))
			}
			status := inventory.StatusRefurbished
			for _, e := range events {
				if e.FromStatus != status {
					t.Fatalf("round %d: a move from %q was recorded while the unit was %q: one transition undid another (%d winners)", round, e.FromStatus, status, wins)
				}
				status = e.ToStatus
			}
			if got, err := f.svc.Unit(ctx, staff, string(u.Code)); err != nil || got.Status != status || got.Version != u.Version+wins {
				t.Fatalf("round %d: unit %s version %d, want %s version %d", round, got.Status, got.Version, status, u.Version+wins)
			}
		}
	})
}

// TestTransitionOnStaleView: a move decided on a stale view (version or
// status) is refused with the current unit and changes nothing; a move
// without one (a script) is accepted; a nonsense version is refused.
func TestTransitionOnStaleView(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		seen := f.refurbished(t)
		ready, err := f.svc.Transition(ctx, staff, string(seen.Code), inventory.StatusReady, inventory.TransitionInput{Version: seen.Version})
		if err != nil || ready.Status != inventory.StatusReady || ready.Version != seen.Version+1 {
			t.Fatalf("move on a fresh view: %+v, %v", ready, err)
		}
		for name, in := range map[string]inventory.TransitionInput{
			"ErrStaleVersion": {Version: seen.Version, Note: "B"},
			"ErrStaleStatus":  {From: inventory.StatusRefurbished, Note: "B"},
			"ErrBoth":         {Version: seen.Version, From: inventory.StatusRefurbished},
		} {
			_, err := f.svc.Transition(ctx, staff, string(seen.Code), inventory.StatusDiagnosed, in)
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Conflict {
				t.Fatalf("%s: %v", name, err)
			}
			if cur, ok := e.Extra["current"].(inventory.Unit); !ok || cur.Status != inventory.StatusReady || cur.Version != ready.Version {
				t.Fatalf("%s: conflict carries %+v", name, e.Extra["current"])
			}
			if !strings.Contains(e.Message, "Prêt") {
				t.Fatalf("%s: message %q does not say what the unit now is", name, e.Message)
			}
		}
		for name, in := range map[string]inventory.TransitionInput{
			"ErrNegativeVersion": {Version: -1},
			"ErrUnknownStatus":   {From: "lost"},
		} {
			if _, err := f.svc.Transition(ctx, staff, string(seen.Code), inventory.StatusDiagnosed, in); !errors.Is(err, ordi.Invalid) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if got, _ := f.svc.Unit(ctx, staff, string(seen.Code)); got.Status != inventory.StatusReady || got.Version != ready.Version || f.moves(t, seen) != 4 {
			t.Fatalf("a refused move changed the unit: %+v, %d moves", got, f.moves(t, seen))
		}
		// The current view is accepted, and so is no view at all.
		got, err := f.svc.Transition(ctx, staff, string(seen.Code), inventory.StatusDiagnosed, inventory.TransitionInput{Version: ready.Version, From: inventory.StatusReady})
		if err != nil || got.Status != inventory.StatusDiagnosed {
			t.Fatalf("move on the current view: %v", err)
		}
		if _, err := f.svc.Transition(ctx, staff, string(seen.Code), inventory.StatusWiped, inventory.TransitionInput{}); err != nil {
			t.Fatalf("move without a view: %v", err)
		}
	})
}

// unitIn returns a new laptop brought to status st by the shortest path
// (an erasure first where the path needs one).
func (f *fixture) unitIn(t *testing.T, st inventory.Status) inventory.Unit {
	t.Helper()
	u := f.laptop(t)
	allocate := func(op inventory.Allocation) {
		t.Helper()
		err := f.db.Transaction(func(tx *gorm.DB) error {
			var err error
			u, err = f.svc.WithTx(tx).MoveForAllocation(ctx, staff, u.Code, op, "")
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	path := map[inventory.Status][]inventory.Status{
		inventory.StatusReceived:    {},
		inventory.StatusDiagnosed:   {inventory.StatusDiagnosed},
		inventory.StatusWiped:       {inventory.StatusDiagnosed, inventory.StatusWiped},
		inventory.StatusRefurbished: {inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished},
		inventory.StatusReady:       {inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady},
		inventory.StatusReserved:    {inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady, inventory.StatusReserved},
		inventory.StatusHandedOver:  {inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady, inventory.StatusReserved, inventory.StatusHandedOver},
		inventory.StatusReturned:    {inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady, inventory.StatusReserved, inventory.StatusHandedOver, inventory.StatusReturned},
		inventory.StatusDismantled:  {inventory.StatusDismantled},
		inventory.StatusRecycled:    {inventory.StatusRecycled},
	}[st]
	if len(path) > 0 {
		f.erase(t, u, "S1", inventory.ErasurePassed)
		u, _ = f.svc.Unit(ctx, staff, string(u.Code))
	}
	for _, to := range path {
		switch to {
		case inventory.StatusReserved:
			allocate(inventory.AllocationReserve)
		case inventory.StatusHandedOver:
			allocate(inventory.AllocationHandover)
		case inventory.StatusRecycled:
			var err error
			if u, err = f.svc.Transition(ctx, staff, string(u.Code), to, inventory.TransitionInput{Outlet: "Ecologic", OutletReference: "BE-1"}); err != nil {
				t.Fatal(err)
			}
		default:
			u = f.move(t, u, to)
		}
	}
	if u.Status != st {
		t.Fatalf("unit in %s, want %s", u.Status, st)
	}
	return u
}

// TestErasureOnlyAtTheWorkshop: an erasure is recorded only while the unit
// is at the workshop with its data being dealt with; elsewhere (reserved,
// handed over, recycled, or already rebuilt: refurbished, ready) it is a
// Conflict saying why, and nothing is written: no record, no event, no new
// version. Every status is tried.
func TestErasureOnlyAtTheWorkshop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		refused := map[inventory.Status]string{
			inventory.StatusRefurbished: "renvoyez-la d'abord en diagnostic",
			inventory.StatusReady:       "renvoyez-la d'abord en diagnostic",
			inventory.StatusReserved:    "pas à l'atelier",
			inventory.StatusHandedOver:  "pas à l'atelier",
			inventory.StatusRecycled:    "pas à l'atelier",
		}
		for _, st := range inventory.Statuses() {
			u := f.unitIn(t, st)
			erasures, events := count(t, db, "erasures"), count(t, db, "unit_events")
			_, err := f.svc.RecordErasure(ctx, staff, string(u.Code), inventory.NewErasure{
				Category: inventory.ErasureDestroy, Technique: "broyage", DriveSerial: "S1", Result: inventory.ErasureFailed, Version: u.Version,
			})
			want, isRefused := refused[st]
			if st.Erasable() == isRefused {
				t.Fatalf("%s: Erasable() = %v, the test expects the opposite", st, st.Erasable())
			}
			if !isRefused {
				if err != nil {
					t.Fatalf("%s: erasure refused: %v", st, err)
				}
				continue
			}
			var e *ordi.Error
			if !errors.As(err, &e) || e.Kind != ordi.Conflict || !strings.Contains(e.Message, want) {
				t.Fatalf("%s: erasure outside the workshop: %v", st, err)
			}
			after, _ := f.svc.Unit(ctx, staff, string(u.Code))
			if count(t, db, "erasures") != erasures || count(t, db, "unit_events") != events || after.Version != u.Version {
				t.Fatalf("%s: a refused erasure wrote something", st)
			}
		}
	})
}

// TestErasureOnStaleView: an erasure bumps the unit's version, so a second
// one recorded on the page shown before the first (which could undo it: a
// failed record after a passed one leaves the drive unsanitised) is a
// Conflict carrying the unit as it now is, and writes nothing. Without a
// version (a script), records are accepted.
func TestErasureOnStaleView(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		seen := f.unitIn(t, inventory.StatusDiagnosed)
		passed := inventory.NewErasure{Category: inventory.ErasurePurge, Technique: "NVMe sanitize", DriveSerial: "S2", Result: inventory.ErasurePassed, Version: seen.Version}
		if _, err := f.svc.RecordErasure(ctx, staff, string(seen.Code), passed); err != nil {
			t.Fatal(err)
		}
		now, _ := f.svc.Unit(ctx, staff, string(seen.Code))
		if now.Version != seen.Version+1 {
			t.Fatalf("version %d after an erasure, want %d", now.Version, seen.Version+1)
		}
		erasures := count(t, db, "erasures")
		failed := passed
		failed.Result = inventory.ErasureFailed
		_, err := f.svc.RecordErasure(ctx, staff, string(seen.Code), failed)
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict {
			t.Fatalf("erasure on a stale page: %v", err)
		}
		if cur, ok := e.Extra["current"].(inventory.Unit); !ok || cur.Version != now.Version {
			t.Fatalf("conflict carries %+v", e.Extra["current"])
		}
		if count(t, db, "erasures") != erasures {
			t.Fatal("a stale erasure was recorded")
		}
		failed.Version = -1
		if _, err := f.svc.RecordErasure(ctx, staff, string(seen.Code), failed); !errors.Is(err, ordi.Invalid) || !hasField(err, "version") {
			t.Fatalf("negative version: %v", err)
		}
		failed.Version = 0
		if _, err := f.svc.RecordErasure(ctx, staff, string(seen.Code), failed); err != nil {
			t.Fatalf("erasure without a version: %v", err)
		}
		// A page shown before the erasure cannot move the unit either.
		if _, err := f.svc.Transition(ctx, staff, string(seen.Code), inventory.StatusWiped, inventory.TransitionInput{Version: seen.Version}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("move on a page shown before the erasure: %v", err)
		}
	})
}

func TestUpdateUnitOptimisticLocking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		ram, grade := 16, inventory.GradeA
		got, err := f.svc.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{Version: u.Version, RAMGB: &ram, Grade: &grade})
		if err != nil || got.RAMGB != 16 || got.Grade != inventory.GradeA || got.Version != 2 {
			t.Fatalf("update: %+v, %v", got, err)
		}
		// A second writer still holding version 1 is refused, with the current values.
		model := "T490"
		_, err = f.svc.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{Version: 1, Model: &model})
		var e *ordi.Error
		if !errors.As(err, &e) || e.Kind != ordi.Conflict {
			t.Fatalf("stale update: %v", err)
		}
		if cur, ok := e.Extra["current"].(inventory.Unit); !ok || cur.RAMGB != 16 || cur.Version != 2 {
			t.Fatalf("conflict carries %+v", e.Extra["current"])
		}
		neg := -1
		if _, err := f.svc.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{Version: 2, RAMGB: &neg}); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("negative RAM: %v", err)
		}
		stored, _ := f.svc.Unit(ctx, staff, string(u.Code))
		if stored.Model != "ThinkPad T480" || stored.RAMGB != 16 {
			t.Fatalf("stored %+v", stored)
		}
		// A status move also bumps the version: an edit prepared before it is stale.
		f.move(t, stored, inventory.StatusDiagnosed)
		if _, err := f.svc.UpdateUnit(ctx, staff, string(u.Code), inventory.UnitUpdate{Version: 2, Model: &model}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("edit after a move: %v", err)
		}
	})
}

func TestUnknownCodes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		lower := strings.ToLower(string(u.Code))
		if got, err := f.svc.Unit(ctx, staff, lower); err != nil || got.ID != u.ID {
			t.Fatalf("lower-case code: %v", err)
		}
		for _, bad := range []string{"", "ABC", "ZZZZZZZZ", "http://x/u/1"} {
			if _, err := f.svc.Unit(ctx, staff, bad); !errors.Is(err, ordi.NotFound) {
				t.Errorf("Unit(%q) = %v, want NotFound", bad, err)
			}
		}
	})
}

func TestUnitsFilterAndPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		var all []inventory.Unit
		for i := 0; i < 7; i++ {
			all = append(all, f.laptop(t))
		}
		f.move(t, all[2], inventory.StatusDiagnosed)
		screen, err := f.svc.CreateUnit(ctx, staff, inventory.NewUnit{DonationID: f.donation.ID, UnitSpec: inventory.UnitSpec{Kind: inventory.KindScreen, Brand: "Iiyama", SerialNumber: "SN-99_%"}})
		if err != nil {
			t.Fatal(err)
		}

		seen := map[inventory.Code]bool{}
		before := int64(0)
		for page := 0; page < 10; page++ {
			units, err := f.svc.Units(ctx, staff, inventory.UnitFilter{Kind: inventory.KindLaptop, Before: before, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range units {
				if seen[u.Code] {
					t.Fatalf("unit %s on two pages", u.Code)
				}
				seen[u.Code] = true
			}
			if len(units) < 3 {
				break
			}
			before = units[len(units)-1].ID
		}
		if len(seen) != 7 {
			t.Fatalf("paged through %d laptops, want 7", len(seen))
		}
		for name, tc := range map[string]struct {
			f    inventory.UnitFilter
			want int
		}{
			"status":         {inventory.UnitFilter{Status: inventory.StatusDiagnosed}, 1},
			"brand":          {inventory.UnitFilter{Q: "iiyama"}, 1},
			"like wildcards": {inventory.UnitFilter{Q: "99_%"}, 1},
			"percent alone":  {inventory.UnitFilter{Q: "%"}, 1}, // the literal %, not every unit
			"code":           {inventory.UnitFilter{Q: strings.ToLower(string(screen.Code))}, 1},
			"donation":       {inventory.UnitFilter{DonationID: f.donation.ID}, 8},
			"unprinted":      {inventory.UnitFilter{Unprinted: true}, 8},
		} {
			t.Run(name, func(t *testing.T) {
				units, err := f.svc.Units(ctx, staff, tc.f)
				if err != nil || len(units) != tc.want {
					t.Fatalf("%d units, %v; want %d", len(units), err, tc.want)
				}
			})
		}
		if _, err := f.svc.Units(ctx, staff, inventory.UnitFilter{Status: "lost"}); !errors.Is(err, ordi.Invalid) {
			t.Fatalf("unknown status filter: %v", err)
		}
		counts, err := f.svc.CountByStatus(ctx, staff, f.donation.ID)
		if err != nil || counts[inventory.StatusReceived] != 7 || counts[inventory.StatusDiagnosed] != 1 || counts.Total() != 8 {
			t.Fatalf("counts %v, %v", counts, err)
		}
	})
}

func TestReturnedUnitNeedsNewErasure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db)
		u := f.laptop(t)
		f.erase(t, u, "S1", inventory.ErasurePassed)
		for _, s := range []inventory.Status{inventory.StatusDiagnosed, inventory.StatusWiped, inventory.StatusRefurbished, inventory.StatusReady} {
			u = f.move(t, u, s)
		}
		svc := f.svc
		for _, op := range []inventory.Allocation{inventory.AllocationReserve, inventory.AllocationHandover} {
			err := db.Transaction(func(tx *gorm.DB) error {
				var err error
				u, err = svc.WithTx(tx).MoveForAllocation(ctx, staff, u.Code, op, "")
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
		}
		u = f.move(t, u, inventory.StatusReturned)
		// The erasure made before the handover does not cover the family's data.
		if _, err := f.svc.Transition(ctx, staff, string(u.Code), inventory.StatusRecycled, inventory.TransitionInput{Outlet: "Ecologic", OutletReference: "X"}); !errors.Is(err, ordi.Conflict) {
			t.Fatalf("recycling a returned unit without a new erasure: %v", err)
		}
		f.erase(t, u, "S1", inventory.ErasurePassed)
		f.move(t, u, inventory.StatusDismantled)
	})
}
