package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
	"github.com/ordi-app/ordi/allocation"
	"github.com/ordi-app/ordi/inventory"
)

type homePage struct {
	basePage
	Role        ordi.Role
	Stock       []statusCount // workshop roles: units by status
	Total       int
	Families    []familyCount // staff, administrators, social workers: the families they see, by status
	FamilyTotal int
	CanAdd      bool
	CanLookup   bool
	Targets     []bilanTarget // administrators and staff: this year's targets, when set
	TargetsYear int
}

type familyCount struct {
	Status allocation.HouseholdStatus
	Count  int
}

func (s *Server) handleHome(c *gin.Context) error {
	u, _ := userOf(c)
	p := homePage{basePage: s.base(c, "Accueil"), Role: u.Role, CanAdd: workshop.allows(u.Role), CanLookup: unitsRead.allows(u.Role)}
	if workshop.allows(u.Role) {
		counts, err := s.cfg.Inventory.CountByStatus(c.Request.Context(), actor(c), 0)
		if err != nil {
			return err
		}
		for _, st := range inventory.Statuses() {
			p.Stock = append(p.Stock, statusCount{st, counts[st]})
		}
		p.Total = counts.Total()
	}
	if households.allows(u.Role) {
		counts, err := s.cfg.Allocation.CountByStatus(c.Request.Context(), actor(c))
		if err != nil {
			return err
		}
		for _, st := range allocation.HouseholdStatuses() {
			p.Families = append(p.Families, familyCount{st, counts[st]})
			p.FamilyTotal += counts[st]
		}
	}
	if u.Role == ordi.RoleAdmin || u.Role == ordi.RoleStaff {
		ctx := c.Request.Context()
		progress, err := s.cfg.Reports.Progress(ctx, actor(c))
		if err != nil {
			return err
		}
		th, err := s.cfg.Reports.Threshold(ctx)
		if err != nil {
			return err
		}
		p.Targets, p.TargetsYear = bilanTargets(progress, th), s.now().In(ordi.Paris).Year()
	}
	s.render(c, http.StatusOK, "home", &p)
	return nil
}

// userRow is a user with their partner's name, for lists.
type userRow struct {
	account.User
	PartnerName string
}

type usersPage struct {
	basePage
	Users []userRow
	Next  string
}

func (s *Server) handleUsersPage(c *gin.Context) error {
	ctx := c.Request.Context()
	after, err := ordi.CursorID(c.Query("cursor"))
	if err != nil {
		return err
	}
	users, err := s.cfg.Accounts.Users(ctx, actor(c), account.UserFilter{After: after, Limit: ordi.DefaultLimit + 1})
	if err != nil {
		return err
	}
	names, err := s.partnerNames(c)
	if err != nil {
		return err
	}
	page := paginate(users, ordi.DefaultLimit, func(u account.User) string { return ordi.IDCursor(u.ID) })
	p := usersPage{basePage: s.base(c, "Utilisateurs"), Next: page.NextCursor}
	for _, u := range page.Items {
		row := userRow{User: u}
		if u.PartnerID != nil {
			row.PartnerName = names[*u.PartnerID]
		}
		p.Users = append(p.Users, row)
	}
	s.render(c, http.StatusOK, "users", &p)
	return nil
}

// partnerNames maps every partner id to its name. Associations have a few
// dozen partners, read in pages of the maximum size.
func (s *Server) partnerNames(c *gin.Context) (map[int64]string, error) {
	all, err := s.allPartners(c)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(all))
	for _, p := range all {
		names[p.ID] = p.Name
	}
	return names, nil
}

