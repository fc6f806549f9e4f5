package ordi

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// List sizes of the API contract: default 50, at most 200.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ListLimit bounds the number of rows a store reads for one page: callers
// ask for limit+1 to learn whether a next page exists, so MaxLimit+1 is
// allowed; anything else out of range means DefaultLimit.
func ListLimit(n int) int {
	if n <= 0 || n > MaxLimit+1 {
		return DefaultLimit
	}
	return n
}

// ParseLimit reads a "limit" query value: empty means DefaultLimit.
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, &Error{Kind: Invalid, Message: "La limite doit être un nombre entre 1 et 200.",
			Fields: []FieldError{{Field: "limit", Message: "entre 1 et 200"}}}
	}
	return n, nil
}

// EncodeCursor turns the sort key of the last item of a page into an opaque
// cursor for the next page.
func EncodeCursor(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x1f")))
}

// DecodeCursor reverses EncodeCursor, checking the number of parts.
func DecodeCursor(cursor string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	parts := strings.Split(string(b), "\x1f")
	if err != nil || len(parts) != n {
		return nil, &Error{Kind: Invalid, Message: "Curseur de pagination invalide.",
			Fields: []FieldError{{Field: "cursor", Message: "curseur invalide"}}}
	}
	return parts, nil
}

// CursorID decodes a cursor holding a single integer id.
func CursorID(cursor string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	parts, err := DecodeCursor(cursor, 1)
	if err != nil {
		return 0, err
	}
	id, perr := strconv.ParseInt(parts[0], 10, 64)
	if perr != nil || id <= 0 {
		return 0, &Error{Kind: Invalid, Message: "Curseur de pagination invalide.",
			Fields: []FieldError{{Field: "cursor", Message: "curseur invalide"}}}
	}
	return id, nil
}

// IDCursor encodes an integer id as a cursor.
func IDCursor(id int64) string { return EncodeCursor(strconv.FormatInt(id, 10)) }
