package placement

import (
	"errors"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// ECS limits (CreateService / RunTask API reference).
const (
	// MaxConstraints is the ECS limit on task definition plus service
	// placement constraints together.
	MaxConstraints = 10
	// MaxStrategies is the ECS limit on placement strategies.
	MaxStrategies = 5
	// maxExpressionLength is the ECS limit on a memberOf expression.
	maxExpressionLength = 2000
)

// Constraint is an ECS placement constraint with the field path messages
// name it by.
type Constraint struct {
	// Field is the caller-chosen ECS path, e.g. placementConstraints[0]
	// or taskDefinition.placementConstraints[1].
	Field string
	// TaskDefinition marks a constraint from the task definition, where
	// ECS does not allow distinctInstance.
	TaskDefinition bool
	ecsv1.PlacementConstraint
}

// Strategy is an ECS placement strategy with the field path messages name
// it by.
type Strategy struct {
	// Field is the caller-chosen ECS path, e.g. placementStrategy[0].
	Field string
	ecsv1.PlacementStrategy
}

// Input is everything one translation of placement needs.
type Input struct {
	// Constraints of the task definition and the service (ANDed, as in
	// ECS), and the service's Strategies in ECS order.
	Constraints []Constraint
	Strategies  []Strategy
	// Attributes is ECSCluster.spec.attributes: ECS attribute (or
	// ec2InstanceId) → node label key, overriding the defaults.
	Attributes map[string]string
	// Inventory is node label key → values seen on the current nodes
	// (InventoryFromNodes); nil when no nodes are known (offline CLI
	// without --nodes). =~ / !~ expand against it.
	Inventory map[string][]string
	// KnownAttributeValues is ECSCluster.spec.knownAttributeValues (ECS
	// attribute name → ECS values), added to the Inventory for =~ / !~.
	KnownAttributeValues map[string][]string
	// Selector is the service's pod selector; spread and distinctInstance
	// count the pods it selects.
	Selector map[string]string
	// BinpackSchedulerName and BinpackSchedulerNames are the ECSCluster's
	// MostAllocated scheduler profiles for binpack.
	BinpackSchedulerName  string
	BinpackSchedulerNames *ecsv1.BinpackSchedulerNames
	// Daemon is set for schedulingStrategy DAEMON, Fargate for tasks on
	// Fargate (where ECS and EKS ignore placement).
	Daemon, Fargate bool
}

// Result is the scheduling part of a pod spec. Zero fields mean "nothing
// to set".
type Result struct {
	Affinity                  *corev1.Affinity
	TopologySpreadConstraints []corev1.TopologySpreadConstraint
	SchedulerName             string
}

// Translate converts ECS placement into Kubernetes scheduling. Errors,
// warnings and notes go to rep, each naming the ECS field; when any error
// is recorded the Result is empty. The output is deterministic.
func Translate(in Input, rep *report.Collector) Result {
	t := &translator{in: in, rep: &report.Collector{}}
	defer rep.Add(t.rep)
	if in.Fargate {
		for _, c := range in.Constraints {
			t.rep.Warn(c.Field, "placement constraints are ignored on Fargate (EKS Fargate schedules pods itself)")
		}
		for _, s := range in.Strategies {
			t.rep.Warn(s.Field, "placement strategies are ignored on Fargate (EKS Fargate schedules pods itself)")
		}
		return Result{}
	}
	var result Result
	result.Affinity = t.constraints()
	result.TopologySpreadConstraints, result.SchedulerName = t.strategies()
	if t.rep.Failed() {
		return Result{}
	}
	return result
}

type translator struct {
	in  Input
	rep *report.Collector
}

// constraintResult is one memberOf constraint in Kubernetes terms: the
// node condition as alternatives (nodeSelectorTerms) and the task:group
// literals that hold in every alternative.
type constraintResult struct {
	field     string
	nodeTerms []term
	groups    term
}

func (t *translator) constraints() *corev1.Affinity {
	if len(t.in.Constraints) > MaxConstraints {
		t.rep.Fail(t.in.Constraints[MaxConstraints].Field, "ECS allows at most %d placement constraints (task definition and service together); found %d", MaxConstraints, len(t.in.Constraints))
		return nil
	}
	var results []constraintResult
	var antiAffinity []corev1.PodAffinityTerm
	for _, c := range t.in.Constraints {
		switch kind := deref(c.Type); kind {
		case "memberOf":
			if r, ok := t.memberOf(c); ok {
				results = append(results, r)
			}
		case "distinctInstance":
			if term, ok := t.distinctInstance(c); ok {
				antiAffinity = append(antiAffinity, term)
			}
		case "":
			t.rep.Fail(c.Field+".type", "type is required: memberOf or distinctInstance")
		default:
			t.rep.Fail(c.Field+".type", "unknown placement constraint type %q: use memberOf or distinctInstance", kind)
		}
	}
	if t.rep.Failed() {
		return nil
	}
	affinity := t.combine(results)
	if len(antiAffinity) > 0 {
		if affinity == nil {
			affinity = &corev1.Affinity{}
		}
		if affinity.PodAntiAffinity == nil {
			affinity.PodAntiAffinity = &corev1.PodAntiAffinity{}
		}
		affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(antiAffinity, affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution...)
	}
	return affinity
}

func (t *translator) distinctInstance(c Constraint) (corev1.PodAffinityTerm, bool) {
	if deref(c.Expression) != "" {
		t.rep.Fail(c.Field+".expression", "distinctInstance takes no expression (ECS rejects one); remove it or use memberOf")
		return corev1.PodAffinityTerm{}, false
	}
	if c.TaskDefinition {
		t.rep.Fail(c.Field+".type", "distinctInstance is not allowed in a task definition (ECS accepts it only on services and RunTask); move it to the service")
		return corev1.PodAffinityTerm{}, false
	}
	if t.in.Daemon {
		t.rep.Info(c.Field, "distinctInstance is implied by DAEMON (one task per node); nothing added")
		return corev1.PodAffinityTerm{}, false
	}
	// ECS places each task of the service on a different instance; a
	// required anti-affinity against the service's own pods on the
	// hostname topology is exactly that. Surplus replicas stay Pending
	// with a FailedScheduling reason, as ECS leaves them unplaced.
	selector, ok := t.selector(c.Field)
	return corev1.PodAffinityTerm{LabelSelector: selector, TopologyKey: corev1.LabelHostname}, ok
}

// selector selects the service's own pods, which distinctInstance and
// spread count. An empty selector would select every pod, so a missing
// one is an error rather than a silently wrong spread.
func (t *translator) selector(field string) (*metav1.LabelSelector, bool) {
	if len(t.in.Selector) == 0 {
		t.rep.Fail(field, "cannot select the service's own pods: no pod selector was given to the placement translation")
		return nil, false
	}
	labels := make(map[string]string, len(t.in.Selector))
	for k, v := range t.in.Selector {
		labels[k] = v
	}
	return &metav1.LabelSelector{MatchLabels: labels}, true
}

func (t *translator) memberOf(c Constraint) (constraintResult, bool) {
	field := c.Field + ".expression"
	text := deref(c.Expression)
	if strings.TrimSpace(text) == "" {
		t.rep.Fail(field, "memberOf needs an expression in the cluster query language, e.g. attribute:ecs.instance-type == t3.large")
		return constraintResult{}, false
	}
	if len(text) > maxExpressionLength {
		t.rep.Fail(field, "the expression has %d characters; ECS allows at most %d", len(text), maxExpressionLength)
		return constraintResult{}, false
	}
	expr, err := Parse(text)
	if err != nil {
		t.rep.Fail(field, "cannot parse %q: %v", text, err)
		return constraintResult{}, false
	}
	r := &resolver{translator: t, field: field}
	f := r.resolve(expr)
	if r.failed {
		return constraintResult{}, false
	}
	terms, err := dnf(f)
	if err != nil {
		t.rep.Fail(field, "%v", err)
		return constraintResult{}, false
	}
	nodeTerms, groups, err := factorGroups(terms)
	if err != nil {
		t.rep.Fail(field, "%q: %v", text, err)
		return constraintResult{}, false
	}
	if nodeTerms == nil {
		t.rep.Warn(field, "%q can match no node; the tasks stay Pending, as in ECS where no container instance would satisfy it", text)
	}
	return constraintResult{field: field, nodeTerms: nodeTerms, groups: groups}, true
}

// factorGroups splits DNF terms into node alternatives and the task:group
// literals. Pod (anti-)affinity and node affinity are ANDed by the
// scheduler, so group literals are expressible only when every
// alternative has the same ones (they factor out), or when each
// alternative is a single positive group literal (they merge into one pod
// affinity: "hosts a task of any of these groups").
func factorGroups(terms []term) ([]term, term, error) {
	if len(terms) == 0 {
		return nil, nil, nil
	}
	split := func(tm term) (node, groups term) {
		for _, l := range tm {
			if l.group {
				groups = append(groups, l)
			} else {
				node = append(node, l)
			}
		}
		return node, groups
	}
	firstNode, firstGroups := split(terms[0])
	nodeTerms := []term{firstNode}
	same := true
	for _, tm := range terms[1:] {
		node, groups := split(tm)
		if groups.String() != firstGroups.String() {
			same = false
		}
		nodeTerms = append(nodeTerms, node)
	}
	if same {
		if len(firstGroups) > 0 {
			for _, n := range nodeTerms {
				if len(n) == 0 {
					// (x and g) or g: the node part is true.
					return []term{{}}, firstGroups, nil
				}
			}
		}
		return nodeTerms, firstGroups, nil
	}
	merged := literal{group: true, key: groupLabel, op: corev1.NodeSelectorOpIn}
	for _, tm := range terms {
		if len(tm) != 1 || !tm[0].group || (tm[0].op != corev1.NodeSelectorOpIn && tm[0].op != corev1.NodeSelectorOpExists) {
			return nil, nil, errors.New("task:group conditions inside an or cannot be expressed: Kubernetes ANDs pod affinity, pod anti-affinity and node affinity, so an alternative between them (or between task:group exclusions) has no equivalent; split the expression or use in [..]")
		}
		if tm[0].op == corev1.NodeSelectorOpExists {
			merged.op = corev1.NodeSelectorOpExists
		}
		merged.values = union(merged.values, tm[0].values)
	}
	if merged.op == corev1.NodeSelectorOpExists {
		merged.values = nil
	}
	return []term{{}}, term{merged}, nil
}

// combine ANDs the memberOf constraints into one affinity.
func (t *translator) combine(results []constraintResult) *corev1.Affinity {
	if len(results) == 0 {
		return nil
	}
	nodeTerms := []term{{}}
	var groups term
	for _, r := range results {
		var err error
		if nodeTerms, err = product(nodeTerms, r.nodeTerms); err != nil {
			t.rep.Fail(r.field, "together with the other placement constraints: %v", err)
			return nil
		}
		groups = append(groups, r.groups...)
	}
	groups, groupsOK := normaliseGroups(groups)
	if len(nodeTerms) == 0 || !groupsOK {
		if !t.someConstraintUnsatisfiable(results) {
			t.rep.Warn(results[0].field, "the memberOf constraints together can match no node; the tasks stay Pending, as in ECS where no container instance would satisfy them")
		}
		return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: unsatisfiable(),
		}}
	}
	affinity := &corev1.Affinity{}
	if !(len(nodeTerms) == 1 && len(nodeTerms[0]) == 0) {
		selector := &corev1.NodeSelector{}
		for _, tm := range nodeTerms {
			var reqs []corev1.NodeSelectorRequirement
			for _, l := range tm {
				reqs = append(reqs, corev1.NodeSelectorRequirement{Key: l.key, Operator: l.op, Values: l.values})
			}
			selector.NodeSelectorTerms = append(selector.NodeSelectorTerms, corev1.NodeSelectorTerm{MatchExpressions: reqs})
		}
		affinity.NodeAffinity = &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: selector}
	}
	for _, g := range groups {
		// ECS task:group looks at the tasks on the same container
		// instance, hence the hostname topology. The group label selects
		// pods in the pod's own namespace, where an ECS cluster's services
		// live.
		podTerm := corev1.PodAffinityTerm{
			LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: groupLabel, Values: g.values,
			}}},
			TopologyKey: corev1.LabelHostname,
		}
		req := &podTerm.LabelSelector.MatchExpressions[0]
		switch g.op {
		case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
			req.Operator = metav1.LabelSelectorOpIn
		default:
			req.Operator = metav1.LabelSelectorOpExists
		}
		if g.op == corev1.NodeSelectorOpIn || g.op == corev1.NodeSelectorOpExists {
			if affinity.PodAffinity == nil {
				affinity.PodAffinity = &corev1.PodAffinity{}
			}
			affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution, podTerm)
		} else {
			if affinity.PodAntiAffinity == nil {
				affinity.PodAntiAffinity = &corev1.PodAntiAffinity{}
			}
			affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, podTerm)
		}
	}
	if affinity.NodeAffinity == nil && affinity.PodAffinity == nil && affinity.PodAntiAffinity == nil {
		return nil
	}
	return affinity
}

