package placement

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

func distinctInstance(field string) Constraint {
	return Constraint{Field: field, PlacementConstraint: ecsv1.PlacementConstraint{Type: ptr("distinctInstance")}}
}

func fromTaskDefinition(c Constraint) Constraint {
	c.TaskDefinition = true
	return c
}

func TestTranslateConstraints(t *testing.T) {
	cases := []struct {
		name        string
		constraints []Constraint
		input       func(*Input)
		nodes       string
		podAff      string
		podAnti     string
		warnings    string
		infos       string
		errSubstr   string
	}{
		{name: "distinctInstance", constraints: []Constraint{distinctInstance("placementConstraints[0]")},
			podAnti: ecsv1.LabelService + "=web @ " + host},
		{name: "distinctInstance with empty expression", constraints: []Constraint{{Field: "placementConstraints[0]", PlacementConstraint: ecsv1.PlacementConstraint{Type: ptr("distinctInstance"), Expression: ptr("")}}},
			podAnti: ecsv1.LabelService + "=web @ " + host},
		{name: "distinctInstance with expression", constraints: []Constraint{{Field: "placementConstraints[0]", PlacementConstraint: ecsv1.PlacementConstraint{Type: ptr("distinctInstance"), Expression: ptr("attribute:a exists")}}},
			errSubstr: "placementConstraints[0].expression: distinctInstance takes no expression"},
		{name: "distinctInstance without selector", constraints: []Constraint{distinctInstance("placementConstraints[0]")}, input: func(in *Input) { in.Selector = nil },
			errSubstr: "placementConstraints[0]: cannot select the service's own pods"},
		{name: "distinctInstance in task definition", constraints: []Constraint{fromTaskDefinition(distinctInstance("taskDefinition.placementConstraints[0]"))},
			errSubstr: "taskDefinition.placementConstraints[0].type: distinctInstance is not allowed in a task definition"},
		{name: "distinctInstance on DAEMON", constraints: []Constraint{distinctInstance("placementConstraints[0]")}, input: func(in *Input) { in.Daemon = true },
			infos: "placementConstraints[0]: distinctInstance is implied by DAEMON"},
		{name: "distinctInstance and group exclusion", constraints: []Constraint{distinctInstance("placementConstraints[0]"), memberOf("placementConstraints[1]", "task:group != service:db")},
			podAnti: ecsv1.LabelService + "=web @ " + host + "; " + grp + " In [service.db] @ " + host},
		{name: "task definition and service ANDed",
			constraints: []Constraint{
				fromTaskDefinition(memberOf("taskDefinition.placementConstraints[0]", "attribute:ecs.os-type == linux")),
				memberOf("placementConstraints[0]", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b] or attribute:ecs.instance-type == m5.large"),
			},
			nodes: osL + " In [linux] && " + zone + " In [us-east-1a us-east-1b] || " + osL + " In [linux] && " + typ + " In [m5.large]"},
		{name: "alternatives on both sides multiply",
			constraints: []Constraint{
				memberOf("placementConstraints[0]", "attribute:a == 1 or attribute:b == 1"),
				memberOf("placementConstraints[1]", "attribute:c == 1 or attribute:d == 1"),
			},
			nodes: "ecs.operator.dev/a In [1] && ecs.operator.dev/c In [1] || ecs.operator.dev/a In [1] && ecs.operator.dev/d In [1] || ecs.operator.dev/b In [1] && ecs.operator.dev/c In [1] || ecs.operator.dev/b In [1] && ecs.operator.dev/d In [1]"},
		{name: "node and group in separate constraints",
			constraints: []Constraint{
				memberOf("placementConstraints[0]", "attribute:a == 1 or attribute:b == 1"),
				memberOf("placementConstraints[1]", "task:group == service:cache"),
			},
			nodes: "ecs.operator.dev/a In [1] || ecs.operator.dev/b In [1]", podAff: grp + " In [service.cache] @ " + host},
		{name: "constraints contradict together",
			constraints: []Constraint{
				memberOf("placementConstraints[0]", "attribute:ecs.availability-zone == us-east-1a"),
				memberOf("placementConstraints[1]", "attribute:ecs.availability-zone == us-east-1b"),
			},
			nodes:    host + " Exists && " + host + " DoesNotExist",
			warnings: "placementConstraints[0].expression: the memberOf constraints together can match no node"},
		{name: "group constraints contradict together",
			constraints: []Constraint{
				memberOf("placementConstraints[0]", "task:group == a"),
				memberOf("placementConstraints[1]", "task:group !exists"),
			},
			nodes:    host + " Exists && " + host + " DoesNotExist",
			warnings: "the memberOf constraints together can match no node"},
		{name: "product over the limit",
			constraints: []Constraint{memberOf("placementConstraints[0]", blowUp(4)), memberOf("placementConstraints[1]", strings.ReplaceAll(blowUp(3), "attribute:k", "attribute:j"))},
			errSubstr:   "placementConstraints[1].expression: together with the other placement constraints: the expression expands to more than 64"},
		{name: "ten constraints", constraints: repeatConstraint(10), nodes: "ecs.operator.dev/a Exists"},
		{name: "eleven constraints", constraints: repeatConstraint(11), errSubstr: "placementConstraints[10]: ECS allows at most 10 placement constraints (task definition and service together); found 11"},
		{name: "missing type", constraints: []Constraint{{Field: "placementConstraints[0]"}}, errSubstr: "placementConstraints[0].type: type is required: memberOf or distinctInstance"},
		{name: "unknown type", constraints: []Constraint{{Field: "placementConstraints[0]", PlacementConstraint: ecsv1.PlacementConstraint{Type: ptr("spread")}}},
			errSubstr: `unknown placement constraint type "spread"`},
		{name: "every error is reported",
			constraints: []Constraint{memberOf("placementConstraints[0]", "agentConnected == true"), memberOf("placementConstraints[1]", "attribute:a ==")},
			errSubstr:   "placementConstraints[0].expression: agentConnected == true: agentConnected cannot be translated"},
		{name: "fargate ignores constraints", constraints: []Constraint{distinctInstance("placementConstraints[0]"), memberOf("placementConstraints[1]", "nonsense")},
			input:    func(in *Input) { in.Fargate = true },
			warnings: "placementConstraints[0]: placement constraints are ignored on Fargate (EKS Fargate schedules pods itself)\nplacementConstraints[1]: placement constraints are ignored on Fargate"},
		{name: "DAEMON keeps memberOf", constraints: []Constraint{memberOf("placementConstraints[0]", "attribute:ecs.os-type == linux")}, input: func(in *Input) { in.Daemon = true },
			nodes: osL + " In [linux]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Constraints: tc.constraints, Selector: serviceSelector, Inventory: testInventory, Strategies: []Strategy{strategy(0, "random", "")}}
			if tc.input != nil {
				tc.input(&in)
			}
			if in.Daemon {
				in.Strategies = nil
			}
			var rep report.Collector
			res := Translate(in, &rep)
			if tc.errSubstr != "" {
				if err := rep.Err(); err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.errSubstr)
				}
				if !reflect.DeepEqual(res, Result{}) {
					t.Errorf("result despite the error: %+v", res)
				}
				return
			}
			if err := rep.Err(); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := nodeTerms(res.Affinity); got != tc.nodes {
				t.Errorf("node affinity:\n got %s\nwant %s", got, tc.nodes)
			}
			aff, anti := affinityOf(res.Affinity)
			if aff != tc.podAff {
				t.Errorf("pod affinity:\n got %s\nwant %s", aff, tc.podAff)
			}
			if anti != tc.podAnti {
				t.Errorf("pod anti-affinity:\n got %s\nwant %s", anti, tc.podAnti)
			}
			checkMessages(t, "warnings", messages(rep.Warnings()), tc.warnings)
			checkMessages(t, "notes", messages(rep.Infos()), tc.infos)
		})
	}
}

