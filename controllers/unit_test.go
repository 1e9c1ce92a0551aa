package controllers

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestParseTaskDefinitionRef(t *testing.T) {
	tests := []struct {
		in      string
		want    taskDefinitionRef
		wantErr bool
	}{
		{in: "web", want: taskDefinitionRef{family: "web"}},
		{in: "web:12", want: taskDefinitionRef{family: "web", revision: 12}},
		{in: " web:3 ", want: taskDefinitionRef{family: "web", revision: 3}},
		{in: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", want: taskDefinitionRef{family: "web", revision: 7}},
		{in: "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/my_app", want: taskDefinitionRef{family: "my_app"}},
		{in: "web:0", wantErr: true},
		{in: "web:latest", wantErr: true},
		{in: ":3", wantErr: true},
		{in: "arn:aws:ecs:us-east-1:123456789012:service/web", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseTaskDefinitionRef(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseTaskDefinitionRef(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestClusterNameOf(t *testing.T) {
	tests := []struct {
		in   *string
		want string
	}{
		{nil, "default"},
		{ptr.To("  "), "default"},
		{ptr.To("staging"), "staging"},
		{ptr.To("arn:aws:ecs:eu-west-1:123456789012:cluster/prod"), "prod"},
	}
	for _, tt := range tests {
		if got := clusterNameOf(tt.in); got != tt.want {
			t.Errorf("clusterNameOf(%q) = %q, want %q", ptr.Deref(tt.in, "<nil>"), got, tt.want)
		}
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		name       string
		have, want any
		ok         bool
	}{
		{"defaulted fields are ignored", map[string]any{"a": "x", "b": 1.0}, map[string]any{"a": "x"}, true},
		{"changed value", map[string]any{"a": "y"}, map[string]any{"a": "x"}, false},
		{"removed key", map[string]any{}, map[string]any{"a": "x"}, false},
		{"empty map absent after the server drops it", map[string]any{}, map[string]any{"resources": map[string]any{}}, true},
		{"int64 from unstructured equals float64 from JSON", map[string]any{"port": int64(80)}, map[string]any{"port": 80.0}, true},
		{"list elements added by others", []any{"a", "b", "c"}, []any{"a", "b"}, true},
		{"list element removed", []any{"a"}, []any{"a", "b"}, false},
		{"list element changed", []any{map[string]any{"name": "x", "image": "v2"}}, []any{map[string]any{"name": "x", "image": "v1"}}, false},
		{"type change", map[string]any{"a": "1"}, map[string]any{"a": 1.0}, false},
	}
	for _, tt := range tests {
		if got := contains(tt.have, tt.want); got != tt.ok {
			t.Errorf("%s: contains = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

func TestFailureThreshold(t *testing.T) {
	for desired, want := range map[int32]int32{0: 3, 1: 3, 5: 3, 6: 3, 7: 4, 10: 5, 399: 200, 1000: 200} {
		if got := failureThreshold(desired); got != want {
			t.Errorf("failureThreshold(%d) = %d, want %d", desired, got, want)
		}
	}
}

// pod builds a pod of a deployment for the rollout tables.
func pod(id string, ready bool, restarts int32, startedAgo time.Duration, now time.Time) corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{AnnotationDeploymentID: id}, Labels: map[string]string{ecsv1.LabelRevision: "1"}},
		Status: corev1.PodStatus{
			Phase:             corev1.PodRunning,
			StartTime:         ptr.To(metav1.NewTime(now.Add(-startedAgo))),
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", RestartCount: restarts}},
		},
	}
}

func TestStartFailures(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	budget := time.Minute
	tests := []struct {
		name        string
		pods        []corev1.Pod
		want        int32
		wantRecheck time.Duration
	}{
		{"ready pods", []corev1.Pod{pod("d", true, 0, time.Hour, now)}, 0, 0},
		{"restarts count each", []corev1.Pod{pod("d", false, 2, time.Second, now), pod("d", true, 1, time.Hour, now)}, 3, 59 * time.Second},
		{"unready past the budget", []corev1.Pod{pod("d", false, 0, 2*time.Minute, now)}, 1, 0},
		{"unready within the budget", []corev1.Pod{pod("d", false, 0, 20*time.Second, now)}, 0, 40 * time.Second},
		{"image pull failure", []corev1.Pod{func() corev1.Pod {
			p := pod("d", false, 0, time.Second, now)
			p.Status.Phase = corev1.PodPending
			p.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}
			return p
		}()}, 1, 0},
		{"failed pod", []corev1.Pod{func() corev1.Pod {
			p := pod("d", false, 0, time.Second, now)
			p.Status.Phase = corev1.PodFailed
			return p
		}()}, 1, 0},
	}
	for _, tt := range tests {
		got, recheck := startFailures(tt.pods, budget, now)
		if got != tt.want || recheck != tt.wantRecheck {
			t.Errorf("%s: startFailures = %d, recheck %s; want %d, %s", tt.name, got, recheck, tt.want, tt.wantRecheck)
		}
	}
}

func TestComputeRollout(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	earlier := metav1.NewTime(now.Add(-time.Hour))
	v1 := deploymentPlan{id: "ecs-svc/1", taskDefinition: "web:1", revision: 1}
	v2 := deploymentPlan{id: "ecs-svc/2", taskDefinition: "web:2", revision: 2}
	completed := func(p deploymentPlan, status string) ecsv1.ServiceDeployment {
		return ecsv1.ServiceDeployment{ID: p.id, Status: status, TaskDefinition: p.taskDefinition, RolloutState: rolloutCompleted,
			RolloutStateReason: "ECS deployment " + p.id + " completed.", CreatedAt: &earlier, UpdatedAt: &earlier}
	}
	inProgress := func(p deploymentPlan) ecsv1.ServiceDeployment {
		return ecsv1.ServiceDeployment{ID: p.id, Status: deploymentPrimary, TaskDefinition: p.taskDefinition, RolloutState: rolloutInProgress,
			RolloutStateReason: "ECS deployment " + p.id + " in progress.", CreatedAt: &earlier, UpdatedAt: &earlier}
	}
	breaker := ecsv1.DeploymentCircuitBreaker{Enable: true, Rollback: true}
	tests := []struct {
		name         string
		in           rolloutInput
		wantStates   []string // ID:STATUS:ROLLOUTSTATE, primary first
		wantEvents   []string // reasons
		wantRollback bool
	}{{
		name: "first deployment starts IN_PROGRESS",
		in: rolloutInput{primary: v1, target: v1, workload: observedWorkload{templateID: v1.id, desired: 2,
			pods: []corev1.Pod{pod(v1.id, false, 0, time.Second, now)}}},
		wantStates: []string{"ecs-svc/1:PRIMARY:IN_PROGRESS"},
	}, {
		name: "complete workload completes the deployment",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{inProgress(v1)}, primary: v1, target: v1,
			workload: observedWorkload{templateID: v1.id, desired: 1, complete: true, pods: []corev1.Pod{pod(v1.id, true, 0, time.Hour, now)}}},
		wantStates: []string{"ecs-svc/1:PRIMARY:COMPLETED"},
		wantEvents: []string{"DeploymentCompleted", "SteadyState"},
	}, {
		name: "a stale workload status does not complete a new template",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{completed(v1, deploymentPrimary)}, primary: v2, target: v2,
			workload: observedWorkload{templateID: v1.id, desired: 1, complete: true, pods: []corev1.Pod{pod(v1.id, true, 0, time.Hour, now)}}},
		wantStates: []string{"ecs-svc/2:PRIMARY:IN_PROGRESS", "ecs-svc/1:ACTIVE:COMPLETED"},
	}, {
		name: "the last completed deployment is kept without tasks while the new one rolls out",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{inProgress(v2), completed(v1, deploymentActive)}, primary: v2, target: v2,
			workload: observedWorkload{templateID: v2.id, desired: 1, pods: []corev1.Pod{pod(v2.id, false, 0, time.Second, now)}}},
		wantStates: []string{"ecs-svc/2:PRIMARY:IN_PROGRESS", "ecs-svc/1:INACTIVE:COMPLETED"},
	}, {
		name: "progress deadline trips the breaker and asks for a rollback",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{inProgress(v2), completed(v1, deploymentInactive)}, primary: v2, target: v2, breaker: breaker,
			workload: observedWorkload{templateID: v2.id, desired: 4, deadlineExceeded: true, progressDeadline: 10 * time.Minute}},
		wantStates:   []string{"ecs-svc/2:PRIMARY:FAILED", "ecs-svc/1:INACTIVE:COMPLETED"},
		wantEvents:   []string{"DeploymentFailed"},
		wantRollback: true,
	}, {
		name: "a deadline reported for a deployment younger than the deadline is stale (rollback to an old ReplicaSet)",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{{ID: v2.id, Status: deploymentPrimary, TaskDefinition: "web:2", RolloutState: rolloutFailed, CreatedAt: &earlier, UpdatedAt: &earlier}},
			primary: v1, target: v2, breaker: breaker,
			workload: observedWorkload{templateID: v1.id, desired: 2, deadlineExceeded: true, progressDeadline: 30 * time.Second,
				pods: []corev1.Pod{pod(v1.id, true, 0, time.Hour, now), pod(v1.id, true, 0, time.Hour, now)}}},
		wantStates: []string{"ecs-svc/1:PRIMARY:IN_PROGRESS", "ecs-svc/2:INACTIVE:FAILED"},
	}, {
		name: "without the breaker a stuck deployment stays IN_PROGRESS",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{inProgress(v2)}, primary: v2, target: v2,
			workload: observedWorkload{templateID: v2.id, desired: 1, deadlineExceeded: true,
				pods: []corev1.Pod{pod(v2.id, false, 9, time.Second, now)}}},
		wantStates: []string{"ecs-svc/2:PRIMARY:IN_PROGRESS"},
	}, {
		name: "failed starts reach the threshold",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{inProgress(v2)}, primary: v2, target: v2,
			breaker:  ecsv1.DeploymentCircuitBreaker{Enable: true},
			workload: observedWorkload{templateID: v2.id, desired: 2, pods: []corev1.Pod{pod(v2.id, false, 3, time.Second, now)}}},
		wantStates: []string{"ecs-svc/2:PRIMARY:FAILED"},
		wantEvents: []string{"DeploymentFailed"},
	}, {
		name: "while rolled back the failed target is kept so it is not retried",
		in: rolloutInput{prev: []ecsv1.ServiceDeployment{{ID: v2.id, Status: deploymentPrimary, TaskDefinition: "web:2", RolloutState: rolloutFailed, CreatedAt: &earlier, UpdatedAt: &earlier}, completed(v1, deploymentInactive)},
			primary: v1, target: v2, breaker: breaker,
			workload: observedWorkload{templateID: v1.id, desired: 1, pods: []corev1.Pod{pod(v2.id, false, 5, time.Second, now)}}},
		wantStates: []string{"ecs-svc/1:PRIMARY:IN_PROGRESS", "ecs-svc/2:ACTIVE:FAILED"},
	}}
	for _, tt := range tests {
		tt.in.service, tt.in.family, tt.in.now, tt.in.startBudget = "web", "web", now, time.Minute
		res := computeRollout(tt.in)
		var states []string
		for _, d := range res.deployments {
			states = append(states, fmt.Sprintf("%s:%s:%s", d.ID, d.Status, d.RolloutState))
		}
		var reasons []string
		for _, e := range res.events {
			reasons = append(reasons, e.reason)
		}
		if fmt.Sprint(states) != fmt.Sprint(tt.wantStates) || fmt.Sprint(reasons) != fmt.Sprint(tt.wantEvents) || res.rollback != tt.wantRollback {
			t.Errorf("%s:\n got  %v events %v rollback %v\n want %v events %v rollback %v",
				tt.name, states, reasons, res.rollback, tt.wantStates, tt.wantEvents, tt.wantRollback)
		}
	}
}

