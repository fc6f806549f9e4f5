package inventory

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
)

// Status is where a unit stands in its lifecycle (DESIGN.md §2.1). Which
// status may follow which is decided by this package's transition table
// (see Transitions) and nowhere else: the API, the pages and the allocation
// package all read it.
type Status string

// The statuses, in lifecycle order.
const (
	StatusReceived    Status = "received"
	StatusDiagnosed   Status = "diagnosed"
	StatusWiped       Status = "wiped"
	StatusRefurbished Status = "refurbished"
	StatusReady       Status = "ready"
	StatusReserved    Status = "reserved"
	StatusHandedOver  Status = "handed_over"
	StatusReturned    Status = "returned"
	StatusDismantled  Status = "dismantled"
	StatusRecycled    Status = "recycled"
)

// Tone is the colour of a status badge, a name the style sheet maps to a
// colour (class "badge-<tone>"). Every status has its own tone so that a
// list scans at a glance; the badge always shows the label too.
type Tone string

// The badge tones.
const (
	ToneGrey   Tone = "grey"
	ToneBlue   Tone = "blue"
	ToneIndigo Tone = "indigo"
	ToneTeal   Tone = "teal"
	ToneGreen  Tone = "green"
	ToneAmber  Tone = "amber"
	TonePurple Tone = "purple"
	ToneOrange Tone = "orange"
	ToneBrown  Tone = "brown"
	ToneSlate  Tone = "slate"
)

type statusInfo struct {
	status Status
	label  string // the status, for badges and lists
	tone   Tone
	action string // the button that moves a unit to this status
}

var statusInfos = []statusInfo{
	{StatusReceived, "Réceptionné", ToneGrey, ""},
	{StatusDiagnosed, "Diagnostiqué", ToneBlue, "Marquer comme diagnostiqué"},
	{StatusWiped, "Données effacées", ToneIndigo, "Marquer les données comme effacées"},
	{StatusRefurbished, "Reconditionné", ToneTeal, "Marquer comme reconditionné"},
	{StatusReady, "Prêt", ToneGreen, "Marquer comme prêt"},
	{StatusReserved, "Réservé", ToneAmber, "Réserver pour un foyer"},
	{StatusHandedOver, "Remis", TonePurple, "Remettre au foyer"},
	{StatusReturned, "Retourné", ToneOrange, "Enregistrer le retour"},
	{StatusDismantled, "Démantelé pour pièces", ToneBrown, "Démanteler pour pièces"},
	{StatusRecycled, "Recyclé (filière DEEE)", ToneSlate, "Envoyer au recyclage"},
}

func (s Status) info() (statusInfo, bool) {
	for _, i := range statusInfos {
		if i.status == s {
			return i, true
		}
	}
	return statusInfo{}, false
}

// Statuses lists every status in lifecycle order, for filters and the stock
// dashboard. The list is a fresh copy.
func Statuses() []Status {
	ss := make([]Status, len(statusInfos))
	for i, info := range statusInfos {
		ss[i] = info.status
	}
	return ss
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := s.info(); return ok }

// Label is the status's French name, e.g. "Données effacées"; an unknown
// status is returned as is.
func (s Status) Label() string {
	if i, ok := s.info(); ok {
		return i.label
	}
	return string(s)
}

// Tone is the colour of the status's badge; ToneGrey for an unknown status.
func (s Status) Tone() Tone {
	if i, ok := s.info(); ok {
		return i.tone
	}
	return ToneGrey
}

// ActionLabel is the French button label that moves a unit to s, e.g.
// "Envoyer au recyclage". It is empty for StatusReceived, which no
// transition enters. A transition may word it differently: use
// Transition.Label or Step.Label for buttons.
func (s Status) ActionLabel() string {
	i, _ := s.info()
	return i.action
}

// Terminal reports whether no transition leaves s: a recycled unit is gone.
func (s Status) Terminal() bool {
	if !s.Valid() {
		return false
	}
	for _, t := range transitions {
		if t.From == s {
			return false
		}
	}
	return true
}

// Settled reports whether a unit in status s has reached an outcome a donor
// certificate can state (DESIGN.md §2.3): reused (ready, reserved, handed
// over) or disposed of (dismantled, recycled).
func (s Status) Settled() bool {
	switch s {
	case StatusReady, StatusReserved, StatusHandedOver, StatusDismantled, StatusRecycled:
		return true
	}
	return false
}

