package web

import "bytes"

// French typography wants a space that never breaks before the high signs
// and inside guillemets: « Motif : … », « Imprimer ? ». Templates and
// messages are written with a plain space; frenchSpacing turns it into the
// right one as each page is rendered, so a sign never starts a line and no
// template has to spell U+00A0.
const (
	noBreakSpace       = "\u00A0" // before : and », after «
	narrowNoBreakSpace = "\u202F" // before ; ! ?
)

// verbatimElements keep their text as written: code, preformatted text,
// scripts and styles, and a textarea's content, which the form sends back.
var verbatimElements = map[string]bool{"script": true, "style": true, "textarea": true, "pre": true, "code": true}

// spacedAttributes are the attributes whose text a person reads (a tooltip,
// a confirmation dialog, a placeholder, an accessible name).
var spacedAttributes = map[string]bool{"title": true, "aria-label": true, "placeholder": true, "alt": true, "data-confirm": true}

// frenchSpacing returns an HTML document with the spaces of its text set
// French style (see spaceFrench). It reads HTML as html/template writes
// it; markup, attribute values other than spacedAttributes, comments and
// verbatimElements pass unchanged.
func frenchSpacing(src []byte) []byte {
	out := make([]byte, 0, len(src)+len(src)/64)
	for i := 0; i < len(src); {
		if src[i] != '<' {
			end := bytes.IndexByte(src[i:], '<')
			if end < 0 {
				end = len(src) - i
			}
			out = spaceFrench(out, src[i:i+end])
			i += end
			continue
		}
		if bytes.HasPrefix(src[i:], []byte("<!--")) {
			end := bytes.Index(src[i+4:], []byte("-->"))
			if end < 0 {
				return append(out, src[i:]...)
			}
			out = append(out, src[i:i+4+end+3]...)
			i += 4 + end + 3
			continue
		}
		name, end := tagAt(src, i)
		if end < 0 { // a lone "<" in text
			out = append(out, '<')
			i++
			continue
		}
		out = spaceAttributes(out, src[i:end])
		i = end
		if verbatimElements[name] {
			closing := indexFold(src[i:], "</"+name)
			if closing < 0 {
				return append(out, src[i:]...)
			}
			out = append(out, src[i:i+closing]...)
			i += closing
		}
	}
	return out
}

// tagAt reads the tag starting at src[i] ('<'): the lower-case name of an
// opening tag ("" for a closing tag or a declaration) and the index just past
// its '>', or -1 when src[i] does not open a tag.
func tagAt(src []byte, i int) (string, int) {
	j := i + 1
	if j >= len(src) {
		return "", -1
	}
	opening := isASCIILetter(src[j])
	if !opening && src[j] != '/' && src[j] != '!' {
		return "", -1
	}
	start := j
	for j < len(src) && (isASCIILetter(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '-') {
		j++
	}
	name := string(bytes.ToLower(src[start:j]))
	var quote byte
	for ; j < len(src); j++ {
		switch c := src[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			if !opening {
				name = ""
			}
			return name, j + 1
		}
	}
	return "", -1
}

// spaceAttributes appends a tag, with the values of its spacedAttributes
// spaced French style.
func spaceAttributes(out, tag []byte) []byte {
	for i := 0; i < len(tag); {
		c := tag[i]
		if c != '"' && c != '\'' {
			out = append(out, c)
			i++
			continue
		}
		end := bytes.IndexByte(tag[i+1:], c)
		if end < 0 {
			return append(out, tag[i:]...)
		}
		value := tag[i+1 : i+1+end]
		out = append(out, c)
		if spacedAttributes[attributeName(tag[:i])] {
			out = spaceFrench(out, value)
		} else {
			out = append(out, value...)
		}
		out = append(out, c)
		i += end + 2
	}
	return out
}

// attributeName is the name of the attribute whose quoted value starts right
// after before (which ends with `name=`), in lower case.
func attributeName(before []byte) string {
	j := len(before)
	for j > 0 && (before[j-1] == ' ' || before[j-1] == '=') {
		j--
	}
	k := j
	for k > 0 && before[k-1] != ' ' && before[k-1] != '\t' && before[k-1] != '\n' && before[k-1] != '<' {
		k--
	}
	return string(bytes.ToLower(before[k:j]))
}

// spaceFrench appends text with each run of white space before : ; ! ? »
// or after « replaced by one no-break space (narrow before ; ! ?). A sign
// with no space before it ("15:04", "https://", "?q=") is left alone: only
// an existing space changes kind.
func spaceFrench(out, text []byte) []byte {
	for i := 0; i < len(text); {
		if !isSpace(text[i]) {
			out = append(out, text[i])
			i++
			continue
		}
		j := i
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		afterGuillemet := bytes.HasSuffix(out, []byte("«"))
		switch {
		case afterGuillemet || j < len(text) && text[j] == ':' || bytes.HasPrefix(text[j:], []byte("»")):
			out = append(out, noBreakSpace...)
		case j < len(text) && (text[j] == ';' || text[j] == '!' || text[j] == '?'):
			out = append(out, narrowNoBreakSpace...)
		default:
			out = append(out, text[i:j]...)
		}
		i = j
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// indexFold is bytes.Index ignoring ASCII case, for closing tags.
func indexFold(s []byte, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if bytes.EqualFold(s[i:i+n], []byte(sub)) {
			return i
		}
	}
	return -1
}
