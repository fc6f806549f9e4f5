package hwreport

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// lshwScanner reads lshw's JSON in one pass straight into lshwNode values,
// skipping the members Ordi does not read (configuration, capabilities…)
// without building them: a 2 MB tree is read several times faster than with
// encoding/json, which validates the whole input first and then decodes it.
// It accepts valid JSON only; what it cannot read is a syntaxError.
type lshwScanner struct {
	data  []byte
	i     int
	depth int
}

type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.offset) }

const maxDepth = 10_000

func (s *lshwScanner) fail(msg string) error {
	if s.i >= len(s.data) {
		return &syntaxError{"unexpected end of JSON input", len(s.data)}
	}
	return &syntaxError{msg, s.i}
}

func (s *lshwScanner) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *lshwScanner) peek() byte {
	s.ws()
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *lshwScanner) expect(c byte) error {
	if s.peek() != c {
		return s.fail("expected " + string(c))
	}
	s.i++
	return nil
}

// raw passes over a string and returns it with its quotes, and whether it
// holds escapes.
func (s *lshwScanner) raw() ([]byte, bool, error) {
	if s.peek() != '"' {
		return nil, false, s.fail("expected a string")
	}
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.data) {
		switch c := s.data[s.i]; {
		case c == '\\':
			escaped = true
			s.i += 2
			continue
		case c == '"':
			s.i++
			return s.data[start:s.i], escaped, nil
		case c < 0x20:
			return nil, false, s.fail("control character in string")
		}
		s.i++
	}
	return nil, false, s.fail("unterminated string")
}

// str reads a string; escapes are decoded by encoding/json (rare in lshw).
func (s *lshwScanner) str() (string, error) {
	start := s.i
	b, escaped, err := s.raw()
	if err != nil || !escaped {
		return string(b[min(1, len(b)):max(0, len(b)-1)]), err
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		return "", &syntaxError{"bad string", start}
	}
	return out, nil
}

// skip passes over any value.
func (s *lshwScanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.raw()
		return err
	case c == '{' || c == '[':
		return s.container(c, func() error {
			if c == '{' {
				if _, _, err := s.raw(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
			}
			return s.skip()
		})
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.word("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := s.number()
		return err
	}
	return s.fail("unexpected character")
}

func (s *lshwScanner) word(w string) error {
	if len(s.data)-s.i < len(w) || string(s.data[s.i:s.i+len(w)]) != w {
		return s.fail("bad literal")
	}
	s.i += len(w)
	return nil
}

func (s *lshwScanner) number() ([]byte, error) {
	start := s.i
	for s.i < len(s.data) {
		c := s.data[s.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	if s.i == start || !validNumber(s.data[start:s.i]) {
		return nil, &syntaxError{"bad number", start}
	}
	return s.data[start:s.i], nil
}

// validNumber checks a number's characters without allocating when it is a
// plain integer, the common case.
func validNumber(b []byte) bool {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	plain := len(digits) > 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			plain = false
			break
		}
	}
	if plain {
		return true
	}
	_, err := strconv.ParseFloat(string(b), 64)
	return err == nil
}

// container reads an object or an array whose opening c is next, calling
// each for every member or element.
func (s *lshwScanner) container(c byte, each func() error) error {
	closing := byte('}')
	if c == '[' {
		closing = ']'
	}
	s.i++
	if s.depth++; s.depth > maxDepth {
		return s.fail("too deep")
	}
	defer func() { s.depth-- }()
	if s.peek() == closing {
		s.i++
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case closing:
			s.i++
			return nil
		default:
			return s.fail("expected , or " + string(closing))
		}
	}
}

// node reads one node of the tree.
func (s *lshwScanner) node(n *lshwNode) error {
	if s.peek() != '{' {
		return s.fail("expected an object")
	}
	return s.container('{', func() error {
		quoted, _, err := s.raw()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		var field *string
		switch string(quoted[1 : len(quoted)-1]) {
		case "id":
			field = &n.ID
		case "class":
			field = &n.Class
		case "description":
			field = &n.Description
		case "product":
			field = &n.Product
		case "vendor":
			field = &n.Vendor
		case "serial":
			field = &n.Serial
		case "businfo":
			field = &n.BusInfo
		case "size":
			if c := s.peek(); c == '-' || (c >= '0' && c <= '9') {
				num, err := s.number()
				n.Size = json.Number(string(num))
				return err
			}
		case "disabled":
			if s.peek() == 't' {
				n.Disabled = true
			}
		case "logicalname":
			start := s.i
			if err := s.skip(); err != nil {
				return err
			}
			n.LogicalName = json.RawMessage(s.data[start:s.i])
			return nil
		case "children":
			if s.peek() == '[' {
				n.Children = n.Children[:0] // a repeated member: the last wins, as with encoding/json
				return s.container('[', func() error {
					n.Children = append(n.Children, lshwNode{})
					return s.node(&n.Children[len(n.Children)-1])
				})
			}
		case "json_format_version":
			n.JSONFormatVersion = json.RawMessage("1")
		case "smartctl":
			n.Smartctl = json.RawMessage("1")
		}
		if field != nil && s.peek() == '"' {
			*field, err = s.str()
			return err
		}
		return s.skip()
	})
}

// scanLshw reads a tree, or an array of trees, and checks nothing follows.
func scanLshw(data []byte) ([]lshwNode, error) {
	s := &lshwScanner{data: data}
	var nodes []lshwNode
	var err error
	if s.peek() == '[' {
		err = s.container('[', func() error {
			if s.peek() != '{' {
				return s.skip()
			}
			nodes = append(nodes, lshwNode{})
			return s.node(&nodes[len(nodes)-1])
		})
	} else {
		nodes = append(nodes, lshwNode{})
		err = s.node(&nodes[0])
	}
	if err != nil {
		return nil, err
	}
	if s.peek() != 0 || s.i < len(s.data) {
		return nil, s.fail("data after the JSON value")
	}
	return nodes, nil
}