// NeedsLabel reports whether a unit in status s is still to be labelled:
// the print queue pre-checks it. A handed-over unit is with its family, a
// dismantled or recycled one is waste: printing their label by default
// wastes labels on machines that are gone.
func (s Status) NeedsLabel() bool {
	switch s {
	case StatusHandedOver, StatusDismantled, StatusRecycled:
		return false
	}
	return s.Valid()
}

// Erasable reports whether an erasure may be recorded on a unit in status
// s: only while the unit is at the workshop and its data is being dealt
// with (received, diagnosed, wiped, returned, or dismantled before its
// drive leaves for recycling). A refurbished or ready unit has been erased
// and rebuilt: to erase it again, send it back to diagnosis first, so that
// a failed record can never leave a ready unit unsanitised on its way to a
// family. A reserved, handed-over or recycled unit is not at the workshop.
func (s Status) Erasable() bool {
	switch s {
	case StatusReceived, StatusDiagnosed, StatusWiped, StatusReturned, StatusDismantled:
		return true
	}
	return false
}

// erasureRefusal says in French why no erasure can be recorded in status s.
func erasureRefusal(s Status) string {
	switch s {
	case StatusRefurbished, StatusReady:
		return fmt.Sprintf("L'unité est « %s » : elle a déjà été effacée puis remise en état. Pour l'effacer à nouveau, renvoyez-la d'abord en diagnostic.", s.Label())
	}
	return fmt.Sprintf("L'unité est « %s » : elle n'est pas à l'atelier, aucun effacement ne peut y être enregistré.", s.Label())
}

// Allocation names an operation of the allocation package. A transition
// with an Allocation is performed only by that operation, never by the
// generic transition endpoint.
type Allocation string

// The allocation operations that move units.
const (
	AllocationReserve  Allocation = "reserve"            // ready → reserved
	AllocationCancel   Allocation = "cancel_reservation" // reserved → ready
	AllocationHandover Allocation = "handover"           // reserved → handed_over
)

// Label is the operation's French name.
func (a Allocation) Label() string {
	switch a {
	case AllocationReserve:
		return "Réservation"
	case AllocationCancel:
		return "Annulation de la réservation"
	case AllocationHandover:
		return "Remise"
	}
	return string(a)
}

// refusal is the message of the generic endpoint's 409 for a transition
// reserved to the operation: it names where to do it instead.
func (a Allocation) refusal() string {
	switch a {
	case AllocationReserve:
		return "Une réservation se fait depuis l'attribution : choisissez le foyer dans les propositions, puis confirmez la réservation."
	case AllocationCancel:
		return "Pour remettre une unité réservée en « Prêt », annulez sa réservation depuis l'attribution."
	case AllocationHandover:
		return "Une remise se fait depuis la réservation, au rendez-vous : imprimez le formulaire de remise et faites-le signer par le foyer."
	}
	return "Ce changement de statut se fait depuis l'attribution."
}

// Guard is a condition a transition needs besides its source status.
type Guard string

// The guards.
const (
	// GuardErased: entering wiped needs a passed erasure record, unless the
	// unit has no storage.
	GuardErased Guard = "erased"
	// GuardSanitised: leaving for dismantled or recycled needs sanitised
	// storage (no storage, or a passed erasure record; destroy counts): no
	// unit with storage leaves the workshop without one.
	GuardSanitised Guard = "sanitised"
	// GuardOutlet: recycling records the outlet (éco-organisme or
	// collector) and its pickup reference, given in TransitionInput.
	GuardOutlet Guard = "outlet"
)

// Message says in French what to do to meet the guard, for the 409 answer
// and as the hint under a blocked button.
func (g Guard) Message() string {
	switch g {
	case GuardErased:
		return "Enregistrez d'abord un effacement réussi : une unité avec stockage ne passe en « Données effacées » qu'après un effacement réussi de son support."
	case GuardSanitised:
		return "Enregistrez d'abord un effacement réussi (ou la destruction du support) : aucune unité avec stockage ne quitte l'atelier sans effacement."
	case GuardOutlet:
		return "Indiquez la filière de recyclage (éco-organisme ou collecteur) et la référence d'enlèvement."
	}
	return ""
}

// met reports whether the facts satisfy the guard. GuardOutlet depends on
// the input, not on the unit, and is checked by TransitionInput.validate.
func (g Guard) met(f UnitFacts) bool {
	switch g {
	case GuardErased, GuardSanitised:
		return f.Sanitised()
	}
	return true
}

