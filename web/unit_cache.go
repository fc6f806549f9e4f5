package web

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
)

// unitCache is what a unit's page gives the tablet to keep for reading
// offline (queue.js, docs/offline.md): the code, status, description and
// last events. Nothing of a family: no reservation, no event note (a note
// is free text), only the events' kind and time.
type unitCache struct {
	Code        inventory.Code   `json:"code"`
	Title       string           `json:"title"`
	KindLabel   string           `json:"kind_label"`
	Status      inventory.Status `json:"status"`
	StatusLabel string           `json:"status_label"`
	StatusTone  inventory.Tone   `json:"status_tone"`
	Version     int              `json:"version"`
	Spec        [][2]string      `json:"spec"`
	Events      []cachedEvent    `json:"events"`
}

type cachedEvent struct {
	At    string `json:"at"`
	Label string `json:"label"`
}

// cachedEvents is how many of a unit's last events are kept.
const cachedEvents = 5

// newUnitCache builds the payload from the unit and its events, newest
// first (as the page shows them).
func newUnitCache(u inventory.Unit, events []inventory.Event) unitCache {
	orDash := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return s
	}
	storage := "aucun"
	if u.StorageGB > 0 {
		storage = strconv.Itoa(u.StorageGB) + " Go " + u.StorageKind.Label()
	}
	ram := "—"
	if u.RAMGB > 0 {
		ram = strconv.Itoa(u.RAMGB) + " Go"
	}
	grade := "à définir"
	if u.Grade != "" {
		grade = u.Grade.Label()
	}
	c := unitCache{Code: u.Code, Title: u.Title(), KindLabel: u.Kind.Label(), Status: u.Status, StatusLabel: u.Status.Label(),
		StatusTone: u.Status.Tone(), Version: u.Version,
		Spec: [][2]string{
			{"Numéro de série", orDash(u.SerialNumber)},
			{"Processeur", orDash(u.CPU)},
			{"Mémoire vive", ram},
			{"Stockage", storage},
			{"Grade", grade},
			{"Système", orDash(u.OS)},
		},
		Events: []cachedEvent{},
	}
	for i, e := range events {
		if i == cachedEvents {
			break
		}
		c.Events = append(c.Events, cachedEvent{At: e.At.In(ordi.Paris).Format("02/01/2006 à 15:04"), Label: e.ActionLabel()})
	}
	return c
}

// json is the payload as the page carries it (a data attribute).
func (c unitCache) json() string {
	b, _ := json.Marshal(c)
	return string(b)
}
