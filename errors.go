// Package ordi holds what every other package of Ordi shares: the error kinds
// that domain errors unwrap to, and the roles and actor of a request.
//
// It imports nothing of Ordi, so any package may import it.
package ordi

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error for the code that must react to it: the web layer
// maps each kind to one HTTP status, the command line to an exit status.
// A Kind is itself an error so that errors.Is(err, ordi.NotFound) works.
type Kind string

// The kinds. An error of no kind is an internal error.
const (
	Malformed    Kind = "malformed"    // the input cannot be read at all (bad JSON)
	Invalid      Kind = "invalid"      // the input breaks a rule; fields say which
	NotFound     Kind = "not_found"    // unknown, or outside the caller's scope
	Conflict     Kind = "conflict"     // the current state forbids it (stale version, wrong status)
	Forbidden    Kind = "forbidden"    // the caller's role lacks the capability
	Unauthorized Kind = "unauthorized" // no or bad credentials
	TooLarge     Kind = "too_large"    // the input exceeds a size limit
	RateLimited  Kind = "rate_limited" // too many attempts
	Unavailable  Kind = "unavailable"  // cannot be served now (database unreachable, server overloaded): try again later
)

func (k Kind) Error() string { return string(k) }

// FieldError names one invalid input field and says, in French, what is wrong.
// Line is set for errors in a multi-line input such as a CSV file (line 1 is
// the header).
type FieldError struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error: a kind, a message safe to show a user (French), and
// details for the caller. Wrap a cause in Err to keep it for the logs.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	// Extra carries kind-specific details that the HTTP layer adds to the
	// problem document, e.g. "allowed" transitions or "pending" unit codes.
	Extra map[string]any
	// RetryAfter, when set on a RateLimited or Unavailable error, says how
	// long the caller should wait (the HTTP layer sends it as Retry-After).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		if f.Line > 0 {
			fmt.Fprintf(&b, "; ligne %d", f.Line)
		}
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is reports whether target is this error's kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error of the given kind with a formatted user message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, or "" when err has none (an internal error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return ""
}

// RetryAfterOf returns how long the caller of a failed operation should wait
// before trying again, or 0 when err does not say.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// MessageOf returns the user message of err, or "" when it has none.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// Validation collects field errors while checking an input, then turns them
// into one Invalid error.
type Validation struct {
	fields []FieldError
}

// Add records that field is invalid.
func (v *Validation) Add(field, message string) {
	v.fields = append(v.fields, FieldError{Field: field, Message: message})
}

// Addf records that field is invalid, with a formatted message.
func (v *Validation) Addf(field, format string, args ...any) {
	v.Add(field, fmt.Sprintf(format, args...))
}

// Has reports whether field already has an error.
func (v *Validation) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Merge takes in the field errors of an Invalid error and returns nil; any
// other error is returned as is. It lets a check made elsewhere add to the
// fields being collected.
func (v *Validation) Merge(err error) error {
	var e *Error
	if err == nil || !errors.As(err, &e) || e.Kind != Invalid {
		return err
	}
	if len(e.Fields) == 0 {
		v.Add("", e.Message)
	}
	v.fields = append(v.fields, e.Fields...)
	return nil
}

// Err returns nil when nothing was recorded, or an Invalid error listing the fields.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := "Certaines valeurs sont invalides."
	if len(v.fields) == 1 {
		msg = v.fields[0].Message
	}
	return &Error{Kind: Invalid, Message: msg, Fields: v.fields}
}
