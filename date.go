package ordi

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// DateLayout is how dates are written in the API: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Date is a calendar date (a donation's day, a course session), without a
// time of day or zone. It is stored as a SQL DATE and travels as "YYYY-MM-DD".
type Date struct {
	time.Time // midnight UTC
}

// DateOf returns the calendar date of t in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// String formats the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// French formats the date as DD/MM/YYYY for screens and documents.
func (d Date) French() string {
	if d.IsZero() {
		return ""
	}
	return d.Format("02/01/2006")
}

// After and Before compare calendar dates.
func (d Date) After(o Date) bool  { return d.Time.After(o.Time) }
func (d Date) Before(o Date) bool { return d.Time.Before(o.Time) }

// MarshalJSON writes "YYYY-MM-DD", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("date: want a string YYYY-MM-DD")
	}
	p, err := ParseDate(s[1 : len(s)-1])
	if err != nil {
		return fmt.Errorf("date: want YYYY-MM-DD")
	}
	*d = p
	return nil
}

// Value stores the date as midnight UTC.
func (d Date) Value() (driver.Value, error) { return d.Time, nil }

// Scan reads a DATE column: a time from the drivers, or text.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*d = DateOf(x.UTC())
	case string:
		return d.scanText(x)
	case []byte:
		return d.scanText(string(x))
	case nil:
		*d = Date{}
	default:
		return fmt.Errorf("date: cannot scan %T", v)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	if len(s) >= 10 {
		s = s[:10]
	}
	p, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	*d = p
	return nil
}