// Transition is one row of the transition table: a unit in status From may
// move to To, through the allocation operation Via when set (otherwise
// through the generic endpoint), if its Guards are met.
type Transition struct {
	From, To Status
	Via      Allocation
	Guards   []Guard
	// Action overrides To.ActionLabel for this row's button, when moving to
	// To means something else from here (back to diagnosis, cancelling).
	Action string
	// Back marks a move backwards in the workshop (a refurbished or ready
	// unit sent back to diagnosis): the work done since is to be done again.
	Back bool
}

// Caution is why a generic move deserves a confirmation before it is made:
// "" for an ordinary step forward. The unit page and the batch scan ask
// before such a move; a batch holding one is refused unless confirmed.
type Caution string

// The cautions.
const (
	// CautionBackward: the unit goes back in the workshop (ready →
	// diagnosed), undoing the steps made since.
	CautionBackward Caution = "backward"
	// CautionIrreversible: the unit is dismantled or recycled; it becomes
	// waste and never goes back to reuse.
	CautionIrreversible Caution = "irreversible"
)

// Caution is the transition's caution, "" for an ordinary step forward.
func (t Transition) Caution() Caution {
	switch {
	case t.To == StatusDismantled || t.To == StatusRecycled:
		return CautionIrreversible
	case t.Back:
		return CautionBackward
	}
	return ""
}

// CautionOf is the caution of the generic move from → to, "" when it is an
// ordinary step or no generic move at all.
func CautionOf(from, to Status) Caution {
	if t, ok := lookup(from, to); ok && t.Generic() {
		return t.Caution()
	}
	return ""
}

// Warning says in French what the move from → to does that calls for a
// confirmation; "" when there is no caution.
func (c Caution) Warning(from, to Status) string {
	switch c {
	case CautionBackward:
		return fmt.Sprintf("Retour en arrière : de « %s » à « %s », les étapes faites depuis seront à refaire.", from.Label(), to.Label())
	case CautionIrreversible:
		return fmt.Sprintf("Irréversible : de « %s » à « %s », l'unité ne pourra plus être réemployée.", from.Label(), to.Label())
	}
	return ""
}

// Label is the French button label of the transition.
func (t Transition) Label() string {
	if t.Action != "" {
		return t.Action
	}
	return t.To.ActionLabel()
}

// Generic reports whether the generic transition endpoint may perform t.
func (t Transition) Generic() bool { return t.Via == "" }

// Has reports whether t has the guard g.
func (t Transition) Has(g Guard) bool {
	for _, x := range t.Guards {
		if x == g {
			return true
		}
	}
	return false
}

// unmet returns the first guard on the unit's facts that t does not meet, or "".
func (t Transition) unmet(f UnitFacts) Guard {
	for _, g := range t.Guards {
		if !g.met(f) {
			return g
		}
	}
	return ""
}

// transitions is the lifecycle of DESIGN.md §2.1, the only place where it is
// written. Rows are grouped by source status in lifecycle order; within a
// group, the order is the order of the buttons on the unit page.
var transitions = []Transition{
	{From: StatusReceived, To: StatusDiagnosed},
	{From: StatusReceived, To: StatusDismantled, Guards: []Guard{GuardSanitised}},
	{From: StatusReceived, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},

	{From: StatusDiagnosed, To: StatusWiped, Guards: []Guard{GuardErased}},
	{From: StatusDiagnosed, To: StatusDismantled, Guards: []Guard{GuardSanitised}},
	{From: StatusDiagnosed, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},

	{From: StatusWiped, To: StatusRefurbished},
	{From: StatusWiped, To: StatusDismantled, Guards: []Guard{GuardSanitised}},
	{From: StatusWiped, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},

	{From: StatusRefurbished, To: StatusReady},
	{From: StatusRefurbished, To: StatusDiagnosed, Action: "Renvoyer en diagnostic", Back: true},
	{From: StatusRefurbished, To: StatusDismantled, Guards: []Guard{GuardSanitised}},
	{From: StatusRefurbished, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},

	{From: StatusReady, To: StatusReserved, Via: AllocationReserve},
	{From: StatusReady, To: StatusDiagnosed, Action: "Renvoyer en diagnostic", Back: true},
	{From: StatusReady, To: StatusDismantled, Guards: []Guard{GuardSanitised}},
	{From: StatusReady, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},

	{From: StatusReserved, To: StatusReady, Via: AllocationCancel, Action: "Annuler la réservation"},
	{From: StatusReserved, To: StatusHandedOver, Via: AllocationHandover},

	{From: StatusHandedOver, To: StatusReturned},

	{From: StatusReturned, To: StatusDiagnosed},
	{From: StatusReturned, To: StatusDismantled, Guards: []Guard{GuardSanitised}},
	{From: StatusReturned, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},

	{From: StatusDismantled, To: StatusRecycled, Guards: []Guard{GuardSanitised, GuardOutlet}},
}

