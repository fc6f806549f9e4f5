package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/labels"
)

type unitPage struct {
	basePage
	inventoryOptions
	Unit       inventory.Unit
	Donation   inventory.Donation
	Donor      inventory.Donor
	Steps      []inventory.Step
	Erasures   []inventory.Erasure
	Events     []inventory.Event
	NeedsErase bool // a step waits for an erasure: show the form open
	// BlockedReasons says once, in French, what blocks the disabled steps.
	BlockedReasons []string
	CanErase       bool
	CanEdit        bool
	Form           url.Values
	Fields         []ordi.FieldError
	FormFor        string // which form the errors belong to: "erasure" or a status
	Templates      []labels.Template
	// Reservation is the unit's active reservation, if any.
	Reservation *allocation.ReservationView
	// CanSeeFamily: the viewer may open the family's file.
	CanSeeFamily bool
	// Undo is the last move when it may be undone (a mistaken tap).
	Undo *inventory.Event
	// Attestation is the attestation of the unit's handover, for those who
	// may read it (certificates.Service.HandoverAttestation).
	Attestation *certificates.Certificate
	// Drives are the unit's drives as the tools reported them.
	Drives []inventory.Drive
	// Reports are the tools' reports attached, for staff (CanEdit).
	Reports []inventory.Report
	// Conflicts are the fields a report disagrees with, not settled yet.
	Conflicts []inventory.ReportConflict
	// CanReport: the viewer may attach a report to this unit now.
	CanReport bool
	// Outlets are the active outlets a leaving unit may be sent to, for
	// staff when a step asks for one.
	Outlets []inventory.Outlet
	// OutletName is the name of the outlet record the unit points at.
	OutletName string
	// Cache is what the tablet keeps of the unit for reading offline
	// (unit_cache.go), as JSON.
	Cache string
}

