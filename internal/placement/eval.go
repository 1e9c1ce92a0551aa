package placement

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
)

// Eval gives the ECS meaning of expr for one container instance, described
// by attributes: attribute name → value for attribute:NAME subjects (a
// value-less ECS attribute has value ""), and the subject name →
// value for ec2InstanceId, agentConnected and the other instance fields.
// A missing key means the instance does not have that attribute.
//
// It is the reference the Kubernetes translation is tested against, so it
// spells out the semantics the translation implements:
//   - == and in need the attribute; != and !in are their negations, so an
//     instance without the attribute satisfies them (not(a == b) and
//     a != b mean the same).
//   - >, >=, <, <= compare integers; an attribute whose value is not an
//     integer does not satisfy them (as Kubernetes Gt/Lt). A non-integer
//     argument is an error.
//   - =~ matches the whole value (Java's String.matches, which ECS uses:
//     the guide's patterns such as t2.* only make sense anchored); !~ is
//     its negation. Patterns use Go's RE2 syntax, which covers the Java
//     syntax except backreferences, lookaround and possessive quantifiers.
//
// task:group depends on the tasks running on the instance, which
// attributes cannot describe: it is an error here.
func Eval(expr Expr, attributes map[string]string) (bool, error) {
	switch e := expr.(type) {
	case *Not:
		v, err := Eval(e.X, attributes)
		return !v, err
	case *And:
		for _, t := range e.Terms {
			if v, err := Eval(t, attributes); err != nil || !v {
				return false, err
			}
		}
		return true, nil
	case *Or:
		for _, t := range e.Terms {
			if v, err := Eval(t, attributes); err != nil || v {
				return v, err
			}
		}
		return false, nil
	case *Comparison:
		return evalComparison(e, attributes)
	}
	return false, fmt.Errorf("unknown expression type %T", expr)
}

func evalComparison(c *Comparison, attributes map[string]string) (bool, error) {
	if c.Subject.Kind == SubjectTaskGroup {
		return false, fmt.Errorf("%s: task:group depends on the tasks on an instance, not on its attributes", c)
	}
	value, present := attributes[c.Subject.Key()]
	switch c.Op {
	case OpExists:
		return present, nil
	case OpNotExists:
		return !present, nil
	case OpEqual:
		return present && value == c.Values[0], nil
	case OpNotEqual:
		return !present || value != c.Values[0], nil
	case OpIn:
		return present && slices.Contains(c.Values, value), nil
	case OpNotIn:
		return !present || !slices.Contains(c.Values, value), nil
	case OpMatches, OpNotMatches:
		re, err := compilePattern(c.Values[0])
		if err != nil {
			return false, err
		}
		matched := present && re.MatchString(value)
		return matched == (c.Op == OpMatches), nil
	case OpGreater, OpGreaterEqual, OpLess, OpLessEqual:
		limit, err := integerArgument(c)
		if err != nil {
			return false, err
		}
		n, err := strconv.ParseInt(value, 10, 64)
		if !present || err != nil {
			return false, nil
		}
		switch c.Op {
		case OpGreater:
			return n > limit, nil
		case OpGreaterEqual:
			return n >= limit, nil
		case OpLess:
			return n < limit, nil
		}
		return n <= limit, nil
	}
	return false, fmt.Errorf("%s: unknown operator", c)
}

// compilePattern compiles an ECS =~ pattern so that it must match the
// whole value.
func compilePattern(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, fmt.Errorf("pattern %q is not a supported regular expression (Java syntax without backreferences, lookaround or possessive quantifiers): %v", pattern, err)
	}
	return re, nil
}

// integerArgument reads the argument of >, >=, < and <=. The extremes of
// int64 are refused so that the translation can always move a bound by
// one (>= n becomes Gt n-1, and a negated Gt n becomes Lt n+1).
func integerArgument(c *Comparison) (int64, error) {
	n, err := strconv.ParseInt(c.Values[0], 10, 64)
	if err != nil || n == math.MinInt64 || n == math.MaxInt64 {
		return 0, fmt.Errorf("%s: %s needs an integer argument between %d and %d (Kubernetes compares node labels as integers)", c, c.Op, int64(math.MinInt64+1), int64(math.MaxInt64-1))
	}
	return n, nil
}