func (t *translator) someConstraintUnsatisfiable(results []constraintResult) bool {
	for _, r := range results {
		if r.nodeTerms == nil {
			return true
		}
	}
	return false
}

// unsatisfiable is a node selector no node matches. Kubernetes has no
// "false" and rejects an empty term list, so it asks for a hostname label
// that both exists and does not.
func unsatisfiable() *corev1.NodeSelector {
	return &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
		MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpExists},
			{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpDoesNotExist},
		},
	}}}
}

// resolver turns one parsed expression into a formula over Kubernetes
// literals, reporting problems against one field.
type resolver struct {
	*translator
	field  string
	failed bool
}

func (r *resolver) fail(format string, args ...any) *formula {
	r.failed = true
	r.rep.Fail(r.field, format, args...)
	return formulaF
}

func (r *resolver) resolve(e Expr) *formula {
	switch n := e.(type) {
	case *Not:
		return negate(r.resolve(n.X), func(l literal) {
			r.rep.Warn(r.field, "not(%s %s): nodes whose %s label is not an integer do not match (Kubernetes Gt/Lt need integers) and no node inventory lists such values; ECS would accept those instances", l.key, l.op, l.key)
		})
	case *And:
		kids := make([]*formula, len(n.Terms))
		for i, k := range n.Terms {
			kids[i] = r.resolve(k)
		}
		return and(kids...)
	case *Or:
		kids := make([]*formula, len(n.Terms))
		for i, k := range n.Terms {
			kids[i] = r.resolve(k)
		}
		return or(kids...)
	}
	return r.comparison(e.(*Comparison))
}

