package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client speaks to an Ordi server with an API token.
type Client struct {
	Server string // base URL, https://ordi.example.org
	Token  string
	HTTP   *http.Client
}

// Problem is the server's answer to a refused request (RFC 9457), with the
// fields Ordi adds.
type Problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	// Of a report refused as one the unit has already.
	SHA256   string `json:"sha256"`
	ReportID int64  `json:"report_id"`
}

// APIError is a refusal, said in French for the operator.
type APIError struct {
	Problem
	What string // what was asked, "l'envoi du rapport lshw"
	Unit string
}

func (e *APIError) Error() string {
	detail := e.Detail
	for _, f := range e.Errors {
		detail += " " + f.Message
	}
	detail = strings.TrimSpace(detail)
	switch e.Status {
	case http.StatusUnauthorized:
		return "le serveur refuse le jeton d'accès (révoqué, expiré ou inconnu) : demandez à un administrateur un nouveau jeton de poste d'atelier, et remplacez le fichier du jeton"
	case http.StatusForbidden:
		return "ce jeton n'a pas le droit de faire cela (" + e.What + ") : il faut le jeton d'un compte « poste d'atelier » ou de l'équipe de l'atelier"
	case http.StatusNotFound:
		if e.Unit != "" {
			return fmt.Sprintf("l'unité %s est inconnue du serveur : vérifiez le code écrit sous le QR code de l'étiquette", e.Unit)
		}
		return "le serveur ne connaît pas cette adresse : vérifiez --server (" + detail + ")"
	case http.StatusConflict:
		return "le serveur refuse " + e.What + " : " + detail
	case http.StatusRequestEntityTooLarge:
		return "le serveur refuse " + e.What + " : fichier trop volumineux (" + detail + ")"
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return "le serveur refuse " + e.What + " : " + detail
	}
	return fmt.Sprintf("le serveur a répondu %d à %s : %s", e.Status, e.What, detail)
}

// ErrUnreachable wraps a failure to reach the server at all.
var ErrUnreachable = errors.New("serveur injoignable")

func (c *Client) do(ctx context.Context, method, path, contentType string, body []byte, what, unit string, into any) error {
	base, err := url.Parse(strings.TrimRight(c.Server, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return fmt.Errorf("adresse du serveur invalide %q : donnez par exemple --server https://ordi.example.org", c.Server)
	}
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w (%s) : %v", ErrUnreachable, base.Host, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%w (%s) : %v", ErrUnreachable, base.Host, err)
	}
	if res.StatusCode >= 300 {
		e := &APIError{What: what, Unit: unit}
		if json.Unmarshal(data, &e.Problem) != nil || e.Problem.Status == 0 {
			e.Problem = Problem{Detail: strings.TrimSpace(string(data))}
		}
		e.Status = res.StatusCode
		return e
	}
	if into != nil {
		if err := json.Unmarshal(data, into); err != nil {
			return fmt.Errorf("réponse illisible du serveur à %s : %v", what, err)
		}
	}
	return nil
}

// Me checks the token and returns the account's name and role.
func (c *Client) Me(ctx context.Context) (name, role string, err error) {
	var me struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	err = c.do(ctx, http.MethodGet, "/api/v1/me", "", nil, "la vérification du jeton", "", &me)
	return me.Name, me.Role, err
}

// CreateUnit creates a unit of the kind in the donation and returns its code.
func (c *Client) CreateUnit(ctx context.Context, donationID int64, kind string) (string, error) {
	body, _ := json.Marshal(map[string]any{"donation_id": donationID, "kind": kind})
	var u struct {
		Code string `json:"code"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/units", "application/json", body, "la création de l'unité", "", &u); err != nil {
		return "", err
	}
	if u.Code == "" {
		return "", errors.New("le serveur n'a pas donné le code de la nouvelle unité")
	}
	return u.Code, nil
}

// Attached is the server's answer to a report.
type Attached struct {
	ID        int64             `json:"id"`
	Kind      string            `json:"kind"`
	SHA256    string            `json:"sha256"`
	Drives    []json.RawMessage `json:"drives"`
	Erasures  []json.RawMessage `json:"erasures"`
	Conflicts []json.RawMessage `json:"conflicts"`
}

// AttachReport sends one part to the unit's reports. A 409 that names the
// same SHA-256 (the server has this report already) is no error: Already.
func (c *Client) AttachReport(ctx context.Context, code string, p Part) (a Attached, already bool, err error) {
	data, err := p.Data()
	if err != nil {
		return a, false, err
	}
	ct := "application/json"
	if p.Kind == KindNwipe {
		ct = "text/plain; charset=utf-8"
	}
	what := "le rapport " + p.Kind + onDevice(p.Device)
	err = c.do(ctx, http.MethodPost, "/api/v1/units/"+url.PathEscape(code)+"/reports", ct, data, what, code, &a)
	var e *APIError
	if errors.As(err, &e) && e.Status == http.StatusConflict && e.SHA256 != "" && strings.EqualFold(e.SHA256, p.SHA256) {
		return Attached{ID: e.ReportID, SHA256: e.SHA256, Kind: p.Kind}, true, nil
	}
	return a, false, err
}

// Upload sends a bundle: it creates the unit first when the bundle names a
// donation, then each report not sent yet. After each step it calls save
// (nil: none) with the bundle as it now is, so that a file sent again,
// after a cut in the middle, creates no second unit and attaches no report
// twice. It returns the unit's code.
func Upload(ctx context.Context, c *Client, b *Bundle, save func(*Bundle) error, log io.Writer, now func() time.Time) (string, error) {
	if log == nil {
		log = io.Discard
	}
	if now == nil {
		now = time.Now
	}
	if save == nil {
		save = func(*Bundle) error { return nil }
	}
	if b.Unit == "" {
		code, err := c.CreateUnit(ctx, b.DonationID, b.Kind)
		if err != nil {
			return "", err
		}
		b.Unit, b.UnitCreated = code, true
		fmt.Fprintf(log, "Unité %s créée dans le don n° %d.\n", code, b.DonationID)
		if err := save(b); err != nil {
			return code, err
		}
	}
	for i := range b.Parts {
		p := &b.Parts[i]
		if !p.Report || p.Sent != nil && p.Sent.Unit == b.Unit {
			continue
		}
		a, already, err := c.AttachReport(ctx, b.Unit, *p)
		if err != nil {
			return b.Unit, err
		}
		p.Sent = &Sent{At: now().UTC(), Unit: b.Unit, ReportID: a.ID, Already: already}
		if already {
			fmt.Fprintf(log, "Rapport %s%s : le serveur l'avait déjà.\n", p.Kind, onDevice(p.Device))
		} else {
			fmt.Fprintf(log, "Rapport %s%s joint à l'unité %s (%s).\n", p.Kind, onDevice(p.Device), b.Unit, summary(a))
		}
		if err := save(b); err != nil {
			return b.Unit, err
		}
	}
	return b.Unit, nil
}

func summary(a Attached) string {
	var parts []string
	if n := len(a.Drives); n > 0 {
		parts = append(parts, plural(n, "disque", "disques"))
	}
	if n := len(a.Erasures); n > 0 {
		parts = append(parts, plural(n, "effacement", "effacements"))
	}
	if n := len(a.Conflicts); n > 0 {
		parts = append(parts, plural(n, "valeur différente de la fiche, à trancher sur la page de l'unité", "valeurs différentes de la fiche, à trancher sur la page de l'unité"))
	}
	if len(parts) == 0 {
		return "reçu"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
