package web

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/ordi-app/ordi"
)

func (s *Server) handleFamilyDecision(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	eligible := c.PostForm("eligible") == "yes"
	h, err := s.cfg.Allocation.Decide(c.Request.Context(), actor(c), id, eligible, c.PostForm("reason"))
	if err != nil {
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "Décision enregistrée : famille « "+h.Status.Label()+" ».")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

// familyFormError re-renders the family page with the error of one of its
// forms, or returns the error when it is not the user's to fix.
func (s *Server) familyFormError(c *gin.Context, id int64, err error) error {
	kind := ordi.KindOf(err)
	if kind != ordi.Invalid && kind != ordi.Conflict {
		return err
	}
	p, perr := s.familyPage(c, id)
	if perr != nil {
		return perr
	}
	p.Fields, _ = invalidFields(err)
	if kind == ordi.Conflict {
		p.Fields = []ordi.FieldError{{Message: ordi.MessageOf(err)}}
	}
	s.render(c, statusOf[kind], "family", p)
	return nil
}

func (s *Server) handleFamilyWithdraw(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Allocation.Withdraw(c.Request.Context(), actor(c), id, c.PostForm("reason")); err != nil {
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "La famille est sortie du dispositif.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

func (s *Server) handleFamilyErase(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Certificates.EraseHousehold(c.Request.Context(), actor(c), id, c.PostForm("confirm")); err != nil {
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "Les données de la famille ont été effacées.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}

func (s *Server) handleFamilyEnroll(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	course, _ := strconv.ParseInt(c.PostForm("course_id"), 10, 64)
	if err := s.cfg.Allocation.Enroll(c.Request.Context(), actor(c), course, id); err != nil {
		if ordi.KindOf(err) == ordi.NotFound {
			err = &ordi.Error{Kind: ordi.Invalid, Message: "Choisissez une formation.", Fields: []ordi.FieldError{{Field: "course_id", Message: "Choisissez une formation."}}}
		}
		return s.familyFormError(c, id, err)
	}
	s.flash(c, "Famille inscrite à la formation.")
	return seeOther(c, "/families/"+strconv.FormatInt(id, 10))
}
