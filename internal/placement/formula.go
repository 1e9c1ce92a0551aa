package placement

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// MaxTerms bounds the alternatives (nodeSelectorTerms) one placement
// translates to. Distributing and over or can grow exponentially
// ((a or b) and (c or d) and ... doubles with each pair); past this bound
// the translation fails instead of producing a pod spec the scheduler
// evaluates slowly on every node.
const MaxTerms = 64

// literal is one Kubernetes requirement: a node label requirement, or (for
// task:group) a pod (anti-)affinity requirement on the group label.
type literal struct {
	// group marks a task:group literal: In and Exists are pod affinity,
	// NotIn and DoesNotExist pod anti-affinity, on the group label.
	group bool
	key   string
	op    corev1.NodeSelectorOperator
	// values are sorted and distinct; Gt and Lt hold one integer.
	values []string
	// nonInteger are the known values of key that are not integers; the
	// negation of Gt/Lt must still accept nodes that carry them.
	nonInteger []string
	// integersOnly marks a Gt/Lt literal whose key has no known values, so
	// its negation cannot name the non-integer ones.
	integersOnly bool
}

// formula is a condition in negation normal form: literals combined with
// and/or, plus the constants true and false.
type formula struct {
	kind formulaKind
	lit  literal
	kids []*formula
}

type formulaKind int

const (
	formulaLiteral formulaKind = iota
	formulaAnd
	formulaOr
	formulaTrue
	formulaFalse
)

var (
	formulaT = &formula{kind: formulaTrue}
	formulaF = &formula{kind: formulaFalse}
)

func lit(l literal) *formula { return &formula{kind: formulaLiteral, lit: l} }

func and(kids ...*formula) *formula { return &formula{kind: formulaAnd, kids: kids} }

func or(kids ...*formula) *formula { return &formula{kind: formulaOr, kids: kids} }

// negate returns the negation of f, still in negation normal form.
// notNumeric is called for each negated Gt/Lt whose non-integer values are
// unknown.
func negate(f *formula, notNumeric func(literal)) *formula {
	switch f.kind {
	case formulaTrue:
		return formulaF
	case formulaFalse:
		return formulaT
	case formulaAnd, formulaOr:
		kids := make([]*formula, len(f.kids))
		for i, k := range f.kids {
			kids[i] = negate(k, notNumeric)
		}
		if f.kind == formulaAnd {
			return or(kids...)
		}
		return and(kids...)
	}
	l := f.lit
	switch l.op {
	case corev1.NodeSelectorOpIn:
		return lit(literal{group: l.group, key: l.key, op: corev1.NodeSelectorOpNotIn, values: l.values})
	case corev1.NodeSelectorOpNotIn:
		return lit(literal{group: l.group, key: l.key, op: corev1.NodeSelectorOpIn, values: l.values})
	case corev1.NodeSelectorOpExists:
		return lit(literal{group: l.group, key: l.key, op: corev1.NodeSelectorOpDoesNotExist})
	case corev1.NodeSelectorOpDoesNotExist:
		return lit(literal{group: l.group, key: l.key, op: corev1.NodeSelectorOpExists})
	}
	// not(key > n) holds for nodes without the label, nodes whose value is
	// an integer <= n, and nodes whose value is not an integer at all.
	bound, _ := strconv.ParseInt(l.values[0], 10, 64)
	opposite := literal{key: l.key, op: corev1.NodeSelectorOpLt, values: []string{strconv.FormatInt(bound+1, 10)}}
	if l.op == corev1.NodeSelectorOpLt {
		opposite = literal{key: l.key, op: corev1.NodeSelectorOpGt, values: []string{strconv.FormatInt(bound-1, 10)}}
	}
	alternatives := []*formula{lit(literal{key: l.key, op: corev1.NodeSelectorOpDoesNotExist}), lit(opposite)}
	if len(l.nonInteger) > 0 {
		alternatives = append(alternatives, lit(literal{key: l.key, op: corev1.NodeSelectorOpIn, values: l.nonInteger}))
	}
	if l.integersOnly {
		notNumeric(l)
	}
	return or(alternatives...)
}

// term is a conjunction of literals, normalised: node literals merged per
// key and sorted, group literals merged and sorted.
type term []literal

