package placement

import "strings"

// Expr is a parsed cluster query language expression: a *Comparison, *Not,
// *And or *Or. String gives a canonical form that Parse reads back to the
// same tree.
type Expr interface {
	String() string
	isExpr()
}

// SubjectKind says what a comparison looks at.
type SubjectKind int

// The subjects of the ECS cluster query language.
const (
	// SubjectAttribute is attribute:NAME, a built-in (ecs.*) or custom
	// container instance attribute.
	SubjectAttribute SubjectKind = iota
	// SubjectTaskGroup is task:group, the groups of the tasks running on
	// the instance.
	SubjectTaskGroup
	// SubjectEC2InstanceID is ec2InstanceId.
	SubjectEC2InstanceID
	// SubjectAgentConnected is agentConnected.
	SubjectAgentConnected
	// SubjectAgentVersion is agentVersion.
	SubjectAgentVersion
	// SubjectRegisteredAt is registeredAt.
	SubjectRegisteredAt
	// SubjectRunningTasksCount is runningTasksCount.
	SubjectRunningTasksCount
)

// subjectNames spell the subjects other than attribute:NAME.
var subjectNames = map[SubjectKind]string{
	SubjectTaskGroup:         "task:group",
	SubjectEC2InstanceID:     "ec2InstanceId",
	SubjectAgentConnected:    "agentConnected",
	SubjectAgentVersion:      "agentVersion",
	SubjectRegisteredAt:      "registeredAt",
	SubjectRunningTasksCount: "runningTasksCount",
}

// Subject is the left-hand side of a comparison.
type Subject struct {
	Kind SubjectKind
	// Attribute is the attribute name for SubjectAttribute.
	Attribute string
}

// Key is the name the subject is known by outside expressions: the
// attribute name for attribute:NAME, otherwise the subject itself
// (ec2InstanceId, task:group, ...). Eval's instance map,
// ECSCluster.spec.attributes and spec.knownAttributeValues use it.
func (s Subject) Key() string {
	if s.Kind == SubjectAttribute {
		return s.Attribute
	}
	return subjectNames[s.Kind]
}

func (s Subject) String() string {
	if s.Kind == SubjectAttribute {
		return "attribute:" + s.Attribute
	}
	return s.Key()
}

// Operator is a comparison operator.
type Operator int

// The comparison operators. Each has a symbolic and a word form
// (== / equals, ...); String gives the symbolic one.
const (
	OpEqual Operator = iota + 1
	OpNotEqual
	OpGreater
	OpGreaterEqual
	OpLess
	OpLessEqual
	OpExists
	OpNotExists
	OpIn
	OpNotIn
	OpMatches
	OpNotMatches
)

var operatorSymbols = map[Operator]string{
	OpEqual:        "==",
	OpNotEqual:     "!=",
	OpGreater:      ">",
	OpGreaterEqual: ">=",
	OpLess:         "<",
	OpLessEqual:    "<=",
	OpExists:       "exists",
	OpNotExists:    "!exists",
	OpIn:           "in",
	OpNotIn:        "!in",
	OpMatches:      "=~",
	OpNotMatches:   "!~",
}

func (o Operator) String() string { return operatorSymbols[o] }

// takesList reports whether the operator's argument is a [list].
func (o Operator) takesList() bool { return o == OpIn || o == OpNotIn }

// takesNoArgument reports whether the operator stands alone (exists).
func (o Operator) takesNoArgument() bool { return o == OpExists || o == OpNotExists }

// Comparison is one `subject operator [argument]` term.
type Comparison struct {
	Subject Subject
	Op      Operator
	// Values holds the argument: one value, the list of in / !in, or none
	// for exists / !exists. Quotes are removed.
	Values []string
	// Offset is the byte offset of the subject in the parsed expression.
	Offset int
}

// Not is `not X` / `!X`.
type Not struct{ X Expr }

// And is `a and b and ...` (at least two terms).
type And struct{ Terms []Expr }

// Or is `a or b or ...` (at least two terms).
type Or struct{ Terms []Expr }

func (*Comparison) isExpr() {}
func (*Not) isExpr()        {}
func (*And) isExpr()        {}
func (*Or) isExpr()         {}

func (c *Comparison) String() string {
	var b strings.Builder
	b.WriteString(c.Subject.String())
	b.WriteByte(' ')
	b.WriteString(c.Op.String())
	switch {
	case c.Op.takesNoArgument():
	case c.Op.takesList():
		b.WriteString(" [")
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteValue(v, true))
		}
		b.WriteByte(']')
	default:
		b.WriteByte(' ')
		if len(c.Values) > 0 {
			b.WriteString(quoteValue(c.Values[0], false))
		}
	}
	return b.String()
}

func (n *Not) String() string { return "not(" + n.X.String() + ")" }

func (a *And) String() string {
	parts := make([]string, len(a.Terms))
	for i, t := range a.Terms {
		parts[i] = t.String()
		if _, isOr := t.(*Or); isOr {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " and ")
}

func (o *Or) String() string {
	parts := make([]string, len(o.Terms))
	for i, t := range o.Terms {
		parts[i] = t.String()
	}
	return strings.Join(parts, " or ")
}

// quoteValue writes v so that the scanner reads it back unchanged: bare
// when it is a plain token, otherwise in the quote character it does not
// contain (a parsed value never contains both).
func quoteValue(v string, inList bool) string {
	bare := v != "" && !strings.Contains(v, "&&") && !strings.Contains(v, "||")
	for i := 0; bare && i < len(v); i++ {
		bare = !endsBareValue(v[i], inList)
	}
	if bare {
		return v
	}
	if strings.ContainsRune(v, '\'') {
		return `"` + v + `"`
	}
	return "'" + v + "'"
}
