package ecsjson

import "strconv"

// Input that is not JSON at all is common on the diagnostic path (an
// unquoted placeholder, a missing comma), and encoding/json's scanner,
// which parseTree's decoder reads the input with, costs several times
// more than checking the syntax directly. firstSyntaxError finds the
// problem encoding/json's Decoder stops at, with its offset and message,
// so that parseTree reports it without decoding; syntax_test.go fuzzes
// the two against each other.

// maxNestingDepth is encoding/json's limit on nested objects and arrays.
const maxNestingDepth = 10000

// firstSyntaxError returns the offset of the byte encoding/json's Decoder
// fails on when it decodes the first value of data, and the message of
// its SyntaxError; an empty message means the input ends before the value
// does. It reports false when the first value is valid JSON (what follows
// it is parseTree's to check) or when data holds nothing but white space.
func firstSyntaxError(data []byte) (offset int, msg string, found bool) {
	s := syntaxScanner{data: data}
	s.skipSpace()
	if s.pos == len(data) {
		return 0, "", false
	}
	s.value()
	return s.offset, s.msg, s.failed
}

// syntaxScanner checks JSON syntax as encoding/json's scanner does.
type syntaxScanner struct {
	data  []byte
	pos   int
	depth int
	// The problem found, as firstSyntaxError returns it.
	offset int
	msg    string
	failed bool
}

// fail records that the byte at s.pos is wrong in context, in the words
// of encoding/json; at the end of the input, that the input ends early.
func (s *syntaxScanner) fail(context string) bool {
	s.failed, s.offset = true, s.pos
	if s.pos < len(s.data) {
		s.msg = "invalid character " + quoteChar(s.data[s.pos]) + " " + context
	}
	return false
}

// quoteChar formats c as encoding/json's messages do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(c))
	return "'" + q[1:len(q)-1] + "'"
}

func (s *syntaxScanner) skipSpace() {
	for s.pos < len(s.data) && isJSONSpace(s.data[s.pos]) {
		s.pos++
	}
}

// next returns the byte at s.pos after white space, or false at the end.
func (s *syntaxScanner) next() (byte, bool) {
	s.skipSpace()
	if s.pos == len(s.data) {
		return 0, false
	}
	return s.data[s.pos], true
}

// value checks the value at s.pos, reporting false when it found a
// problem.
func (s *syntaxScanner) value() bool {
	c, ok := s.next()
	if !ok {
		return s.fail("")
	}
	switch {
	case c == '{':
		return s.object()
	case c == '[':
		return s.array()
	case c == '"':
		return s.string()
	case c == '-' || isDigitByte(c):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.fail("looking for beginning of value")
}

// open enters the object or array whose bracket is at s.pos.
func (s *syntaxScanner) open() bool {
	s.depth++
	if s.depth > maxNestingDepth {
		return s.fail("exceeded max depth")
	}
	s.pos++
	return true
}

func (s *syntaxScanner) object() bool {
	if !s.open() {
		return false
	}
	c, ok := s.next()
	if !ok {
		return s.fail("")
	}
	if c == '}' {
		s.pos++
		s.depth--
		return true
	}
	for {
		if c != '"' {
			return s.fail("looking for beginning of object key string")
		}
		if !s.string() {
			return false
		}
		if c, ok = s.next(); !ok || c != ':' {
			return s.fail("after object key")
		}
		s.pos++
		if !s.value() {
			return false
		}
		switch c, ok = s.next(); {
		case !ok:
			return s.fail("")
		case c == ',':
			s.pos++
			if c, ok = s.next(); !ok {
				return s.fail("")
			}
		case c == '}':
			s.pos++
			s.depth--
			return true
		default:
			return s.fail("after object key:value pair")
		}
	}
}

func (s *syntaxScanner) array() bool {
	if !s.open() {
		return false
	}
	c, ok := s.next()
	if !ok {
		return s.fail("")
	}
	if c == ']' {
		s.pos++
		s.depth--
		return true
	}
	for {
		if !s.value() {
			return false
		}
		switch c, ok = s.next(); {
		case !ok:
			return s.fail("")
		case c == ',':
			s.pos++
		case c == ']':
			s.pos++
			s.depth--
			return true
		default:
			return s.fail("after array element")
		}
	}
}

func (s *syntaxScanner) string() bool {
	data := s.data
	s.pos++
	for s.pos < len(data) {
		switch c := data[s.pos]; {
		case c == '"':
			s.pos++
			return true
		case c == '\\':
			s.pos++
			if s.pos == len(data) {
				return s.fail("")
			}
			switch data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for range 4 {
					if s.pos == len(data) {
						return s.fail("")
					}
					if !isHexDigit(data[s.pos]) {
						return s.fail("in \\u hexadecimal character escape")
					}
					s.pos++
				}
			default:
				return s.fail("in string escape code")
			}
		case c < ' ':
			return s.fail("in string literal")
		default:
			s.pos++
		}
	}
	return s.fail("")
}

func (s *syntaxScanner) number() bool {
	data := s.data
	if data[s.pos] == '-' {
		s.pos++
		if s.pos == len(data) {
			return s.fail("")
		}
		if !isDigitByte(data[s.pos]) {
			return s.fail("in numeric literal")
		}
	}
	if data[s.pos] == '0' {
		s.pos++
	} else {
		s.digits()
	}
	if s.pos < len(data) && data[s.pos] == '.' {
		s.pos++
		if s.pos == len(data) {
			return s.fail("")
		}
		if !isDigitByte(data[s.pos]) {
			return s.fail("after decimal point in numeric literal")
		}
		s.digits()
	}
	if s.pos < len(data) && (data[s.pos] == 'e' || data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(data) && (data[s.pos] == '+' || data[s.pos] == '-') {
			s.pos++
		}
		if s.pos == len(data) {
			return s.fail("")
		}
		if !isDigitByte(data[s.pos]) {
			return s.fail("in exponent of numeric literal")
		}
		s.digits()
	}
	return true
}

func (s *syntaxScanner) digits() {
	for s.pos < len(s.data) && isDigitByte(s.data[s.pos]) {
		s.pos++
	}
}

func (s *syntaxScanner) literal(word string) bool {
	s.pos++
	for i := 1; i < len(word); i++ {
		if s.pos == len(s.data) {
			return s.fail("")
		}
		if s.data[s.pos] != word[i] {
			return s.fail("in literal " + word + " (expecting " + quoteChar(word[i]) + ")")
		}
		s.pos++
	}
	return true
}

func isHexDigit(c byte) bool {
	return isDigitByte(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