// errTooManyTerms is returned when the disjunctive normal form exceeds
// MaxTerms.
var errTooManyTerms = fmt.Errorf("the expression expands to more than %d alternatives (nodeSelectorTerms) in disjunctive normal form; simplify it", MaxTerms)

// dnf converts f to disjunctive normal form: a list of terms, any of which
// must hold. No terms means false; one empty term means true.
func dnf(f *formula) ([]term, error) {
	switch f.kind {
	case formulaTrue:
		return []term{{}}, nil
	case formulaFalse:
		return nil, nil
	case formulaLiteral:
		return normaliseTerms([]term{{f.lit}}), nil
	case formulaOr:
		var out []term
		for _, k := range f.kids {
			kt, err := dnf(k)
			if err != nil {
				return nil, err
			}
			out = append(out, kt...)
		}
		return dedupeTerms(out)
	}
	out := []term{{}}
	for _, k := range f.kids {
		kt, err := dnf(k)
		if err != nil {
			return nil, err
		}
		if out, err = product(out, kt); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// product distributes and over two term lists, dropping contradictions.
func product(left, right []term) ([]term, error) {
	if len(left)*len(right) > MaxTerms*MaxTerms {
		return nil, errTooManyTerms
	}
	var out []term
	for _, l := range left {
		for _, r := range right {
			merged := append(append(term{}, l...), r...)
			out = append(out, merged)
		}
	}
	return dedupeTerms(normaliseTerms(out))
}

// normaliseTerms normalises each term and drops contradictory ones.
func normaliseTerms(terms []term) []term {
	out := terms[:0:0]
	for _, t := range terms {
		if n, ok := normaliseTerm(t); ok {
			out = append(out, n)
		}
	}
	return out
}

// dedupeTerms removes repeated terms, keeping the first, merges terms
// that differ in one In requirement, and reduces the list to the single
// empty term when one term is empty (true).
func dedupeTerms(terms []term) ([]term, error) {
	for _, t := range terms {
		if len(t) == 0 {
			return []term{{}}, nil
		}
	}
	out := uniqueTerms(mergeAlternatives(uniqueTerms(terms)))
	if len(out) > MaxTerms {
		return nil, errTooManyTerms
	}
	return out, nil
}

func uniqueTerms(terms []term) []term {
	out := terms[:0:0]
	if len(terms) <= 16 {
		// Comparing a few terms pairwise is cheaper than building keys.
		for _, t := range terms {
			if !slices.ContainsFunc(out, t.equal) {
				out = append(out, t)
			}
		}
		return out
	}
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if k := t.String(); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}

func (t term) equal(o term) bool { return slices.EqualFunc(t, o, literal.equal) }

// mergeAlternatives joins terms that differ only in the values of one In
// requirement, since (A and k in S) or (A and k in T) is A and k in S∪T:
// attribute:t == a or attribute:t == b becomes one term with In [a b].
func mergeAlternatives(terms []term) []term {
	for i := 0; i < len(terms); i++ {
		for j := i + 1; j < len(terms); j++ {
			at, ok := differInOneIn(terms[i], terms[j])
			if !ok {
				continue
			}
			merged := append(term{}, terms[i]...)
			merged[at].values = union(terms[i][at].values, terms[j][at].values)
			terms[i] = merged
			terms = append(terms[:j:j], terms[j+1:]...)
			j = i
		}
	}
	return terms
}

// differInOneIn reports whether a and b are equal except for the values
// of the In requirement at one index.
func differInOneIn(a, b term) (int, bool) {
	if len(a) != len(b) {
		return 0, false
	}
	at := -1
	for i := range a {
		if a[i].equal(b[i]) {
			continue
		}
		if at >= 0 || a[i].op != corev1.NodeSelectorOpIn || b[i].op != corev1.NodeSelectorOpIn || a[i].key != b[i].key || a[i].group != b[i].group {
			return 0, false
		}
		at = i
	}
	return at, at >= 0
}

func (t term) String() string {
	var b strings.Builder
	for i, l := range t {
		if i > 0 {
			b.WriteString(", ")
		}
		l.write(&b)
	}
	return b.String()
}

func (l literal) String() string {
	var b strings.Builder
	l.write(&b)
	return b.String()
}

func (l literal) write(b *strings.Builder) {
	if l.group {
		b.WriteString("group:")
	}
	b.WriteString(l.key)
	b.WriteByte(' ')
	b.WriteString(string(l.op))
	b.WriteString(" [")
	for i, v := range l.values {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v)
	}
	b.WriteByte(']')
}

func (l literal) equal(o literal) bool {
	return l.group == o.group && l.key == o.key && l.op == o.op && slices.Equal(l.values, o.values)
}

// operatorOrder fixes the order of requirements on one key.
var operatorOrder = map[corev1.NodeSelectorOperator]int{
	corev1.NodeSelectorOpIn:           0,
	corev1.NodeSelectorOpNotIn:        1,
	corev1.NodeSelectorOpExists:       2,
	corev1.NodeSelectorOpDoesNotExist: 3,
	corev1.NodeSelectorOpGt:           4,
	corev1.NodeSelectorOpLt:           5,
}

// keyConstraint collects what a term requires of one label key.
type keyConstraint struct {
	in             []string // nil: no In yet
	hasIn          bool
	notIn          []string
	exists, absent bool
	gt, lt         *int64
}

func (kc *keyConstraint) add(l literal) {
	switch l.op {
	case corev1.NodeSelectorOpIn:
		if kc.hasIn {
			kc.in = intersect(kc.in, l.values)
		} else {
			kc.in, kc.hasIn = l.values, true
		}
	case corev1.NodeSelectorOpNotIn:
		kc.notIn = union(kc.notIn, l.values)
	case corev1.NodeSelectorOpExists:
		kc.exists = true
	case corev1.NodeSelectorOpDoesNotExist:
		kc.absent = true
	case corev1.NodeSelectorOpGt:
		n, _ := strconv.ParseInt(l.values[0], 10, 64)
		if kc.gt == nil || n > *kc.gt {
			kc.gt = &n
		}
	case corev1.NodeSelectorOpLt:
		n, _ := strconv.ParseInt(l.values[0], 10, 64)
		if kc.lt == nil || n < *kc.lt {
			kc.lt = &n
		}
	}
}

// normaliseTerm merges the literals of one conjunction so that each node
// label key has at most one requirement per operator, with the exact
// Kubernetes semantics (In needs the label; NotIn accepts a missing label;
// Gt/Lt need an integer value). Node requirements come first, sorted by
// key, then the task:group ones. ok is false when the literals contradict
// each other.
func normaliseTerm(t term) (term, bool) {
	if len(t) == 1 && !t[0].group && t[0].op != corev1.NodeSelectorOpGt && t[0].op != corev1.NodeSelectorOpLt {
		return term{{key: t[0].key, op: t[0].op, values: t[0].values}}, true
	}
	sorted := slices.Clone(t)
	slices.SortStableFunc(sorted, func(a, b literal) int {
		if a.group != b.group {
			if a.group {
				return 1
			}
			return -1
		}
		return strings.Compare(a.key, b.key)
	})
	out := make(term, 0, len(sorted))
	for i := 0; i < len(sorted); {
		first := sorted[i]
		if first.group {
			groups, ok := normaliseGroups(sorted[i:])
			if !ok {
				return nil, false
			}
			return append(out, groups...), true
		}
		j := i + 1
		for j < len(sorted) && !sorted[j].group && sorted[j].key == first.key {
			j++
		}
		if j == i+1 && first.op != corev1.NodeSelectorOpGt && first.op != corev1.NodeSelectorOpLt {
			// A lone set or existence requirement is already normal.
			out = append(out, literal{key: first.key, op: first.op, values: first.values})
			i = j
			continue
		}
		var kc keyConstraint
		for _, l := range sorted[i:j] {
			kc.add(l)
		}
		lits, ok := kc.literals(first.key)
		if !ok {
			return nil, false
		}
		out = append(out, lits...)
		i = j
	}
	return out, true
}

func (kc *keyConstraint) literals(key string) ([]literal, bool) {
	numeric := kc.gt != nil || kc.lt != nil
	if kc.absent {
		if kc.exists || kc.hasIn || numeric {
			return nil, false
		}
		return []literal{{key: key, op: corev1.NodeSelectorOpDoesNotExist}}, true
	}
	// A label value cannot start with '-' or '+', so the integers nodes
	// carry are >= 0; Kubernetes also requires the Gt/Lt value itself to
	// be a valid label value. Bounds are therefore kept as the range
	// [low, high] of non-negative integers.
	low, high, bounded := int64(0), int64(math.MaxInt64), kc.lt != nil
	if kc.gt != nil && *kc.gt+1 > low {
		low = *kc.gt + 1
	}
	if bounded {
		high = *kc.lt - 1
	}
	if numeric && high < low {
		return nil, false
	}
	inRange := func(v string) bool {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n >= low && n <= high
	}
	if kc.hasIn {
		var values []string
		for _, v := range kc.in {
			if !slices.Contains(kc.notIn, v) && (!numeric || inRange(v)) {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			return nil, false
		}
		return []literal{{key: key, op: corev1.NodeSelectorOpIn, values: values}}, true
	}
	var out []literal
	var notIn []string
	for _, v := range kc.notIn {
		// With a bound, only integers in range can be on a matching node,
		// so other excluded values are redundant.
		if !numeric || inRange(v) {
			notIn = append(notIn, v)
		}
	}
	if len(notIn) > 0 {
		out = append(out, literal{key: key, op: corev1.NodeSelectorOpNotIn, values: notIn})
	}
	switch {
	case !numeric:
		if kc.exists {
			out = append(out, literal{key: key, op: corev1.NodeSelectorOpExists})
		}
	case low == 0 && !bounded:
		// "any integer": Lt needs an integer value and accepts all but
		// 9223372036854775807 itself.
		out = append(out, literal{key: key, op: corev1.NodeSelectorOpLt, values: []string{strconv.FormatInt(math.MaxInt64, 10)}})
	default:
		if low > 0 {
			out = append(out, literal{key: key, op: corev1.NodeSelectorOpGt, values: []string{strconv.FormatInt(low-1, 10)}})
		}
		if bounded {
			out = append(out, literal{key: key, op: corev1.NodeSelectorOpLt, values: []string{strconv.FormatInt(high+1, 10)}})
		}
	}
	return out, true
}

// normaliseGroups merges the task:group literals of one conjunction. On
// one instance, "hosts a task of a group in S" (pod affinity In S) and
// "hosts no task of a group in T" (anti-affinity In T) together mean
// "hosts a task of a group in S minus T"; the anti-affinities merge into
// one.
func normaliseGroups(groups []literal) ([]literal, bool) {
	if len(groups) == 0 {
		return nil, true
	}
	var excluded []string
	excludeAll := false
	for _, g := range groups {
		switch g.op {
		case corev1.NodeSelectorOpNotIn:
			excluded = union(excluded, g.values)
		case corev1.NodeSelectorOpDoesNotExist:
			excludeAll = true
		}
	}
	var out []literal
	seen := map[string]bool{}
	for _, g := range groups {
		switch g.op {
		case corev1.NodeSelectorOpIn:
			var values []string
			for _, v := range g.values {
				if !slices.Contains(excluded, v) {
					values = append(values, v)
				}
			}
			if len(values) == 0 || excludeAll {
				return nil, false
			}
			g = literal{group: true, key: g.key, op: g.op, values: values}
		case corev1.NodeSelectorOpExists:
			if excludeAll {
				return nil, false
			}
		default:
			continue
		}
		if k := g.String(); !seen[k] {
			seen[k] = true
			out = append(out, g)
		}
	}
	if excludeAll {
		out = append(out, literal{group: true, key: groupLabel, op: corev1.NodeSelectorOpDoesNotExist})
	} else if len(excluded) > 0 {
		out = append(out, literal{group: true, key: groupLabel, op: corev1.NodeSelectorOpNotIn, values: excluded})
	}
	slices.SortStableFunc(out, compareLiterals)
	return out, true
}

func compareLiterals(a, b literal) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	if c := operatorOrder[a.op] - operatorOrder[b.op]; c != 0 {
		return c
	}
	return slices.Compare(a.values, b.values)
}

// union returns the sorted distinct values of a and b.
func union(a, b []string) []string {
	out := append(append([]string(nil), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// intersect returns the sorted values in both a and b.
func intersect(a, b []string) []string {
	var out []string
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