// Transitions returns a copy of the whole transition table, generic and
// allocation rows, for documentation and tests.
func Transitions() []Transition {
	ts := make([]Transition, len(transitions))
	for i, t := range transitions {
		t.Guards = append([]Guard(nil), t.Guards...)
		ts[i] = t
	}
	return ts
}

func lookup(from, to Status) (Transition, bool) {
	for _, t := range transitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}

// Allowed lists the statuses the generic endpoint may move a unit in status
// from to, guards aside, in button order: the "allowed" of a 409. It is
// empty, not nil, when there are none (reserved, recycled).
func Allowed(from Status) []Status {
	ss := []Status{}
	for _, t := range transitions {
		if t.From == from && t.Generic() {
			ss = append(ss, t.To)
		}
	}
	return ss
}

func allowedStrings(from Status) []string {
	ss := []string{}
	for _, s := range Allowed(from) {
		ss = append(ss, string(s))
	}
	return ss
}

// UnitFacts are what the guards need to know about a unit. The store fills
// them in the transaction that moves the unit.
type UnitFacts struct {
	// Status is the unit's current status.
	Status Status
	// HasStorage: the unit holds storage that must be erased (see
	// HasStorage).
	HasStorage bool
	// HasPassedErasure: the unit has a passed erasure record (any category;
	// destroy counts) that covers its current data, that is, recorded since
	// the unit last came back from a family (its latest move to returned).
	// An erasure made before a handover says nothing of what the family
	// stored since.
	HasPassedErasure bool
}

// Sanitised reports whether the unit's storage holds no recoverable data: it
// has none, or a passed erasure record.
func (f UnitFacts) Sanitised() bool { return !f.HasStorage || f.HasPassedErasure }

// Limits of a transition's free text, in characters.
const (
	MaxTransitionNoteLen = 2000
	MaxOutletLen         = 200
)

// TransitionInput is what a person gives with a generic transition besides
// the target status.
type TransitionInput struct {
	// Note is kept with the event in the unit's history.
	Note string
	// OutletID is the outlet record (Outlet) that takes the unit: required
	// for a move to recycled unless the older free text Outlet is given,
	// optional for a move to dismantled, refused for any other move. The
	// store checks that it exists and is active.
	OutletID int64
	// Outlet is who takes a recycled unit, as free text: the API's older
	// way, kept for its clients. The store links the unit to the outlet
	// record of that name when there is one. Only for a move to recycled.
	Outlet string
	// OutletReference is the pickup reference (bordereau, bon
	// d'enlèvement). Required for, and only for, a move to recycled.
	OutletReference string
	// Version is the unit's version the person saw (the unit page sends
	// it), 0 when not given: a move decided on a stale view is refused.
	Version int
	// From is the status the person saw (the batch scan sends it), "" when
	// not given: a move decided on a stale view is refused.
	From Status
}

// Clean returns the input with its fields trimmed of surrounding spaces,
// as CheckTransition reads them and the store should record them.
func (in TransitionInput) Clean() TransitionInput {
	return TransitionInput{
		Note:            strings.TrimSpace(in.Note),
		OutletID:        in.OutletID,
		Outlet:          strings.TrimSpace(in.Outlet),
		OutletReference: strings.TrimSpace(in.OutletReference),
		Version:         in.Version,
		From:            in.From,
	}
}