func (r *resolver) comparison(c *Comparison) *formula {
	switch c.Subject.Kind {
	case SubjectTaskGroup:
		return r.taskGroup(c)
	case SubjectEC2InstanceID:
		key, err := fieldLabel(r.in.Attributes, c.Subject.Key())
		if err != nil {
			return r.fail("%s: %v", c, err)
		}
		return r.nodeComparison(c, key)
	case SubjectAttribute:
		if c.Subject.Attribute == osFamilyAttribute && r.in.Attributes[osFamilyAttribute] == "" {
			return r.osFamily(c)
		}
		key, err := attributeLabel(r.in.Attributes, c.Subject.Attribute)
		if err != nil {
			return r.fail("%s: %v", c, err)
		}
		return r.nodeComparison(c, key)
	}
	return r.fail("%s: %s cannot be translated: %s; a constraint that cannot be honoured is never dropped, so remove this term or express it with a node label (attribute:NAME)", c, c.Subject, unmappedSubjects[c.Subject.Kind])
}

// unmappedSubjects explain why the instance fields have no Kubernetes
// counterpart.
var unmappedSubjects = map[SubjectKind]string{
	SubjectAgentConnected:    "the scheduler only places pods on Ready nodes, so agent connection is not something a pod can select",
	SubjectAgentVersion:      "nodes carry no ECS agent version (the kubelet version is not a label)",
	SubjectRegisteredAt:      "node registration time is not a label the scheduler can select on",
	SubjectRunningTasksCount: "the scheduler cannot select nodes by their number of pods (use distinctInstance, spread or topology spread instead)",
}

