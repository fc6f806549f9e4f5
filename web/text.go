package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ordi-app/ordi"
)

// Text that Ordi refuses at the edge, whatever the field: a NUL character
// (PostgreSQL cannot store it in text, and no form has a use for it) and
// bytes that are not UTF-8 (encoding/json would silently replace them, a
// form would store them as they came).
const (
	nulMessage  = "Caractère nul (U+0000) interdit."
	utf8Message = "Texte mal encodé : UTF-8 attendu."
)

// textProblem says what is wrong with s, or "" when it is clean text.
func textProblem(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return nulMessage
	case !utf8.ValidString(s):
		return utf8Message
	}
	return ""
}

// badText is the 422 answer naming the field that holds bad text.
func badText(field, problem string) error {
	field = printableField(field)
	return &ordi.Error{Kind: ordi.Invalid, Message: fmt.Sprintf("Le champ « %s » contient des caractères refusés.", field),
		Fields: []ordi.FieldError{{Field: field, Message: problem}}}
}

// printableField makes a field name that is itself bad text safe to echo.
func printableField(name string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", "\uFFFD"), "\uFFFD")
}

// checkValues refuses bad text in the names or values of a query or form.
func checkValues(values map[string][]string) error {
	for name, vs := range values {
		if p := textProblem(name); p != "" {
			return badText(name, p)
		}
		for _, v := range vs {
			if p := textProblem(v); p != "" {
				return badText(name, p)
			}
		}
	}
	return nil
}

// jsonLiteralProblem says what is wrong with raw JSON text (a whole document
// or one string literal, quotes included), or "" when every string it holds
// decodes to clean text: no byte outside UTF-8, no \u0000 escape, and no
// \uD800–\uDFFF escape outside a surrogate pair (encoding/json would turn
// both of the latter into U+FFFD without a word).
func jsonLiteralProblem(raw []byte) string {
	if !utf8.Valid(raw) {
		return utf8Message
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			continue // \" \\ \n …: the escaped byte is skipped with the backslash
		}
		r, ok := hex4(raw, i+1)
		if !ok {
			continue // malformed: the decoder will say so
		}
		i += 4
		switch {
		case r == 0:
			return nulMessage
		case r >= 0xDC00 && r <= 0xDFFF:
			return utf8Message // a low surrogate alone
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := -1, false
			if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				low, ok = hex4(raw, i+3)
			}
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return utf8Message // a high surrogate without its pair
			}
			i += 6
		}
	}
	return ""
}

// hex4 reads the four hexadecimal digits of a \u escape starting at raw[i].
func hex4(raw []byte, i int) (int, bool) {
	if i+4 > len(raw) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(raw[i:i+4]), 16, 16)
	return int(n), err == nil
}

// checkJSONText refuses a JSON document holding bad text, naming the field
// (its path: "notes", "codes[2]", "accessories[0].name"). A document that is
// not JSON passes: decoding it answers 400 with a better message.
func checkJSONText(body []byte) error {
	if jsonLiteralProblem(body) == "" {
		return nil // the common case: one pass over the bytes
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, jsonFrame{array: t == '[', expectKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].valueDone()
				}
			}
		case string:
			raw := body[start:dec.InputOffset()]
			raw = raw[bytes.IndexByte(raw, '"'):]
			key := top != nil && !top.array && top.expectKey
			if key {
				top.key, top.expectKey = t, false
			}
			if p := jsonLiteralProblem(raw); p != "" {
				return badText(jsonPath(stack), p)
			}
			if !key && top != nil {
				top.valueDone()
			}
		default:
			if top != nil {
				top.valueDone()
			}
		}
	}
}

// jsonFrame is one open object or array while walking a JSON document.
type jsonFrame struct {
	array     bool
	index     int    // the current element of an array
	key       string // the current member of an object
	expectKey bool
}

func (f *jsonFrame) valueDone() {
	if f.array {
		f.index++
	} else {
		f.expectKey = true
	}
}

func jsonPath(stack []jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		if f.array {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.key)
	}
	return b.String()
}