func (in TransitionInput) validate(to Status) error {
	in = in.Clean()
	var v ordi.Validation
	text := func(field, value string, max int) {
		switch {
		case !utf8.ValidString(value):
			v.Add(field, "Le texte contient des caractères illisibles.")
		case utf8.RuneCountInString(value) > max:
			v.Addf(field, "Texte trop long : %d caractères au plus.", max)
		}
	}
	text("note", in.Note, MaxTransitionNoteLen)
	if in.OutletID < 0 {
		v.Add("outlet_id", "Exutoire inconnu.")
	} else if in.OutletID > 0 && to != StatusRecycled && to != StatusDismantled {
		v.Add("outlet_id", "L'exutoire ne s'indique que pour un démantèlement ou un envoi au recyclage.")
	}
	if to == StatusRecycled {
		if in.Outlet == "" && in.OutletID == 0 {
			v.Add("outlet", "Choisissez l'exutoire (éco-organisme ou recycleur) qui prend l'unité.")
		}
		if in.OutletReference == "" {
			v.Add("outlet_reference", "Indiquez la référence d'enlèvement (bordereau ou bon d'enlèvement).")
		}
		text("outlet", in.Outlet, MaxOutletLen)
		text("outlet_reference", in.OutletReference, MaxOutletLen)
	} else {
		const onlyForRecycling = "Ne s'indique que pour un envoi au recyclage."
		if in.Outlet != "" {
			v.Add("outlet", onlyForRecycling)
		}
		if in.OutletReference != "" {
			v.Add("outlet_reference", onlyForRecycling)
		}
	}
	return v.Err()
}

// CheckTransition decides whether the generic transition endpoint may move a
// unit with facts f to status to with input in. It returns, checking in this
// order:
//   - ordi.Invalid with a field error on "to" for an unknown target status;
//   - ordi.Conflict with Extra["allowed"] (the statuses the endpoint allows
//     from here, as strings) when the table has no such transition;
//   - ordi.Conflict with Extra["action"] (the Allocation) and Extra["allowed"]
//     when only an allocation operation may perform it, naming where to go;
//   - ordi.Conflict with Extra["guard"] when the unit does not meet a guard,
//     saying what to do first;
//   - ordi.Invalid with field errors ("outlet", "outlet_reference", "note")
//     for a missing or misplaced outlet or an overlong text.
//
// A unit in an unknown status is an internal error (no kind): the database
// holds something the table does not know.
func CheckTransition(f UnitFacts, to Status, in TransitionInput) error {
	if !f.Status.Valid() {
		return fmt.Errorf("inventory: unit in unknown status %q", f.Status)
	}
	if !to.Valid() {
		var v ordi.Validation
		v.Add("to", "Statut inconnu.")
		return v.Err()
	}
	t, ok := lookup(f.Status, to)
	if !ok {
		return &ordi.Error{
			Kind:    ordi.Conflict,
			Message: illegalMessage(f.Status, to),
			Extra:   map[string]any{"allowed": allowedStrings(f.Status)},
		}
	}
	if !t.Generic() {
		return &ordi.Error{
			Kind:    ordi.Conflict,
			Message: t.Via.refusal(),
			Extra:   map[string]any{"allowed": allowedStrings(f.Status), "action": string(t.Via)},
		}
	}
	if g := t.unmet(f); g != "" {
		return &ordi.Error{
			Kind:    ordi.Conflict,
			Message: g.Message(),
			Extra:   map[string]any{"guard": string(g)},
		}
	}
	return in.validate(to)
}

func illegalMessage(from, to Status) string {
	switch {
	case from == to:
		return fmt.Sprintf("L'unité est déjà « %s ».", from.Label())
	case from.Terminal():
		return fmt.Sprintf("« %s » est un statut final : l'unité ne peut plus changer de statut.", from.Label())
	}
	msg := fmt.Sprintf("Impossible de passer de « %s » à « %s ».", from.Label(), to.Label())
	if allowed := Allowed(from); len(allowed) > 0 {
		labels := make([]string, len(allowed))
		for i, s := range allowed {
			labels[i] = "« " + s.Label() + " »"
		}
		return msg + " Depuis ce statut : " + strings.Join(labels, ", ") + "."
	}
	var ops []string
	for _, t := range transitions {
		if t.From == from {
			ops = append(ops, strings.ToLower(t.Via.Label()))
		}
	}
	return msg + " Depuis ce statut, seule l'attribution agit : " + strings.Join(ops, " ou ") + "."
}