func (r *resolver) nodeComparison(c *Comparison, key string) *formula {
	switch c.Op {
	case OpExists:
		return lit(literal{key: key, op: corev1.NodeSelectorOpExists})
	case OpNotExists:
		return lit(literal{key: key, op: corev1.NodeSelectorOpDoesNotExist})
	case OpEqual, OpIn:
		return r.valuesLiteral(key, corev1.NodeSelectorOpIn, r.labelValues(c, key))
	case OpNotEqual, OpNotIn:
		return r.valuesLiteral(key, corev1.NodeSelectorOpNotIn, r.labelValues(c, key))
	case OpMatches, OpNotMatches:
		values, ok := r.expand(c, key)
		if !ok {
			return formulaF
		}
		op := corev1.NodeSelectorOpIn
		if c.Op == OpNotMatches {
			op = corev1.NodeSelectorOpNotIn
		}
		return r.valuesLiteral(key, op, values)
	}
	bound, err := integerArgument(c)
	if err != nil {
		return r.fail("%v", err)
	}
	l := literal{key: key}
	switch c.Op {
	case OpGreater:
		l.op = corev1.NodeSelectorOpGt
	case OpGreaterEqual:
		l.op, bound = corev1.NodeSelectorOpGt, bound-1
	case OpLess:
		l.op = corev1.NodeSelectorOpLt
	case OpLessEqual:
		l.op, bound = corev1.NodeSelectorOpLt, bound+1
	}
	l.values = []string{strconv.FormatInt(bound, 10)}
	known, anyKnown := r.knownLabelValues(c.Subject.Key(), key)
	for _, v := range known {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			l.nonInteger = append(l.nonInteger, v)
		}
	}
	l.integersOnly = !anyKnown
	return lit(l)
}