func TestInstanceSelectors(t *testing.T) {
	ready := func(name string, labels map[string]string, isReady bool) corev1.Node {
		status := corev1.ConditionFalse
		if isReady {
			status = corev1.ConditionTrue
		}
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}}}}
	}
	nodes := []corev1.Node{
		ready("a", map[string]string{"pool": "general"}, true),
		ready("b", map[string]string{"pool": "spot"}, true),
		ready("c", map[string]string{"pool": "general"}, false),
		ready("d", map[string]string{"eks.amazonaws.com/compute-type": "fargate"}, true),
	}
	tests := []struct {
		name string
		spec ecsv1.ECSClusterSpec
		want int32
	}{
		{"built-in EC2 is every node", ecsv1.ECSClusterSpec{}, 3},
		{"custom providers do not narrow the built-in EC2", ecsv1.ECSClusterSpec{CapacityProviders: []ecsv1.CapacityProvider{{Name: "spot", NodeSelector: map[string]string{"pool": "spot"}}}}, 3},
		{"redefined EC2 and a spot provider", ecsv1.ECSClusterSpec{CapacityProviders: []ecsv1.CapacityProvider{
			{Name: "EC2", NodeSelector: map[string]string{"pool": "general"}},
			{Name: "spot", NodeLabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"pool": "spot"}}},
		}}, 2},
		{"Fargate profiles have no container instances", ecsv1.ECSClusterSpec{CapacityProviders: []ecsv1.CapacityProvider{
			{Name: "EC2", NodeSelector: map[string]string{"pool": "none"}},
			{Name: "FARGATE", Fargate: true},
		}}, 0},
	}
	for _, tt := range tests {
		selectors, err := instanceSelectors(&tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := countInstances(nodes, selectors); got != tt.want {
			t.Errorf("%s: %d instances, want %d", tt.name, got, tt.want)
		}
	}
}

