package web

import (
	"github.com/ordi-app/ordi/allocation"
)

// allocationOptions are the choices of the family and course forms.
type allocationOptions struct {
	Needs       []allocation.Need
	IncomeBands []allocation.IncomeBand
	Statuses    []allocation.HouseholdStatus
}

func newAllocationOptions() allocationOptions {
	return allocationOptions{Needs: allocation.Needs(), IncomeBands: allocation.IncomeBands(), Statuses: allocation.HouseholdStatuses()}
}
