package placement

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestEval(t *testing.T) {
	instance := map[string]string{
		"ecs.instance-type":     "t2.small",
		"ecs.availability-zone": "us-east-1a",
		"ecs.cpu-architecture":  "x86_64",
		"stack":                 "prod",
		"gpu":                   "4",
		"flag":                  "",
		"ec2InstanceId":         "i-abcd1234",
	}
	cases := []struct {
		expr string
		want bool
		err  string
	}{
		{expr: "attribute:ecs.instance-type == t2.small", want: true},
		{expr: "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", want: true},
		{expr: "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", want: false},
		{expr: "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d", want: true},
		{expr: "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", want: true},
		{expr: "attribute:ecs.cpu-architecture == x86_64", want: true},
		{expr: "attribute:ecs.cpu-architecture == amd64", want: false},
		// Missing attributes: == / in need it, != / !in are negations.
		{expr: "attribute:rack == 1", want: false},
		{expr: "attribute:rack != 1", want: true},
		{expr: "attribute:rack in [1]", want: false},
		{expr: "attribute:rack !in [1]", want: true},
		{expr: "attribute:rack exists", want: false},
		{expr: "attribute:rack !exists", want: true},
		{expr: "attribute:rack =~ .*", want: false},
		{expr: "attribute:rack !~ .*", want: true},
		{expr: "attribute:rack > 0", want: false},
		{expr: "not(attribute:rack > 0)", want: true},
		// A value-less attribute exists with value "".
		{expr: "attribute:flag exists", want: true},
		{expr: "attribute:flag == ''", want: true},
		// Patterns match the whole value.
		{expr: "attribute:ecs.instance-type =~ t2", want: false},
		{expr: "attribute:ecs.instance-type =~ small", want: false},
		{expr: "attribute:ecs.instance-type =~ .*small", want: true},
		{expr: "attribute:ecs.instance-type =~ 't2\\.(small|medium)'", want: true},
		{expr: "attribute:ecs.instance-type !~ t2.*", want: false},
		// Integer comparisons.
		{expr: "attribute:gpu > 3", want: true},
		{expr: "attribute:gpu > 4", want: false},
		{expr: "attribute:gpu >= 4", want: true},
		{expr: "attribute:gpu < 4", want: false},
		{expr: "attribute:gpu <= 4", want: true},
		{expr: "attribute:stack > 0", want: false},
		{expr: "attribute:gpu > 1.5", err: "> needs an integer argument"},
		// Boolean structure and precedence.
		{expr: "attribute:stack == dev or attribute:stack == prod and attribute:gpu == 4", want: true},
		{expr: "(attribute:stack == dev or attribute:stack == prod) and attribute:gpu == 5", want: false},
		{expr: "not attribute:stack == dev and attribute:gpu == 4", want: true},
		// Errors.
		{expr: "task:group == service:web", err: "task:group depends on the tasks on an instance"},
		{expr: "attribute:a =~ '(?=x)'", err: "is not a supported regular expression"},
	}
	for _, tc := range cases {
		e, err := Parse(tc.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.expr, err)
		}
		got, err := Eval(e, instance)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Eval(%q) error = %v, want %q", tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestAttributeLabel(t *testing.T) {
	attrs := map[string]string{
		"ecs.availability-zone": "topology.k8s.aws/zone-id",
		"ecs.vpc-id":            "example.com/vpc",
		"bad":                   "Not A Key",
		"ignored":               "",
	}
	cases := []struct {
		attribute, want string
		ok              bool
	}{
		{"ecs.availability-zone", "topology.k8s.aws/zone-id", true},
		{"ecs.instance-type", "node.kubernetes.io/instance-type", true},
		{"ecs.os-type", "kubernetes.io/os", true},
		{"ecs.cpu-architecture", "kubernetes.io/arch", true},
		{"ecs.vpc-id", "example.com/vpc", true},
		{"ecs.ami-id", "", false},
		{"ecs.subnet-id", "", false},
		{"ecs.instance-id", "", false},
		{"ecs.os-family", "", false},
		{"stack", "ecs.operator.dev/stack", true},
		{"ignored", "ecs.operator.dev/ignored", true},
		{"team/stack", "", false},
		{`a\b`, "", false},
		{strings.Repeat("x", 64), "", false},
		{"bad", "", false},
	}
	for _, tc := range cases {
		got, ok := AttributeLabel(attrs, tc.attribute)
		if got != tc.want || ok != tc.ok {
			t.Errorf("AttributeLabel(%q) = %q, %v; want %q, %v", tc.attribute, got, ok, tc.want, tc.ok)
		}
	}
}

func TestGroupLabelValue(t *testing.T) {
	cases := map[string]string{
		"service:production": "service.production",
		"family:my app":      "family.my-app",
		"database":           "database",
		":x:":                "x",
	}
	for group, want := range cases {
		if got := GroupLabelValue(group); got != want {
			t.Errorf("GroupLabelValue(%q) = %q, want %q", group, got, want)
		}
	}
}

func TestInventoryFromNodes(t *testing.T) {
	node := func(labels map[string]string) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: labels}}
	}
	got := InventoryFromNodes([]corev1.Node{
		node(map[string]string{zone: "us-east-1b", arch: "arm64"}),
		node(map[string]string{zone: "us-east-1a", arch: "arm64", "flag": ""}),
		node(nil),
		node(map[string]string{zone: "us-east-1b"}),
	})
	want := map[string][]string{zone: {"us-east-1a", "us-east-1b"}, arch: {"arm64"}, "flag": {""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("InventoryFromNodes = %v, want %v", got, want)
	}
}