func TestSchedulingReasonDropsCounts(t *testing.T) {
	tests := []struct{ message, want string }{
		{"0/36 nodes are available: 12 node(s) didn't match Pod's node affinity/selector, 12 node(s) didn't match pod anti-affinity rules, 12 node(s) had untolerated taint(s). preemption: 0/36 nodes are available: 12 No preemption victims found for incoming pod, 24 Preemption is not helpful for scheduling.",
			"didn't match Pod's node affinity/selector; didn't match pod anti-affinity rules; had untolerated taint(s)"},
		{"0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
			"Insufficient cpu"},
		{"no nodes available to schedule pods", "no nodes available to schedule pods"},
	}
	for _, tt := range tests {
		if got := schedulingReason(tt.message); got != tt.want {
			t.Errorf("schedulingReason(%q)\n = %q\nwant %q", tt.message, got, tt.want)
		}
	}
	// The same reasons with other node counts give the same text, so a
	// node joining the cluster does not make a new service event.
	a := schedulingReason("0/12 nodes are available: 12 node(s) didn't match pod anti-affinity rules.")
	b := schedulingReason("0/13 nodes are available: 1 node(s) had untolerated taint(s), 12 node(s) didn't match pod anti-affinity rules.")
	if a == b {
		t.Errorf("different reasons collapsed: %q", a)
	}
	if c := schedulingReason("0/40 nodes are available: 40 node(s) didn't match pod anti-affinity rules."); c != a {
		t.Errorf("counts changed the reason: %q vs %q", c, a)
	}
}
