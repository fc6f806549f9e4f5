package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/allocation"
)

type proposalsPage struct {
	basePage
	Set ProposalsView
}

// ProposalsView is the proposal set with what the page shows of each unit.
type ProposalsView struct {
	Proposals []allocation.Proposal
	Unmatched []allocation.Unmatched
}

func (s *Server) handleProposalsPage(c *gin.Context) error {
	set, err := s.cfg.Allocation.Proposals(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	p := proposalsPage{basePage: s.base(c, "Attribution"), Set: ProposalsView{Proposals: set.Proposals, Unmatched: set.Unmatched}}
	s.render(c, http.StatusOK, "proposals", &p)
	return nil
}

// handleReservationsCreate reserves one proposal, or all of them: each pair
// is its own reservation, so one conflict does not undo the others.
func (s *Server) handleReservationsCreate(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return ordi.Errorf(ordi.Malformed, "Formulaire illisible.")
	}
	pairs := c.Request.PostForm["pair"] // "householdID:unitCode"
	// One proposal's form may carry the handover appointment.
	appointment := strings.TrimSpace(c.PostForm("appointment_on"))
	done, failed := 0, []string{}
	for _, pair := range pairs {
		hid, code, ok := strings.Cut(pair, ":")
		id, err := strconv.ParseInt(hid, 10, 64)
		if !ok || err != nil {
			return ordi.Errorf(ordi.Malformed, "Proposition illisible.")
		}
		if _, err := s.cfg.Allocation.ReserveOn(c.Request.Context(), actor(c), id, code, appointment); err != nil {
			if k := ordi.KindOf(err); k != ordi.Conflict && k != ordi.Invalid {
				return err
			}
			failed = append(failed, code+" : "+ordi.MessageOf(err))
			continue
		}
		done++
	}
	switch {
	case len(failed) > 0:
		s.flashError(c, ordi.Plural(done, "réservation faite", "réservations faites")+" ; refusées : "+strings.Join(failed, " ; "))
	case done == 0:
		s.flashError(c, "Aucune proposition choisie.")
	default:
		s.flash(c, ordi.Plural(done, "réservation confirmée", "réservations confirmées")+". Fixez le rendez-vous de remise avec chaque famille.")
	}
	return seeOther(c, "/allocation")
}

func (s *Server) handleReservationCancel(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	r, err := s.cfg.Allocation.Cancel(c.Request.Context(), actor(c), id, c.PostForm("reason"))
	if err != nil {
		if k := ordi.KindOf(err); k == ordi.Conflict || k == ordi.Invalid {
			s.flashError(c, ordi.MessageOf(err))
			return seeOther(c, safeNext(c.PostForm("back"))) // a path of this site only: no open redirect
		}
		return err
	}
	s.flash(c, "Réservation annulée : l'unité "+string(r.UnitCode)+" est de nouveau prête.")
	return seeOther(c, "/families/"+strconv.FormatInt(r.HouseholdID, 10))
}