// valuesLiteral builds In/NotIn; an empty In is false and an empty NotIn
// true.
func (r *resolver) valuesLiteral(key string, op corev1.NodeSelectorOperator, values []string) *formula {
	if len(values) == 0 {
		if op == corev1.NodeSelectorOpIn {
			return formulaF
		}
		return formulaT
	}
	return lit(literal{key: key, op: op, values: union(nil, values)})
}

// labelValues maps the argument values to label values, warning about
// values no node label can hold (they match nothing, in ECS too).
func (r *resolver) labelValues(c *Comparison, key string) []string {
	var out []string
	for _, v := range c.Values {
		lv, ok := labelValue(key, v)
		if !ok {
			r.rep.Warn(r.field, "%s: value %q can match no node: %s", c, v, unmappableReason(key, v))
			continue
		}
		out = append(out, lv)
	}
	return out
}

// knownLabelValues gives the label values of key that the node inventory
// and knownAttributeValues[attribute] list. anyKnown is false when neither
// source knows anything about key.
func (r *resolver) knownLabelValues(attribute, key string) (values []string, anyKnown bool) {
	inventory, inInventory := r.in.Inventory[key]
	values = append(values, inventory...)
	known, inKnown := r.in.KnownAttributeValues[attribute]
	for _, v := range known {
		if lv, ok := labelValue(key, v); ok {
			values = append(values, lv)
		}
	}
	return union(nil, values), inInventory || inKnown || r.in.Inventory != nil
}

// expand turns =~ / !~ into the label values whose ECS value the pattern
// matches. Kubernetes has no pattern operator, so the values come from
// the current nodes (Input.Inventory; a node label absent from a non-nil
// inventory is on no node) and from knownAttributeValues, which also
// lists values that nodes yet to be provisioned may carry.
func (r *resolver) expand(c *Comparison, key string) ([]string, bool) {
	re, err := compilePattern(c.Values[0])
	if err != nil {
		r.fail("%s: %v", c, err)
		return nil, false
	}
	candidates, anyKnown := r.knownLabelValues(c.Subject.Key(), key)
	if !anyKnown {
		r.fail("%s: the regex needs a node inventory to expand into label values (kubectl-ecs --nodes FILE, or ECSCluster.spec.knownAttributeValues[%s])", c, c.Subject.Key())
		return nil, false
	}
	var matched []string
	for _, v := range candidates {
		if ev, ok := ecsValue(key, v); ok && re.MatchString(ev) {
			matched = append(matched, v)
		}
	}
	r.rep.Warn(r.field, "%s: regex %q expanded to [%s] (label %s); new values need re-translation", c, c.Values[0], strings.Join(matched, ", "), key)
	return matched, true
}