func (s *Server) unitPage(c *gin.Context, code string) (*unitPage, error) {
	ctx := c.Request.Context()
	u, err := s.cfg.Inventory.Unit(ctx, actor(c), code)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Inventory.Facts(ctx, actor(c), u)
	if err != nil {
		return nil, err
	}
	d, err := s.cfg.Inventory.Donation(ctx, actor(c), u.DonationID)
	if err != nil {
		return nil, err
	}
	donor, err := s.cfg.Inventory.Donor(ctx, actor(c), d.DonorID)
	if err != nil {
		return nil, err
	}
	erasures, err := s.cfg.Inventory.Erasures(ctx, actor(c), u.ID)
	if err != nil {
		return nil, err
	}
	events, err := s.cfg.Inventory.Events(ctx, actor(c), string(u.Code))
	if err != nil {
		return nil, err
	}
	slicesReverse(events)
	p := &unitPage{basePage: s.base(c, "Unité "+string(u.Code)), inventoryOptions: newInventoryOptions(), Unit: u, Donation: d, Donor: donor,
		Steps: inventory.NextSteps(f), Erasures: erasures, Events: events, CanEdit: canEdit(c), Form: url.Values{}, Templates: labels.Templates(),
		Cache: newUnitCache(u, events).json()}
	if u.Status == inventory.StatusReserved {
		rs, err := s.cfg.Allocation.Reservations(ctx, actor(c), allocation.ReservationFilter{UnitID: u.ID, Status: allocation.ReservationActive, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(rs) > 0 {
			p.Reservation = &rs[0]
		}
		p.CanSeeFamily = households.allows(actor(c).Role)
	}
	if (u.Status == inventory.StatusHandedOver || u.Status == inventory.StatusReturned) && actor(c).Can(ordi.HandOver) {
		cert, err := s.cfg.Certificates.HandoverAttestation(ctx, actor(c), certificates.HandoverOf{UnitID: u.ID})
		if err != nil && ordi.KindOf(err) != ordi.NotFound {
			return nil, err
		}
		if err == nil {
			p.Attestation = &cert
		}
	}
	seen := map[inventory.Guard]bool{}
	for _, st := range p.Steps {
		if st.Possible {
			continue
		}
		if st.Blocked == inventory.GuardErased || st.Blocked == inventory.GuardSanitised {
			p.NeedsErase = true
			// Both erasure guards say the same thing to a person: record an erasure.
			if seen[inventory.GuardErased] || seen[inventory.GuardSanitised] {
				continue
			}
		}
		if !seen[st.Blocked] {
			seen[st.Blocked] = true
			p.BlockedReasons = append(p.BlockedReasons, st.Reason)
		}
	}
	p.CanErase = p.CanEdit && u.HasStorage() && u.Status.Erasable()
	if p.Drives, err = s.cfg.Inventory.Drives(ctx, actor(c), string(u.Code)); err != nil {
		return nil, err
	}
	if p.CanEdit {
		if p.Reports, err = s.cfg.Inventory.Reports(ctx, actor(c), string(u.Code)); err != nil {
			return nil, err
		}
		if p.Conflicts, err = s.cfg.Inventory.OpenConflicts(ctx, actor(c), u); err != nil {
			return nil, err
		}
		p.CanReport = u.Status != inventory.StatusHandedOver && u.Status != inventory.StatusRecycled
		for _, st := range p.Steps {
			if st.NeedsOutlet && st.Possible {
				if p.Outlets, err = s.allOutlets(c, inventory.OutletFilter{ActiveOnly: true}); err != nil {
					return nil, err
				}
				break
			}
		}
		if u.OutletID != nil {
			o, err := s.cfg.Inventory.Outlet(ctx, actor(c), *u.OutletID)
			if err != nil {
				return nil, err
			}
			p.OutletName = o.Name
		}
	}
	if last, ok, err := s.cfg.Inventory.UndoableMove(ctx, actor(c), u); err != nil {
		return nil, err
	} else if ok {
		p.Undo = &last
	}
	return p, nil
}

// formVersion is the unit's version the page was shown with, which its
// forms send so that an action decided on a stale page is refused; 0 (not
// checked) when absent, -1 (refused as invalid) when not a number.
func formVersion(c *gin.Context) int {
	raw := strings.TrimSpace(c.PostForm("version"))
	if raw == "" {
		return 0
	}
	v, err := strconv.Atoi(raw)
	if err != nil {
		return -1
	}
	return v
}

func slicesReverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// unknownUnitPage is the friendly answer to a code that does not exist.
type unknownUnitPage struct {
	basePage
	Code string
}

func (s *Server) handleUnitPage(c *gin.Context) error {
	if _, signedIn := userOf(c); !signedIn {
		return s.handleUnitPublic(c) // the label scanned at the family's home
	}
	p, err := s.unitPage(c, c.Param("code"))
	if errors.Is(err, ordi.NotFound) {
		up := unknownUnitPage{basePage: s.base(c, "Code inconnu"), Code: c.Param("code")}
		s.render(c, http.StatusNotFound, "unit_unknown", &up)
		return nil
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "unit", p)
	return nil
}

func (s *Server) handleUnitTransition(c *gin.Context) error {
	code := c.Param("code")
	to := inventory.Status(c.PostForm("to"))
	in := inventory.TransitionInput{Note: c.PostForm("note"), OutletID: formInt(c, "outlet_id"), Outlet: c.PostForm("outlet"),
		OutletReference: c.PostForm("outlet_reference"), Version: formVersion(c)}
	u, err := s.cfg.Inventory.Transition(c.Request.Context(), actor(c), code, to, in)
	if err == nil {
		s.flash(c, "Unité "+string(u.Code)+" : « "+u.Status.Label()+" ».")
		return seeOther(c, "/u/"+string(u.Code))
	}
	return s.unitRefused(c, code, err, func(p *unitPage) {
		p.Form, p.FormFor = c.Request.PostForm, string(to)
	})
}

// unitRefused answers a refused action on the unit page: an invalid or
// conflicting one shows the page again with the refusal above the form the
// action came from (prepare reopens it); any other error goes to the error
// page.
func (s *Server) unitRefused(c *gin.Context, code string, err error, prepare func(*unitPage)) error {
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.unitPage(c, code)
	if perr != nil {
		return perr
	}
	if prepare != nil {
		prepare(p)
	}
	if p.Fields, _ = invalidFields(err); kind == ordi.Conflict || len(p.Fields) == 0 {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "unit", p)
	return nil
}

func (s *Server) handleUnitErasure(c *gin.Context) error {
	code := c.Param("code")
	in := inventory.NewErasure{
		Category: inventory.ErasureCategory(c.PostForm("category")), Method: inventory.ErasureMethod(c.PostForm("method")),
		Medium: inventory.Medium(c.PostForm("medium")), Technique: c.PostForm("technique"), Tool: c.PostForm("tool"),
		DriveSerial: c.PostForm("drive_serial"), DriveModel: c.PostForm("drive_model"), Result: inventory.ErasureResult(c.PostForm("result")),
		Version: formVersion(c),
	}
	_, err := s.cfg.Inventory.RecordErasure(c.Request.Context(), actor(c), code, in)
	if err == nil {
		msg := "Effacement réussi enregistré."
		if in.Result != inventory.ErasurePassed {
			msg = "Effacement échoué enregistré : recommencez l'effacement ou détruisez le support."
		}
		s.flash(c, msg)
		return seeOther(c, "/u/"+strings.ToUpper(code))
	}
	return s.unitRefused(c, code, err, func(p *unitPage) {
		p.Form, p.FormFor, p.NeedsErase = c.Request.PostForm, "erasure", true
	})
}
