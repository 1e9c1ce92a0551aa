package placement

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a malformed cluster query language expression.
type SyntaxError struct {
	// Offset is the byte offset of the problem in the expression.
	Offset int
	// Column is the 1-based character (rune) column of Offset.
	Column int
	// Expected says what the grammar allows at Offset.
	Expected string
	// Found describes what is there instead.
	Found string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("column %d (byte %d): expected %s, found %s", e.Column, e.Offset, e.Expected, e.Found)
}

// maxNesting bounds parentheses and not-chains so that hostile input
// cannot exhaust the stack of the recursive parser and converters.
const maxNesting = 100

// operatorsFor lists the operators the ECS developer guide allows for each
// subject other than attribute:NAME (which allows all of them). task:group
// has no list in the guide; it takes the set and pattern operators, since
// groups are names, not numbers.
var operatorsFor = map[SubjectKind][]Operator{
	SubjectTaskGroup:         {OpEqual, OpNotEqual, OpIn, OpNotIn, OpExists, OpNotExists, OpMatches, OpNotMatches},
	SubjectEC2InstanceID:     {OpEqual, OpNotEqual, OpIn, OpNotIn, OpMatches, OpNotMatches},
	SubjectAgentConnected:    {OpEqual, OpNotEqual, OpIn, OpNotIn, OpMatches, OpNotMatches},
	SubjectAgentVersion:      {OpEqual, OpNotEqual, OpGreater, OpGreaterEqual, OpLess, OpLessEqual},
	SubjectRegisteredAt:      {OpEqual, OpNotEqual, OpGreater, OpGreaterEqual, OpLess, OpLessEqual},
	SubjectRunningTasksCount: {OpEqual, OpNotEqual, OpGreater, OpGreaterEqual, OpLess, OpLessEqual},
}

// operatorWords are the word forms of the operators (matched without
// regard to case).
var operatorWords = map[string]Operator{
	"equals":             OpEqual,
	"not_equals":         OpNotEqual,
	"greater_than":       OpGreater,
	"greater_than_equal": OpGreaterEqual,
	"less_than":          OpLess,
	"less_than_equal":    OpLessEqual,
	"exists":             OpExists,
	"not_exists":         OpNotExists,
	"in":                 OpIn,
	"not_in":             OpNotIn,
	"matches":            OpMatches,
	"not_matches":        OpNotMatches,
}

// operatorSigns are the symbolic operators, longest first so that a
// prefix never shadows a longer sign. !exists and !in are words after '!'
// and need a word boundary.
var operatorSigns = []struct {
	sign     string
	op       Operator
	wordLike bool
}{
	{"!exists", OpNotExists, true},
	{"!in", OpNotIn, true},
	{"==", OpEqual, false},
	{"!=", OpNotEqual, false},
	{">=", OpGreaterEqual, false},
	{"<=", OpLessEqual, false},
	{"=~", OpMatches, false},
	{"!~", OpNotMatches, false},
	{">", OpGreater, false},
	{"<", OpLess, false},
}

const expectedSubject = "a subject (attribute:NAME, task:group, ec2InstanceId, agentConnected, agentVersion, registeredAt, runningTasksCount), \"not\" or \"(\""

// Parse reads an ECS cluster query language expression:
//
//	expr       = or
//	or         = and { ("or" | "||") and }
//	and        = unary { ("and" | "&&") unary }
//	unary      = ("not" | "!") unary | "(" or ")" | comparison
//	comparison = subject operator [ value | "[" value { "," value } "]" ]
//
// so not binds tighter than and, and and tighter than or. Keywords and
// operator words are matched without regard to case. Values are bare
// tokens (anything up to whitespace, a parenthesis, a quote, "&&" or "||",
// and in a list also a comma or bracket; so regular expressions such as
// t2.*, m5|c5 or t[23].* need no quotes) or quoted with ' or " (no escapes: a value that contains one
// quote character is written in the other). As the ECS guide says, a
// single comparison cannot contain parentheses: quote a value that needs
// them.
func Parse(expr string) (Expr, error) {
	p := &parser{src: expr}
	e, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		closedByParen := strings.HasSuffix(strings.TrimRight(p.src[:p.pos], " \t\r\n"), ")")
		return nil, p.errorAt(p.pos, afterComparison(e, closedByParen))
	}
	return e, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorAt(offset int, expected string) *SyntaxError {
	return &SyntaxError{
		Offset:   offset,
		Column:   utf8.RuneCountInString(p.src[:offset]) + 1,
		Expected: expected,
		Found:    p.describe(offset),
	}
}