func (s *Server) allPartners(c *gin.Context) ([]account.Partner, error) {
	var all []account.Partner
	after := int64(0)
	for {
		page, err := s.cfg.Accounts.Partners(c.Request.Context(), actor(c), account.PartnerFilter{After: after, Limit: ordi.MaxLimit})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < ordi.MaxLimit {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

type userFormPage struct {
	basePage
	// Invite: mail is configured, so a new account may get an invitation
	// instead of a password.
	Invite   bool
	Edit     bool
	ID       int64
	Email    string
	Name     string
	Role     ordi.Role
	Partner  int64
	Active   bool
	Roles    []ordi.Role
	Partners []account.Partner
	Fields   []ordi.FieldError
	// The page of an existing account also lists its API tokens.
	Self           bool // the administrator's own account
	Tokens         []tokenRow
	TokenName      string
	TokenExpiresOn string
}

func (s *Server) userForm(c *gin.Context, title string) (userFormPage, error) {
	partners, err := s.allPartners(c)
	return userFormPage{basePage: s.base(c, title), Roles: ordi.Roles, Partners: partners, Active: true, Invite: s.cfg.MailConfigured}, err
}

func (s *Server) handleUserNewPage(c *gin.Context) error {
	p, err := s.userForm(c, "Nouveau compte")
	if err != nil {
		return err
	}
	p.Role = ordi.RoleStaff
	s.render(c, http.StatusOK, "user_form", &p)
	return nil
}

func formInt(c *gin.Context, name string) int64 {
	n, _ := strconv.ParseInt(c.PostForm(name), 10, 64)
	return n
}

// invalidFields returns the field errors of an Invalid error, or the error
// itself when it is of another kind.
func invalidFields(err error) ([]ordi.FieldError, error) {
	var e *ordi.Error
	if errors.As(err, &e) && e.Kind == ordi.Invalid {
		if len(e.Fields) == 0 {
			return []ordi.FieldError{{Field: "", Message: e.Message}}, nil
		}
		return e.Fields, nil
	}
	return nil, err
}

func (s *Server) handleUserCreate(c *gin.Context) error {
	in := account.NewUser{
		Email:     c.PostForm("email"),
		Name:      c.PostForm("name"),
		Role:      ordi.Role(c.PostForm("role")),
		PartnerID: formInt(c, "partner_id"),
		Password:  c.PostForm("password"),
	}
	invite := s.cfg.MailConfigured && in.Password == ""
	var u account.User
	var err error
	if invite {
		// With mail, an empty password sends an invitation instead.
		u, err = s.cfg.Accounts.InviteUser(c.Request.Context(), actor(c), in)
	} else {
		u, err = s.cfg.Accounts.CreateUser(c.Request.Context(), actor(c), in)
	}
	if err != nil {
		fields, err := invalidFields(err)
		if err != nil {
			return err
		}
		p, err := s.userForm(c, "Nouveau compte")
		if err != nil {
			return err
		}
		p.Email, p.Name, p.Role, p.Partner, p.Fields = in.Email, in.Name, in.Role, in.PartnerID, fields
		s.render(c, http.StatusUnprocessableEntity, "user_form", &p)
		return nil
	}
	if invite {
		s.flash(c, "Le compte de "+u.Name+" est créé : invitation envoyée à "+u.Email+".")
	} else {
		s.flash(c, "Le compte de "+u.Name+" est créé.")
	}
	return seeOther(c, "/admin/users")
}

func paramID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound()
	}
	return id, nil
}

// userEditPage is the page of an existing account: the form, and its API
// tokens and sessions.
func (s *Server) userEditPage(c *gin.Context, id int64) (*userFormPage, error) {
	u, err := s.cfg.Accounts.User(c.Request.Context(), actor(c), id)
	if err != nil {
		return nil, err
	}
	p, err := s.userForm(c, "Compte de "+u.Name)
	if err != nil {
		return nil, err
	}
	p.Edit, p.ID, p.Email, p.Name, p.Role, p.Active = true, u.ID, u.Email, u.Name, u.Role, u.Active
	p.Self = u.ID == actor(c).UserID
	if u.PartnerID != nil {
		p.Partner = *u.PartnerID
	}
	if p.Tokens, err = s.tokenRows(c, id); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Server) handleUserEditPage(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	p, err := s.userEditPage(c, id)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "user_form", p)
	return nil
}

func (s *Server) handleUserUpdate(c *gin.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	name, role, partner := c.PostForm("name"), ordi.Role(c.PostForm("role")), formInt(c, "partner_id")
	active := c.PostForm("active") == "on"
	up := account.UserUpdate{Name: &name, Role: &role, PartnerID: &partner, Active: &active}
	if pw := c.PostForm("password"); pw != "" {
		up.Password = &pw
	}
	u, err := s.cfg.Accounts.UpdateUser(c.Request.Context(), actor(c), id, up)
	if err != nil {
		fields, err := invalidFields(err)
		if err != nil {
			return err
		}
		p, err := s.userEditPage(c, id)
		if err != nil {
			return err
		}
		p.Name, p.Role, p.Partner, p.Active, p.Fields = name, role, partner, active, fields
		s.render(c, http.StatusUnprocessableEntity, "user_form", p)
		return nil
	}
	if id == actor(c).UserID {
		// An administrator who changed their own password ended their own
		// sessions with the others: this one goes on under a new id.
		if err := s.signIn(c, u); err != nil {
			return err
		}
	}
	s.flash(c, "Le compte de "+u.Name+" est enregistré.")
	return seeOther(c, "/admin/users")
}

type partnersPage struct {
	basePage
	Partners []account.Partner
	Kinds    []account.PartnerKind
	Name     string
	Kind     account.PartnerKind
	Fields   []ordi.FieldError
}

func (s *Server) partnersPage(c *gin.Context) (partnersPage, error) {
	partners, err := s.allPartners(c)
	return partnersPage{basePage: s.base(c, "Structures partenaires"), Partners: partners, Kinds: account.PartnerKinds}, err
}

func (s *Server) handlePartnersPage(c *gin.Context) error {
	p, err := s.partnersPage(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "partners", &p)
	return nil
}

func (s *Server) handlePartnerCreate(c *gin.Context) error {
	in := account.NewPartner{Name: c.PostForm("name"), Kind: account.PartnerKind(c.PostForm("kind"))}
	partner, err := s.cfg.Accounts.CreatePartner(c.Request.Context(), actor(c), in)
	if err != nil {
		fields, err := invalidFields(err)
		if err != nil {
			return err
		}
		p, err := s.partnersPage(c)
		if err != nil {
			return err
		}
		p.Name, p.Kind, p.Fields = in.Name, in.Kind, fields
		s.render(c, http.StatusUnprocessableEntity, "partners", &p)
		return nil
	}
	s.flash(c, "La structure « "+partner.Name+" » est ajoutée.")
	return seeOther(c, "/admin/partners")
}

type adminPage struct {
	basePage
}

func (s *Server) handleAdminPage(c *gin.Context) error {
	p := adminPage{basePage: s.base(c, "Administration")}
	s.render(c, http.StatusOK, "admin", &p)
	return nil
}
