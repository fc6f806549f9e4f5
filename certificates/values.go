package certificates

import (
	"strings"

	"github.com/ordi-app/ordi/inventory"
)

// unitInfo is what the documents print of a unit.
func unitInfo(u inventory.Unit) UnitInfo {
	info := UnitInfo{Code: string(u.Code), Kind: u.Kind.Label(), Brand: u.Brand, Model: u.Model, Serial: u.SerialNumber, CPU: u.CPU,
		RAMGB: u.RAMGB, StorageGB: u.StorageGB, OS: u.OS}
	if u.StorageKind != inventory.StorageNone {
		info.StorageKind = u.StorageKind.Label()
	}
	if u.Grade != "" {
		info.Grade = u.Grade.Label()
	}
	if u.WeightKG != nil {
		info.WeightKG = *u.WeightKG
	}
	return info
}

func erasureInfo(e inventory.Erasure) ErasureInfo {
	date := e.CreatedAt
	if e.FinishedAt != nil {
		date = *e.FinishedAt
	}
	return ErasureInfo{Category: e.Category.Label(), Technique: e.Technique, Tool: e.Tool, Result: strings.ToLower(e.Result.Label()), Date: date, DriveSerial: e.DriveSerial}
}

func lastPassed(es []inventory.Erasure) *inventory.Erasure {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Result == inventory.ErasurePassed {
			return &es[i]
		}
	}
	return nil
}
