package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/certificates"
)

type familyPage struct {
	basePage
	allocationOptions
	Family       allocation.Household
	PartnerName  string
	Checklist    *allocation.Checklist
	Reservations []allocation.ReservationView
	Courses      []allocation.CourseSummary // where an eligible family can be enrolled
	CanDecide    bool
	CanEdit      bool
	CanExport    bool
	CanWithdraw  bool
	CanAudit     bool // the access log of this file (administrators)
	CanErase     bool // erase the family's data at its request (administrators)
	Fields       []ordi.FieldError
	// Attestation is the attestation of the family's handover, for those
	// who may read it (certificates.Service.HandoverAttestation).
	Attestation *certificates.Certificate
}

func (s *Server) familyPage(c *gin.Context, id int64) (*familyPage, error) {
	ctx := c.Request.Context()
	a := actor(c)
	h, err := s.cfg.Allocation.Household(ctx, a, id)
	if err != nil {
		return nil, err
	}
	open := h.ErasedAt == nil // an erased file is closed
	p := &familyPage{basePage: s.base(c, "Famille "+h.Reference), allocationOptions: newAllocationOptions(), Family: h,
		CanDecide: allocate.allows(a.Role), CanEdit: open && nominate.allows(a.Role), CanExport: nominate.allows(a.Role), CanWithdraw: open,
		CanAudit: adminOnly.allows(a.Role), CanErase: open && adminOnly.allows(a.Role)}
	if partner, err := s.cfg.Accounts.Partner(ctx, a, h.PartnerID); err == nil {
		p.PartnerName = partner.Name
	}
	if h.Status == allocation.StatusEquipped && a.Can(ordi.HandOver) {
		cert, err := s.cfg.Certificates.HandoverAttestation(ctx, a, certificates.HandoverOf{HouseholdID: h.ID})
		if err != nil && ordi.KindOf(err) != ordi.NotFound {
			return nil, err
		}
		if err == nil {
			p.Attestation = &cert
		}
	}
	if p.CanDecide {
		if open {
			cl, err := s.cfg.Allocation.Checklist(ctx, h)
			if err != nil {
				return nil, err
			}
			p.Checklist = &cl
		}
		if p.Reservations, err = s.cfg.Allocation.Reservations(ctx, a, allocation.ReservationFilter{HouseholdID: h.ID, Limit: 20}); err != nil {
			return nil, err
		}
		if h.Status == allocation.StatusEligible {
			if p.Courses, err = s.cfg.Allocation.Courses(ctx, a, allocation.CourseFilter{Limit: 20}); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func (s *Server) handleFamilyPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.familyPage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "family", p)
	return nil
}