// Step is a button the unit page offers: a generic transition from the
// unit's status, and whether it can be done now.
type Step struct {
	To Status
	// Label is the button's French text.
	Label string
	// Possible is true when the unit meets every guard that depends on it.
	Possible bool
	// Blocked is the unmet guard when not Possible, and Reason says in
	// French what to do first (e.g. record an erasure): the page shows the
	// erasure form next to the disabled button.
	Blocked Guard
	Reason  string
	// NeedsOutlet: the button's form must ask for the outlet and its
	// reference (recycling).
	NeedsOutlet bool
	// Caution, when set, makes the button ask Confirm before moving.
	Caution Caution
	Confirm string
}

// NextSteps lists the generic transitions from the unit's status in button
// order, each marked possible or blocked by a guard. Allocation-only moves
// are left out (they live on the allocation pages), so a reserved or
// recycled unit has none. An unknown status has none either.
func NextSteps(f UnitFacts) []Step {
	steps := []Step{}
	for _, t := range transitions {
		if t.From != f.Status || !t.Generic() {
			continue
		}
		s := Step{To: t.To, Label: t.Label(), Possible: true, NeedsOutlet: t.Has(GuardOutlet), Caution: t.Caution()}
		if s.Caution != "" {
			s.Confirm = s.Caution.Warning(f.Status, t.To) + " Confirmer ?"
		}
		if g := t.unmet(f); g != "" {
			s.Possible, s.Blocked, s.Reason = false, g, g.Message()
		}
		steps = append(steps, s)
	}
	return steps
}

// AllocationTransition returns the table row that the allocation operation
// a performs, so that the allocation package moves units without writing
// statuses of its own (its conditional update is "WHERE status = From").
func AllocationTransition(a Allocation) (Transition, bool) {
	for _, t := range transitions {
		if t.Via == a && a != "" {
			t.Guards = append([]Guard(nil), t.Guards...)
			return t, true
		}
	}
	return Transition{}, false
}

// CheckAllocation decides whether the allocation operation a may move a
// unit with facts f: ordi.Conflict naming the status it needs otherwise.
// The database still settles races with a conditional update.
func CheckAllocation(f UnitFacts, a Allocation) error {
	t, ok := AllocationTransition(a)
	if !ok {
		return fmt.Errorf("inventory: unknown allocation operation %q", a)
	}
	if f.Status != t.From {
		return &ordi.Error{
			Kind: ordi.Conflict,
			Message: fmt.Sprintf("%s impossible : l'unité doit être « %s », elle est « %s ».",
				a.Label(), t.From.Label(), f.Status.Label()),
		}
	}
	if g := t.unmet(f); g != "" {
		return &ordi.Error{Kind: ordi.Conflict, Message: g.Message(), Extra: map[string]any{"guard": string(g)}}
	}
	return nil
}

// CheckUndo decides whether last, the unit's latest event (label prints
// aside), is a move that may be undone, putting the unit back to the status
// it left. What may be undone is a mistaken tap in the workshop:
//   - only a generic transition, the unit's latest event: once anything
//     else happened to the unit (an erasure recorded, its file edited,
//     another move), the facts the move was made on have changed, and the
//     way back is the lifecycle's own buttons;
//   - only from a workshop status (received, diagnosed, wiped, refurbished,
//     ready, returned): a return from a family is not undone here;
//   - never a move to dismantled or recycled (CautionIrreversible): from
//     then on the unit is waste, declared as such;
//   - never an allocation move (reservation, cancellation, handover), nor an
//     undo (redo with the step's button).
//
// It returns ordi.Conflict saying why otherwise.
func CheckUndo(last Event) error {
	refuse := func(msg string) error { return &ordi.Error{Kind: ordi.Conflict, Message: msg} }
	if last.Action != ActionTransition {
		return refuse("Rien à annuler : le dernier événement de cette unité n'est pas un changement de statut fait à l'atelier.")
	}
	t, ok := lookup(last.FromStatus, last.ToStatus)
	if !ok || !t.Generic() {
		return refuse("Ce changement de statut ne peut pas être annulé.")
	}
	if t.Caution() == CautionIrreversible {
		return refuse(fmt.Sprintf("« %s » ne s'annule pas : l'unité est déclarée comme déchet.", last.ToStatus.Label()))
	}
	switch last.FromStatus {
	case StatusReceived, StatusDiagnosed, StatusWiped, StatusRefurbished, StatusReady, StatusReturned:
		return nil
	}
	return refuse(fmt.Sprintf("Un passage de « %s » à « %s » ne s'annule pas.", last.FromStatus.Label(), last.ToStatus.Label()))
}
