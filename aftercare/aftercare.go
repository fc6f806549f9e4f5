// Package aftercare keeps Ordi in touch with a computer once it has been
// handed over: the public page its label leads to at the family's home
// (PublicUnit), the problems reported from it (support tickets, their
// history, the abuse limits of the public form), and the settings of both.
// It owns the tables tickets, ticket_events, report_keys and
// report_attempts.
package aftercare

import (
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// Category is what is wrong, as the family picks it from a list.
type Category string

// The categories of a report.
const (
	CategoryWontStart Category = "wont_start"
	CategorySlow      Category = "slow"
	CategoryInternet  Category = "internet"
	CategoryDevices   Category = "devices"
	CategoryBattery   Category = "battery"
	CategorySoftware  Category = "software"
	CategoryOther     Category = "other"
)

// Option is one choice of a list, with its French label.
type Option[T ~string] struct {
	Value T
	Label string
}

var categoryOptions = []Option[Category]{
	{CategoryWontStart, "L'ordinateur ne s'allume pas ou ne démarre pas"},
	{CategorySlow, "Il est très lent ou se bloque"},
	{CategoryInternet, "Internet ou le wifi ne marche pas"},
	{CategoryDevices, "L'écran, le clavier, la souris ou le son"},
	{CategoryBattery, "La batterie ou le chargeur"},
	{CategorySoftware, "Un logiciel, un compte ou un mot de passe"},
	{CategoryOther, "Autre chose"},
}

// Categories lists the categories in the order the form shows them.
func Categories() []Option[Category] { return append([]Option[Category](nil), categoryOptions...) }

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return labelOf(categoryOptions, c) != "" }

// Label is the category's French label.
func (c Category) Label() string { return labelOr(categoryOptions, c) }

// Status is where a ticket stands.
type Status string

// The statuses of a ticket.
const (
	StatusNew           Status = "new"
	StatusInProgress    Status = "in_progress"
	StatusWaitingFamily Status = "waiting_family"
	StatusClosed        Status = "closed"
)

var statusOptions = []Option[Status]{
	{StatusNew, "Nouveau"},
	{StatusInProgress, "En cours"},
	{StatusWaitingFamily, "En attente de la famille"},
	{StatusClosed, "Clos"},
}

// Statuses lists the statuses in the order of a ticket's life.
func Statuses() []Option[Status] { return append([]Option[Status](nil), statusOptions...) }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return labelOf(statusOptions, s) != "" }

// Label is the status's French label.
func (s Status) Label() string { return labelOr(statusOptions, s) }

// transitions is the ticket's lifecycle as data: a closed ticket may be
// reopened (the problem came back), nothing goes back to new.
var transitions = map[Status][]Status{
	StatusNew:           {StatusInProgress, StatusWaitingFamily, StatusClosed},
	StatusInProgress:    {StatusWaitingFamily, StatusClosed},
	StatusWaitingFamily: {StatusInProgress, StatusClosed},
	StatusClosed:        {StatusInProgress},
}

// Next lists the statuses a ticket may move to from s.
func (s Status) Next() []Status { return append([]Status(nil), transitions[s]...) }

// CanMoveTo reports whether a ticket may move from s to to.
func (s Status) CanMoveTo(to Status) bool {
	for _, n := range transitions[s] {
		if n == to {
			return true
		}
	}
	return false
}

// ClosingReason says how a ticket ended.
type ClosingReason string

// The closing reasons.
const (
	ClosedByPhone  ClosingReason = "solved_by_phone"
	ClosedRepaired ClosingReason = "repaired"
	ClosedSwapped  ClosingReason = "swapped"
	ClosedReturned ClosingReason = "returned"
)

var closingOptions = []Option[ClosingReason]{
	{ClosedByPhone, "Résolu par téléphone"},
	{ClosedRepaired, "Réparé"},
	{ClosedSwapped, "Échangé contre un autre ordinateur"},
	{ClosedReturned, "Rendu à l'association"},
}

// ClosingReasons lists the closing reasons.
func ClosingReasons() []Option[ClosingReason] {
	return append([]Option[ClosingReason](nil), closingOptions...)
}

// Valid reports whether r is a known closing reason.
func (r ClosingReason) Valid() bool { return labelOf(closingOptions, r) != "" }

// Label is the reason's French label.
func (r ClosingReason) Label() string { return labelOr(closingOptions, r) }

func labelOf[T ~string](opts []Option[T], v T) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return ""
}

func labelOr[T ~string](opts []Option[T], v T) string {
	if l := labelOf(opts, v); l != "" {
		return l
	}
	return string(v)
}

// Ticket is a problem reported on a handed-over unit. HouseholdID is the
// family that received the unit, found through the handover when the
// report was made; it is shown to staff only (View).
type Ticket struct {
	ID            int64         `json:"id"`
	UnitID        int64         `json:"-"`
	HouseholdID   *int64        `json:"-"`
	Category      Category      `json:"category"`
	Description   string        `json:"description"`
	Phone         string        `json:"phone,omitempty"`
	Status        Status        `json:"status"`
	ClosingReason ClosingReason `json:"closing_reason,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Version       int           `json:"version"`
}

// TableName tells GORM where tickets live.
func (Ticket) TableName() string { return "tickets" }

// View is a ticket with what the queue and its page show of its unit and of
// the family: the family's pseudonymous reference, its partner and social
// worker (never its name, address or phone).
type View struct {
	Ticket
	UnitCode  inventory.Code `json:"unit_code"`
	UnitKind  inventory.Kind `json:"unit_kind"`
	UnitTitle string         `json:"unit_title"`
	// FamilyID is the family's id for those who may open its file.
	FamilyID           *int64 `gorm:"-" json:"household_id,omitempty"`
	HouseholdReference string `json:"household_reference,omitempty"`
	PartnerName        string `json:"partner,omitempty"`
	SocialWorkerName   string `json:"social_worker,omitempty"`
}

// Event is one line of a ticket's history, appended only.
type Event struct {
	ID         int64     `json:"-"`
	TicketID   int64     `json:"-"`
	At         time.Time `json:"at"`
	ActorID    *int64    `json:"-"`
	ActorName  string    `json:"actor"`
	Action     string    `json:"action"`
	FromStatus Status    `json:"from,omitempty"`
	ToStatus   Status    `json:"to,omitempty"`
	Note       string    `json:"note,omitempty"`
}

// TableName tells GORM where events live.
func (Event) TableName() string { return "ticket_events" }

// The actions of a ticket's history.
const (
	ActionReported = "reported"
	ActionStatus   = "status"
	ActionNote     = "note"
)

// ActionLabel is an action's French label.
func ActionLabel(action string) string {
	switch action {
	case ActionReported:
		return "Signalé depuis la page publique"
	case ActionStatus:
		return "Statut changé"
	case ActionNote:
		return "Note"
	}
	return action
}

// reporter is the actor of a report made from the public page: nobody
// signed in.
var reporter = ordi.Actor{Name: "signalement public"}
