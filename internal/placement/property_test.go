package placement

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/ecs-operator/ecs-operator/internal/report"
)

// propertyAttribute is one attribute the generator uses: the values
// container instances carry, and extra values expressions may mention
// that no instance has (including ones no label can hold).
type propertyAttribute struct {
	name      string
	instances []string
	extra     []string
	numeric   bool
}

var propertyAttributes = []propertyAttribute{
	{name: "ecs.availability-zone", instances: []string{"us-east-1a", "us-east-1b", "us-east-1c"}, extra: []string{"us-west-2a"}},
	{name: "ecs.instance-type", instances: []string{"t2.micro", "t2.small", "m5.large", "m5.xlarge", "c5.large"}, extra: []string{"t2.*", "g2.2xlarge"}},
	{name: "ecs.cpu-architecture", instances: []string{"x86_64", "arm64"}, extra: []string{"amd64"}},
	{name: "ecs.os-type", instances: []string{"linux", "windows"}},
	{name: "stack", instances: []string{"prod", "dev", "qa"}, extra: []string{"a b", "staging"}},
	{name: "rack", instances: []string{"0", "1", "2", "5", "10", "x", "007"}, extra: []string{"7"}, numeric: true},
	{name: "tier", instances: []string{"", "gold"}, extra: []string{"silver"}},
	{name: "ec2InstanceId", instances: []string{"i-1", "i-2", "i-3"}, extra: []string{"i-9"}},
}

// propertyAttributeMap maps one custom attribute and ec2InstanceId
// explicitly; the others use the defaults.
var propertyAttributeMap = map[string]string{
	"stack":         "team.example.com/stack",
	"ec2InstanceId": "example.com/instance-id",
}

var propertyPatterns = []string{"t2.*", `m5\..*`, ".*large", "us-east-1[ab]", "prod|dev", "x86.*", "arm.*", "1.*", "-?[0-9]+", "i-[12]", "g.*", "", ".*", "[a-z]+"}

type exprGenerator struct{ rng *rand.Rand }

func (g *exprGenerator) pick(values []string) string { return values[g.rng.IntN(len(values))] }

func (g *exprGenerator) expr(depth int) Expr {
	if depth <= 0 || g.rng.IntN(10) < 4 {
		return g.comparison()
	}
	switch g.rng.IntN(5) {
	case 0:
		return &Not{X: g.expr(depth - 1)}
	case 1, 2:
		return &And{Terms: g.terms(depth)}
	}
	return &Or{Terms: g.terms(depth)}
}

func (g *exprGenerator) terms(depth int) []Expr {
	terms := make([]Expr, 2+g.rng.IntN(2))
	for i := range terms {
		terms[i] = g.expr(depth - 1)
	}
	return terms
}

func (g *exprGenerator) comparison() *Comparison {
	attr := propertyAttributes[g.rng.IntN(len(propertyAttributes))]
	c := &Comparison{Subject: Subject{Kind: SubjectAttribute, Attribute: attr.name}}
	if attr.name == "ec2InstanceId" {
		c.Subject = Subject{Kind: SubjectEC2InstanceID}
	}
	values := append(append([]string(nil), attr.instances...), attr.extra...)
	ops := []Operator{OpEqual, OpNotEqual, OpIn, OpNotIn, OpExists, OpNotExists, OpMatches, OpNotMatches}
	if allowed, restricted := operatorsFor[c.Subject.Kind]; restricted {
		ops = allowed
	}
	if attr.numeric {
		ops = append(ops, OpGreater, OpGreaterEqual, OpLess, OpLessEqual, OpGreater, OpLessEqual)
	}
	c.Op = ops[g.rng.IntN(len(ops))]
	switch c.Op {
	case OpExists, OpNotExists:
	case OpIn, OpNotIn:
		for range 1 + g.rng.IntN(3) {
			c.Values = append(c.Values, g.pick(values))
		}
	case OpMatches, OpNotMatches:
		c.Values = []string{g.pick(propertyPatterns)}
	case OpGreater, OpGreaterEqual, OpLess, OpLessEqual:
		c.Values = []string{strconv.Itoa(g.rng.IntN(16) - 4)}
	default:
		c.Values = []string{g.pick(values)}
	}
	return c
}

// instance is a random container instance: attribute → value.
func (g *exprGenerator) instance() map[string]string {
	attrs := map[string]string{}
	for _, a := range propertyAttributes {
		if g.rng.IntN(5) > 0 {
			attrs[a.name] = g.pick(a.instances)
		}
	}
	return attrs
}