// describe names the token at offset for error messages.
func (p *parser) describe(offset int) string {
	if offset >= len(p.src) {
		return "end of expression"
	}
	end := offset + 1
	if !isDelimiter(p.src[offset]) {
		for end < len(p.src) && !isSpace(p.src[end]) && !isDelimiter(p.src[end]) {
			end++
		}
	}
	token := p.src[offset:end]
	if len(token) > 40 {
		token = token[:40] + "..."
	}
	return fmt.Sprintf("%q", token)
}

// afterComparison is what may follow a complete expression. When the
// stray token follows a single value, the likely cause is an unquoted
// value with spaces or parentheses, so the message says so.
func afterComparison(e Expr, closedByParen bool) string {
	expected := `"and", "or" or end of expression`
	for !closedByParen {
		switch n := e.(type) {
		case *And:
			e = n.Terms[len(n.Terms)-1]
			continue
		case *Or:
			e = n.Terms[len(n.Terms)-1]
			continue
		case *Not:
			e = n.X
			continue
		case *Comparison:
			if !n.Op.takesNoArgument() && !n.Op.takesList() {
				expected += " (quote a value that contains spaces or parentheses)"
			}
		}
		return expected
	}
	return expected
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// keyword consumes word (any case) when it stands alone at the current
// position.
func (p *parser) keyword(word string) bool {
	end := p.pos + len(word)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], word) {
		return false
	}
	if end < len(p.src) && isWordByte(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func (p *parser) symbol(sym string) bool {
	if strings.HasPrefix(p.src[p.pos:], sym) {
		p.pos += len(sym)
		return true
	}
	return false
}

func (p *parser) parseOr(depth int) (Expr, error) {
	first, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for {
		p.skipSpace()
		if !p.keyword("or") && !p.symbol("||") {
			break
		}
		next, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &Or{Terms: terms}, nil
}

func (p *parser) parseAnd(depth int) (Expr, error) {
	first, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for {
		p.skipSpace()
		if !p.keyword("and") && !p.symbol("&&") {
			break
		}
		next, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &And{Terms: terms}, nil
}

func (p *parser) parseUnary(depth int) (Expr, error) {
	p.skipSpace()
	if depth >= maxNesting {
		return nil, p.errorAt(p.pos, fmt.Sprintf("at most %d nested parentheses or negations", maxNesting))
	}
	switch {
	case p.symbol("("):
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.symbol(")") {
			return nil, p.errorAt(p.pos, `")", "and" or "or"`)
		}
		return inner, nil
	case p.symbol("!"), p.keyword("not"):
		inner, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Not{X: inner}, nil
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() (*Comparison, error) {
	start := p.pos
	end := start
	for end < len(p.src) && isSubjectByte(p.src[end]) {
		end++
	}
	word := p.src[start:end]
	c := &Comparison{Offset: start}
	switch {
	case word == "":
		return nil, p.errorAt(start, expectedSubject)
	case strings.HasPrefix(word, "attribute:"):
		name := strings.TrimPrefix(word, "attribute:")
		if bad := badAttributeName(name); bad != "" {
			return nil, &SyntaxError{
				Offset:   start + len("attribute:"),
				Column:   utf8.RuneCountInString(p.src[:start]) + len("attribute:") + 1,
				Expected: "an attribute name (1-128 letters, digits, '-', '_', '.', '/' or '\\')",
				Found:    bad,
			}
		}
		c.Subject = Subject{Kind: SubjectAttribute, Attribute: name}
	default:
		kind, ok := subjectKind(word)
		if !ok {
			return nil, p.errorAt(start, expectedSubject)
		}
		c.Subject = Subject{Kind: kind}
	}
	p.pos = end
	p.skipSpace()
	opOffset := p.pos
	op, ok := p.operator()
	if !ok {
		return nil, p.errorAt(opOffset, "an operator (==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~ or their word forms)")
	}
	if allowed, restricted := operatorsFor[c.Subject.Kind]; restricted && !containsOperator(allowed, op) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = a.String()
		}
		return nil, p.errorAt(opOffset, "one of "+strings.Join(names, ", ")+" after "+c.Subject.String())
	}
	c.Op = op
	switch {
	case op.takesNoArgument():
	case op.takesList():
		values, err := p.list()
		if err != nil {
			return nil, err
		}
		c.Values = values
	default:
		value, err := p.value(false)
		if err != nil {
			return nil, err
		}
		c.Values = []string{value}
	}
	return c, nil
}

func subjectKind(word string) (SubjectKind, bool) {
	for kind, name := range subjectNames {
		if name == word {
			return kind, true
		}
	}
	return 0, false
}

// badAttributeName returns a description of what is wrong with an
// attribute name, or "" when it is valid. ECS attribute names are 1-128
// letters, digits, hyphens, underscores, periods, and forward or back
// slashes.
func badAttributeName(name string) string {
	if name == "" {
		return "nothing"
	}
	if len(name) > 128 {
		return fmt.Sprintf("a name of %d characters", len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnumByte(c) && !strings.ContainsRune("-_./\\", rune(c)) {
			return fmt.Sprintf("%q in %q", c, name)
		}
	}
	return ""
}

func containsOperator(ops []Operator, op Operator) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

func (p *parser) operator() (Operator, bool) {
	rest := p.src[p.pos:]
	for _, s := range operatorSigns {
		if !strings.HasPrefix(rest, s.sign) {
			continue
		}
		if s.wordLike && len(rest) > len(s.sign) && isWordByte(rest[len(s.sign)]) {
			continue
		}
		p.pos += len(s.sign)
		return s.op, true
	}
	end := 0
	for end < len(rest) && (isLetter(rest[end]) || rest[end] == '_') {
		end++
	}
	if end == 0 || (end < len(rest) && isWordByte(rest[end])) {
		return 0, false
	}
	op, ok := operatorWords[strings.ToLower(rest[:end])]
	if ok {
		p.pos += end
	}
	return op, ok
}

func (p *parser) list() ([]string, error) {
	p.skipSpace()
	if !p.symbol("[") {
		return nil, p.errorAt(p.pos, `"[" starting the argument list`)
	}
	var values []string
	for {
		value, err := p.value(true)
		if err != nil {
			return nil, err
		}
		values = append(values, value)
		p.skipSpace()
		if p.symbol("]") {
			return values, nil
		}
		if !p.symbol(",") {
			return nil, p.errorAt(p.pos, `"," or "]"`)
		}
	}
}

func (p *parser) value(inList bool) (string, error) {
	p.skipSpace()
	start := p.pos
	if start < len(p.src) && (p.src[start] == '\'' || p.src[start] == '"') {
		closing := strings.IndexByte(p.src[start+1:], p.src[start])
		if closing < 0 {
			return "", p.errorAt(len(p.src), fmt.Sprintf("the closing %c of the value that starts at column %d", p.src[start], utf8.RuneCountInString(p.src[:start])+1))
		}
		p.pos = start + 1 + closing + 1
		return p.src[start+1 : start+1+closing], nil
	}
	end := start
	for end < len(p.src) && !endsBareValue(p.src[end], inList) && !strings.HasPrefix(p.src[end:], "&&") && !strings.HasPrefix(p.src[end:], "||") {
		end++
	}
	if end == start {
		return "", p.errorAt(start, "a value")
	}
	p.pos = end
	return p.src[start:end], nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isDelimiter marks single-character tokens.
func isDelimiter(c byte) bool { return strings.IndexByte("()[],", c) >= 0 }

// endsBareValue marks the bytes that end an unquoted value. A single
// value may contain brackets and commas (regex classes and counts such as
// t[23].* or a{1,3}); inside a [list] they separate and close values.
func endsBareValue(c byte, inList bool) bool {
	if inList {
		return isSpace(c) || strings.IndexByte("()[],'\"", c) >= 0
	}
	return isSpace(c) || strings.IndexByte("()'\"", c) >= 0
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isAlnumByte(c byte) bool { return isLetter(c) || (c >= '0' && c <= '9') }

// isWordByte marks bytes that continue a keyword or operator word, so that
// "and" in "android" or "in" in "instance" is not taken as a keyword.
func isWordByte(c byte) bool { return isAlnumByte(c) || c == '_' }

// isSubjectByte marks bytes of a subject token: attribute names (letters,
// digits, - _ . / \) plus the ':' of attribute: and task:group.
func isSubjectByte(c byte) bool { return isAlnumByte(c) || strings.IndexByte("-_./\\:", c) >= 0 }