// taskGroup translates task:group. ECS selects instances by the groups
// of the tasks running there; Kubernetes does that with required pod
// (anti-)affinity on the group label, hostname topology.
func (r *resolver) taskGroup(c *Comparison) *formula {
	values := make([]string, len(c.Values))
	for i, v := range c.Values {
		values[i] = GroupLabelValue(v)
	}
	l := literal{group: true, key: groupLabel, values: union(nil, values)}
	switch c.Op {
	case OpEqual, OpIn:
		l.op = corev1.NodeSelectorOpIn
	case OpNotEqual, OpNotIn:
		l.op = corev1.NodeSelectorOpNotIn
	case OpExists:
		l.op, l.values = corev1.NodeSelectorOpExists, nil
	case OpNotExists:
		l.op, l.values = corev1.NodeSelectorOpDoesNotExist, nil
	default:
		return r.fail("%s: task:group %s cannot be expanded (there is no inventory of task groups); list the groups with in [..]", c, c.Op)
	}
	return lit(l)
}

// osFamily translates ecs.os-family when spec.attributes does not map it:
// LINUX is kubernetes.io/os=linux; WINDOWS_SERVER_<release>_<FULL|CORE> is
// kubernetes.io/os=windows plus the release's
// node.kubernetes.io/windows-build. Nodes do not tell FULL from CORE.
func (r *resolver) osFamily(c *Comparison) *formula {
	osExists := lit(literal{key: corev1.LabelOSStable, op: corev1.NodeSelectorOpExists})
	var families []string
	switch c.Op {
	case OpExists:
		return osExists
	case OpNotExists:
		return negate(osExists, nil)
	case OpEqual, OpNotEqual, OpIn, OpNotIn:
		families = c.Values
	case OpMatches, OpNotMatches:
		re, err := compilePattern(c.Values[0])
		if err != nil {
			return r.fail("%s: %v", c, err)
		}
		for _, f := range union(osFamilies, r.in.KnownAttributeValues[osFamilyAttribute]) {
			if re.MatchString(f) {
				families = append(families, f)
			}
		}
		r.rep.Warn(r.field, "%s: regex %q expanded to [%s] (the ECS operating system families); new values need re-translation", c, c.Values[0], strings.Join(families, ", "))
	default:
		return r.fail("%s: ecs.os-family values are names, not numbers; use ==, in or =~", c)
	}
	var alternatives []*formula
	windows := false
	for _, family := range families {
		if family == "LINUX" {
			alternatives = append(alternatives, lit(literal{key: corev1.LabelOSStable, op: corev1.NodeSelectorOpIn, values: []string{"linux"}}))
			continue
		}
		m := windowsFamily.FindStringSubmatch(family)
		build, known := "", false
		if m != nil {
			build, known = windowsBuilds[m[1]]
		}
		if !known {
			r.rep.Warn(r.field, "%s: %q is not an ECS operating system family (LINUX or WINDOWS_SERVER_<release>_<FULL|CORE>); it matches no node", c, family)
			continue
		}
		windows = true
		alternatives = append(alternatives, and(
			lit(literal{key: corev1.LabelOSStable, op: corev1.NodeSelectorOpIn, values: []string{"windows"}}),
			lit(literal{key: corev1.LabelWindowsBuild, op: corev1.NodeSelectorOpIn, values: []string{build}}),
		))
	}
	if windows {
		r.rep.Warn(r.field, "%s: Windows families map to kubernetes.io/os=windows and node.kubernetes.io/windows-build; nodes do not tell FULL from CORE, so both match", c)
	}
	positive := or(alternatives...)
	if c.Op == OpNotEqual || c.Op == OpNotIn || c.Op == OpNotMatches {
		return negate(positive, nil)
	}
	return positive
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