// nodeFor gives the Kubernetes node an ECS container instance becomes:
// each attribute on its mapped label, with its value mapped.
func nodeFor(t *testing.T, name string, attrs map[string]string) *corev1.Node {
	labels := map[string]string{corev1.LabelHostname: name}
	for attr, value := range attrs {
		key, ok := AttributeLabel(propertyAttributeMap, attr)
		if !ok {
			t.Fatalf("attribute %s has no label", attr)
		}
		lv, ok := labelValue(key, value)
		if !ok {
			t.Fatalf("instance value %q of %s has no label value", value, attr)
		}
		labels[key] = lv
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

// TestTranslationMatchesECSSemantics is the semantic-equivalence property:
// for random expressions and random container instances, the nodes the
// Kubernetes node-affinity matcher accepts for the translated terms are
// exactly the instances on which the ECS expression (Eval) holds. The
// regex expansion source covers every value the instances can carry.
func TestTranslationMatchesECSSemantics(t *testing.T) {
	const cases = 4000
	g := &exprGenerator{rng: rand.New(rand.NewPCG(5, 2026))}

	var universe []corev1.Node
	known := map[string][]string{}
	for _, a := range propertyAttributes {
		for _, v := range a.instances {
			universe = append(universe, *nodeFor(t, "universe", map[string]string{a.name: v}))
			known[a.name] = append(known[a.name], v)
		}
	}
	inventory := InventoryFromNodes(universe)

	var translated, tooLarge, unsatisfiable, matchedSome, constraintsPairs int
	for i := range cases {
		exprs := []Expr{g.expr(4)}
		if i%4 == 0 {
			exprs = append(exprs, g.expr(3))
			constraintsPairs++
		}
		in := Input{Attributes: propertyAttributeMap}
		// Half the cases expand against the node inventory, half against
		// knownAttributeValues (ECS names, e.g. x86_64).
		if i%2 == 0 {
			in.Inventory = inventory
		} else {
			in.KnownAttributeValues = known
		}
		for j, e := range exprs {
			in.Constraints = append(in.Constraints, memberOf(fmt.Sprintf("placementConstraints[%d]", j), e.String()))
		}
		var rep report.Collector
		res := Translate(in, &rep)
		if err := rep.Err(); err != nil {
			if strings.Contains(err.Error(), "alternatives") {
				tooLarge++
				continue
			}
			t.Fatalf("case %d: %s: %v", i, describe(exprs), err)
		}
		translated++
		var selector *nodeaffinity.NodeSelector
		if res.Affinity != nil {
			if res.Affinity.PodAffinity != nil || res.Affinity.PodAntiAffinity != nil {
				t.Fatalf("case %d: %s: unexpected pod affinity", i, describe(exprs))
			}
			var err error
			selector, err = nodeaffinity.NewNodeSelector(res.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
			if err != nil {
				t.Fatalf("case %d: %s: Kubernetes rejects the selector: %v", i, describe(exprs), err)
			}
		}
		anyMatch := false
		for n := range 12 {
			attrs := g.instance()
			node := nodeFor(t, fmt.Sprintf("node-%d", n), attrs)
			want := true
			for _, e := range exprs {
				v, err := Eval(e, attrs)
				if err != nil {
					t.Fatalf("case %d: Eval(%s): %v", i, e, err)
				}
				want = want && v
			}
			got := selector == nil || selector.Match(node)
			if got != want {
				t.Fatalf("case %d: %s\ninstance %v\nnode labels %v\nECS says %v, Kubernetes says %v\nterms: %s\nwarnings:\n%s",
					i, describe(exprs), attrs, node.Labels, want, got, nodeTerms(res.Affinity), messages(rep.Warnings()))
			}
			anyMatch = anyMatch || got
		}
		if anyMatch {
			matchedSome++
		}
		if res.Affinity != nil && strings.Contains(nodeTerms(res.Affinity), corev1.LabelHostname+" DoesNotExist") {
			unsatisfiable++
		}
	}
	t.Logf("%d cases (%d with two constraints): %d translated, %d over the term limit, %d unsatisfiable, %d matched some node",
		cases, constraintsPairs, translated, tooLarge, unsatisfiable, matchedSome)
	if tooLarge > cases/20 || matchedSome < cases/3 || unsatisfiable > cases/3 {
		t.Errorf("the generator is unbalanced; tune it so that most cases translate and select some nodes")
	}
}

func describe(exprs []Expr) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = fmt.Sprintf("%q", e.String())
	}
	return strings.Join(parts, " AND ")
}
