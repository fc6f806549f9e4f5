package ordi

import (
	"time"
	// The zone database inside the binary (about 450 kB): without it a host
	// or image lacking /usr/share/zoneinfo would leave Paris unknown, and any
	// fixed offset is an hour wrong half of the year.
	_ "time/tzdata"
)

// Paris is the association's time zone: "today", and every date and time
// shown on screens and documents, is reckoned in it. Stored times are UTC.
var Paris = mustLoadLocation("Europe/Paris")

// mustLoadLocation loads a zone that the embedded database always holds;
// failing to is a broken build, not a condition to live with.
func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("ordi: time zone " + name + ": " + err.Error())
	}
	return loc
}
