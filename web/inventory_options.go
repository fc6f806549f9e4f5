package web

import (
	"github.com/gin-gonic/gin"
	"net/url"

	"github.com/ordi-app/ordi/inventory"
)

// inventoryOptions are the choices every inventory form offers.
type inventoryOptions struct {
	Kinds        []inventory.Kind
	StorageKinds []inventory.StorageKind
	Grades       []inventory.Grade
	DonorKinds   []inventory.DonorKind
	Statuses     []inventory.Status
	Categories   []inventory.ErasureCategory
	Methods      []inventory.ErasureMethod
	Media        []inventory.Medium
}

func newInventoryOptions() inventoryOptions {
	return inventoryOptions{
		Kinds: inventory.Kinds(), StorageKinds: inventory.StorageKinds(), Grades: inventory.Grades(),
		DonorKinds: inventory.DonorKinds(), Statuses: inventory.Statuses(), Categories: inventory.ErasureCategories(),
		Methods: inventory.ErasureMethods(), Media: inventory.Media(),
	}
}

// canEdit reports whether the signed-in user may change the inventory.
func canEdit(c *gin.Context) bool {
	u, ok := userOf(c)
	return ok && workshop.allows(u.Role)
}

// lastUnitKey keeps the last unit's description in the session (a
// lastUnit), so entering ten identical laptops means typing their serial
// numbers only. It is carried over within the donation it was typed for,
// and the page clears it when the kind changes.
const lastUnitKey = "last_unit_v2"

// lastUnit is the description of the unit last added, and the donation it
// was added to.
type lastUnit struct {
	Donation int64      `json:"donation"`
	Form     url.Values `json:"form"`
}

// specFields are the unit description fields the add form remembers.
var specFields = []string{"kind", "brand", "model", "cpu", "ram_gb", "storage_gb", "storage_kind", "screen_inches", "weight_kg", "grade", "os"}
