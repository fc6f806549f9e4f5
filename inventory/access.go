package inventory

import "github.com/ordi-app/ordi"

// The refusals of the inventory's operations, in French. Every operation of
// the service authorises the actor it receives (DESIGN §3, ordi.Capability):
// changes need ordi.ManageInventory, reads and label printing
// ordi.ReadUnits; the web route table is only a first filter. The check
// comes first, so a refused caller learns nothing of what exists.
const (
	refuseManage  = "Seule l'équipe de l'atelier enregistre et modifie les donateurs, les dons et les unités."
	refuseMove    = "Votre rôle ne permet pas de changer le statut des unités."
	refuseErasure = "Seule l'équipe de l'atelier enregistre les effacements de données."
	refuseRead    = "Votre rôle ne donne pas accès à l'inventaire."
	refusePrint   = "Votre rôle ne permet pas d'imprimer les étiquettes."
)

// requireAllocation authorises the actor of an allocation operation that
// moves a unit: a reservation is staff's (ordi.Allocate), a handover the
// desk's (ordi.HandOver); a cancellation is staff's, or the consequence of
// a family leaving the programme, which its social worker may decide
// (ordi.ReadHouseholds: the allocation package scopes it to their own
// families).
func requireAllocation(actor ordi.Actor, op Allocation) error {
	switch op {
	case AllocationReserve:
		return actor.Require(ordi.Allocate, "Seule l'équipe réserve une unité pour une famille.")
	case AllocationHandover:
		return actor.Require(ordi.HandOver, "Votre rôle ne permet pas de remettre une unité à une famille.")
	case AllocationCancel:
		if actor.Can(ordi.Allocate) {
			return nil
		}
		return actor.Require(ordi.ReadHouseholds, "Votre rôle ne permet pas d'annuler une réservation.")
	}
	return actor.Require(ordi.Allocate, "")
}