func TestTranslateReportsEveryError(t *testing.T) {
	var rep report.Collector
	Translate(Input{
		Constraints: []Constraint{memberOf("placementConstraints[0]", "agentConnected == true"), memberOf("placementConstraints[1]", "attribute:a ==")},
		Strategies:  []Strategy{strategy(0, "binpack", "disk")},
	}, &rep)
	errs, _ := rep.Err().(report.Errors)
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if got, want := strings.Join(fields, " "), "placementConstraints[0].expression placementConstraints[1].expression placementStrategy[0].field"; got != want {
		t.Errorf("error fields = %s, want %s", got, want)
	}
}

func repeatConstraint(n int) []Constraint {
	out := make([]Constraint, n)
	for i := range out {
		out[i] = memberOf(fmt.Sprintf("placementConstraints[%d]", i), "attribute:a exists")
	}
	return out
}

// TestTranslateAffinityShape pins the exact objects for a service with
// every kind of constraint, so that the pieces the tables render as text
// (selectors, topology keys, operators) are also right in the API types.
// not(group exists and group == batch) is "no grouped task or no batch
// task"; with a service:cache task required, only "no batch task" can
// hold.
func TestTranslateAffinityShape(t *testing.T) {
	var rep report.Collector
	res := Translate(Input{
		Constraints: []Constraint{
			distinctInstance("placementConstraints[0]"),
			memberOf("placementConstraints[1]", "attribute:ecs.cpu-architecture == x86_64 and task:group == service:cache and not(task:group exists and task:group == batch)"),
		},
		Strategies:            []Strategy{strategy(0, "spread", "attribute:ecs.availability-zone"), strategy(1, "binpack", "memory")},
		Selector:              serviceSelector,
		BinpackSchedulerNames: &ecsv1.BinpackSchedulerNames{Memory: "binpack-memory"},
	}, &rep)
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	hostTerm := func(sel *metav1.LabelSelector) corev1.PodAffinityTerm {
		return corev1.PodAffinityTerm{LabelSelector: sel, TopologyKey: host}
	}
	want := Result{
		Affinity: &corev1.Affinity{
			NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
					{Key: arch, Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64"}},
				}}},
			}},
			PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				hostTerm(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: grp, Operator: metav1.LabelSelectorOpIn, Values: []string{"service.cache"}}}}),
			}},
			PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				hostTerm(&metav1.LabelSelector{MatchLabels: map[string]string{ecsv1.LabelService: "web"}}),
				hostTerm(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: grp, Operator: metav1.LabelSelectorOpIn, Values: []string{"batch"}}}}),
			}},
		},
		TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{ecsv1.LabelService: "web"}},
		}},
		SchedulerName: "binpack-memory",
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("Translate =\n%+v\nwant\n%+v", res, want)
	}
}
