package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/account"
)

// maxJSONBody bounds a JSON request body; larger bodies answer 413. It is
// well above any legitimate body so that an over-long field (a 2 MB note) is
// read and refused with a 422 naming the field, while memory stays bounded.
const maxJSONBody = 4 << 20

// decodeJSON reads a JSON body into dst, a small input struct (never a
// database model). Unknown fields, trailing data and a wrong content type are
// refused with 400; an oversized body with 413. Strings holding a NUL or
// bytes outside UTF-8 never get here: checkInput refused them with 422.
func decodeJSON(c *gin.Context, dst any, limit int64) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return ordi.Errorf(ordi.Malformed, "Envoyez du JSON (Content-Type: application/json).")
		}
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return ordi.Errorf(ordi.TooLarge, "Le corps de la requête dépasse %d Ko.", limit>>10)
		}
		return &ordi.Error{Kind: ordi.Malformed, Message: jsonMessage(err), Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return ordi.Errorf(ordi.Malformed, "Le corps de la requête doit contenir un seul objet JSON.")
	}
	return nil
}

// jsonMessage explains a JSON decoding error in French.
func jsonMessage(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "Le corps de la requête est vide."
	case errors.As(err, &syntax):
		return fmt.Sprintf("JSON invalide (position %d).", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("Le champ « %s » n'a pas le bon type (attendu : %s).", typ.Field, typ.Type)
	}
	if msg := err.Error(); len(msg) > 20 && msg[:20] == "json: unknown field " {
		return "Champ inconnu : " + msg[20:] + "."
	}
	return "JSON invalide."
}

// list is the envelope of every API list.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// queryID reads an optional positive integer query parameter.
func queryID(c *gin.Context, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, &ordi.Error{Kind: ordi.Invalid, Message: "Identifiant invalide.", Fields: []ordi.FieldError{{Field: name, Message: "nombre entier positif attendu"}}}
	}
	return id, nil
}

// listParams reads limit and cursor (an id) from the query.
func listParams(c *gin.Context) (limit int, before int64, err error) {
	if limit, err = ordi.ParseLimit(c.Query("limit")); err != nil {
		return 0, 0, err
	}
	before, err = ordi.CursorID(c.Query("cursor"))
	return limit, before, err
}

// paginate turns limit+1 fetched items into a page: the extra item, when
// present, proves there is a next page, whose cursor is the last kept item's.
func paginate[T any](items []T, limit int, cursor func(T) string) list[T] {
	out := list[T]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = cursor(out.Items[limit-1])
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out
}

func (s *Server) handleAPIMe(c *gin.Context) error {
	u, _ := userOf(c)
	c.JSON(http.StatusOK, u)
	return nil
}

func (s *Server) handleAPIPartnerCreate(c *gin.Context) error {
	var in account.NewPartner
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	p, err := s.cfg.Accounts.CreatePartner(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, p)
	return nil
}

func (s *Server) handleAPIPartnerList(c *gin.Context) error {
	limit, after, err := listParams(c)
	if err != nil {
		return err
	}
	items, err := s.cfg.Accounts.Partners(c.Request.Context(), actor(c), account.PartnerFilter{After: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(p account.Partner) string { return ordi.IDCursor(p.ID) }))
	return nil
}

func (s *Server) handleAPIUserCreate(c *gin.Context) error {
	var in account.NewUser
	if err := decodeJSON(c, &in, maxJSONBody); err != nil {
		return err
	}
	create := s.cfg.Accounts.CreateUser
	if s.cfg.MailConfigured && in.Password == "" {
		// With mail and no password: the new user is invited by e-mail.
		create = s.cfg.Accounts.InviteUser
	}
	u, err := create(c.Request.Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, u)
	return nil
}

func (s *Server) handleAPIUserList(c *gin.Context) error {
	limit, after, err := listParams(c)
	if err != nil {
		return err
	}
	f := account.UserFilter{After: after, Limit: limit + 1, Role: ordi.Role(c.Query("role"))}
	items, err := s.cfg.Accounts.Users(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, paginate(items, limit, func(u account.User) string { return ordi.IDCursor(u.ID) }))
	return nil
}
