//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/placement"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// TestPlacement runs ECS services with placement strategies and
// constraints through the operator and checks where the real scheduler
// put their tasks: pod → node → node labels, read from the API. Each
// subtest has its own twelve fake nodes (3 zones × m/c families × amd64
// and arm64, the test bed's layout) and an ECSCluster whose EC2 capacity
// provider selects and tolerates only them, so the counts are exact: no
// other pod lands there and none of the service's pods elsewhere.
func TestPlacement(t *testing.T) {
	// Only the operator's CRDs: placement needs no integration, and the
	// External Secrets CRDs are the heaviest apply of the suite.
	if err := cluster.InstallOperatorCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	cluster.RunOperator(t, framework.OperatorOptions{Args: []string{
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--leader-elect=false",
	}})

	t.Run("spread-zone", func(t *testing.T) {
		t.Parallel()
		env := newPlacementEnv(t)
		// The usual ECS "AZ balanced spread": zones first, then instances.
		env.run(t, smallTask(), ecsv1.ECSServiceSpec{
			DesiredCount: ptr.To[int32](6),
			PlacementStrategy: []ecsv1.PlacementStrategy{
				{Type: ptr.To("spread"), Field: ptr.To("attribute:ecs.availability-zone")},
				{Type: ptr.To("spread"), Field: ptr.To("instanceId")},
			},
		})
		pods := env.waitSteady(t, 6)

		// ScheduleAnyway spread is a score, not a filter, yet 2/2/2 is
		// exact here: PodTopologySpread's normalised score (weight 2)
		// puts a node of an emptier zone at least 30 points ahead, while
		// NodeResourcesFit and BalancedAllocation tell the 16 GiB and
		// 8 GiB nodes apart by a few points, and no other pod on these
		// nodes tilts the counts.
		perZone := env.countBy(t, pods, framework.LabelZone)
		want := map[string]int{}
		for _, z := range framework.Zones {
			want[z] = 2
		}
		if !maps.Equal(perZone, want) {
			t.Errorf("tasks per zone = %v, want %v", perZone, want)
		}
		if perNode := env.countBy(t, pods, framework.LabelHostname); len(perNode) != 6 {
			t.Errorf("tasks per instance = %v, want 6 instances with one task each", perNode)
		}
	})

	t.Run("distinct-instance", func(t *testing.T) {
		t.Parallel()
		env := newPlacementEnv(t)
		// Two more tasks than instances: ECS leaves the surplus unplaced
		// and says why.
		desired := len(env.nodes) + 2
		env.run(t, smallTask(), ecsv1.ECSServiceSpec{
			DesiredCount:         ptr.To(int32(desired)),
			PlacementConstraints: []ecsv1.PlacementConstraint{{Type: ptr.To("distinctInstance")}},
		})
		pending := cluster.WaitPendingPods(t, env.ns, env.selector(), 2)
		t.Logf("scheduler: %s", pending[0].Reason)
		for _, p := range pending {
			if !strings.Contains(p.Reason, fmt.Sprintf("%d node(s) didn't match pod anti-affinity rules", len(env.nodes))) {
				t.Errorf("pending task %s: scheduler reason %q, want every instance of the cluster refused by the anti-affinity", p.Name, p.Reason)
			}
		}
		pods := env.waitScheduled(t, len(env.nodes))
		perNode := env.countBy(t, pods, framework.LabelHostname)
		if len(perNode) != len(env.nodes) || slices.Max(slices.Collect(maps.Values(perNode))) != 1 {
			t.Errorf("tasks per instance = %v, want one on each of the %d instances", perNode, len(env.nodes))
		}

		// The operator reports the unplaced tasks as ECS does: an
		// ECS-style service event (in status and as a Kubernetes Event)
		// with the scheduler's reason, and the pending count.
		const unplaced = "(service " + placementService + ") was unable to place a task because no container instance met all of its requirements. Reason: "
		svc := waitService(t, env.ns, placementService, 0, "reporting the unplaced tasks", func(s *ecsv1.ECSService) bool {
			return s.Status.RunningCount == int32(len(env.nodes)) && s.Status.PendingCount == 2 &&
				slices.ContainsFunc(s.Status.Events, func(e ecsv1.ServiceEvent) bool { return strings.HasPrefix(e.Message, unplaced) })
		})
		for _, e := range svc.Status.Events {
			if reason, ok := strings.CutPrefix(e.Message, unplaced); ok {
				t.Logf("service event: %s", e.Message)
				if !strings.Contains(reason, "didn't match pod anti-affinity rules") {
					t.Errorf("service event %q does not give the anti-affinity as the reason", e.Message)
				}
			}
		}
		if ready := meta.FindStatusCondition(svc.Status.Conditions, ecsv1.ConditionReady); ready == nil || ready.Status != metav1.ConditionFalse {
			t.Errorf("Ready condition with unplaced tasks = %+v, want False", ready)
		}
		framework.Eventually(t, 0, "Kubernetes Event UnableToPlaceTask on the ECSService", func(ctx context.Context) (bool, string, error) {
			var events corev1.EventList
			err := cluster.Client.List(ctx, &events, client.InNamespace(env.ns), client.MatchingFieldsSelector{
				Selector: fields.SelectorFromSet(fields.Set{"involvedObject.kind": "ECSService", "reason": "UnableToPlaceTask"}),
			})
			for _, e := range events.Items {
				if e.Type == corev1.EventTypeWarning && strings.HasPrefix(e.Message, unplaced) {
					return true, e.Message, err
				}
			}
			return false, fmt.Sprintf("%d events", len(events.Items)), err
		})
		// describe-clusters counts: the cluster's instances are the twelve
		// nodes of its EC2 capacity provider.
		framework.Eventually(t, 0, "ECSCluster counts", func(ctx context.Context) (bool, string, error) {
			var c ecsv1.ECSCluster
			if err := cluster.Client.Get(ctx, client.ObjectKey{Name: env.ns}, &c); err != nil {
				return false, "", err
			}
			s := c.Status
			return s.RegisteredContainerInstancesCount == int32(len(env.nodes)) && s.RunningTasksCount == int32(len(env.nodes)) &&
				s.PendingTasksCount == 2 && s.ActiveServicesCount == 1, fmt.Sprintf("%+v", s), nil
		})
	})

	t.Run("member-of", func(t *testing.T) {
		t.Parallel()
		env := newPlacementEnv(t)
		// The memberof-regex-zone scenario of internal/placement/testdata.
		const regex = "m5.*"
		zones := []string{framework.Zones[0], framework.Zones[1]}
		env.run(t, smallTask(), ecsv1.ECSServiceSpec{
			DesiredCount: ptr.To[int32](4),
			PlacementConstraints: []ecsv1.PlacementConstraint{
				{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.instance-type =~ " + regex)},
				{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.availability-zone in [" + strings.Join(zones, ", ") + "]")},
			},
		})
		matches := regexp.MustCompile(`^(?:` + regex + `)$`)
		eligible := func(n corev1.Node) bool {
			return matches.MatchString(n.Labels[framework.LabelInstanceType]) && slices.Contains(zones, n.Labels[framework.LabelZone])
		}
		env.checkOnly(t, env.waitSteady(t, 4), "m5.* instances in "+strings.Join(zones, ", "), eligible)
		// =~ has no Kubernetes operator: the pattern is expanded against
		// the label values of the cluster's nodes as they are now.
		env.waitInstanceTypesExpanded(t, regex)

		// A new instance type matching the pattern joins the cluster: the
		// operator expands the pattern again and tasks may run there too.
		// (Only the label matters to placement; the node has the capacity
		// of an m5.xlarge.)
		added := env.addNode(t, zones[1], "m5.xlarge", map[string]string{framework.LabelInstanceType: "m5.2xlarge"})
		env.waitInstanceTypesExpanded(t, regex)
		env.checkOnly(t, env.waitSteady(t, 4), "m5.* instances in "+strings.Join(zones, ", ")+" including "+added, eligible)
	})

	t.Run("binpack", func(t *testing.T) {
		t.Parallel()
		env := newPlacementEnv(t)
		// One vCPU per task: three fit in the 3920m of any node, so six
		// tasks need two nodes at least.
		task := smallTask()
		task.ContainerDefinitions[0].CPU = ptr.To[int32](1024)
		task.ContainerDefinitions[0].Memory = ptr.To[int32](1024)
		env.run(t, task, ecsv1.ECSServiceSpec{
			DesiredCount:      ptr.To[int32](6),
			PlacementStrategy: []ecsv1.PlacementStrategy{{Type: ptr.To("binpack"), Field: ptr.To("memory")}},
		})
		pods := env.waitSteady(t, 6)
		for _, p := range pods {
			if p.Spec.SchedulerName != framework.SchedulerBinpackMemory {
				t.Errorf("task %s scheduled by %q, want the cluster's binpackSchedulerNames.memory %q", p.Name, p.Spec.SchedulerName, framework.SchedulerBinpackMemory)
			}
		}
		perNode := env.countBy(t, pods, framework.LabelHostname)
		if got := slices.Sorted(maps.Values(perNode)); !slices.Equal(got, []int{3, 3}) {
			t.Errorf("tasks per instance = %v, want two full instances (3 and 3)", perNode)
		}
		// ECS binpack on memory picks the instance with the least
		// available memory: the 8 GiB c5/c6g before the 16 GiB m5/m6g.
		env.checkOnly(t, pods, "8 GiB instances", func(n corev1.Node) bool {
			return strings.HasPrefix(n.Labels[framework.LabelInstanceType], "c")
		})
	})

	t.Run("arm64", func(t *testing.T) {
		t.Parallel()
		env := newPlacementEnv(t)
		task := smallTask()
		task.RuntimePlatform = &ecsv1.RuntimePlatform{CPUArchitecture: ptr.To("ARM64"), OperatingSystemFamily: ptr.To("LINUX")}
		env.run(t, task, ecsv1.ECSServiceSpec{DesiredCount: ptr.To[int32](6)})
		env.checkOnly(t, env.waitSteady(t, 6), "arm64 instances", func(n corev1.Node) bool {
			return n.Labels[framework.LabelArch] == "arm64" && n.Status.NodeInfo.Architecture == "arm64"
		})
	})
}

// placementNodesLabel marks the fake nodes of one subtest; the value is
// its namespace. framework.CreateNodes labels each call's nodes with a
// value of their own, and the fixture needs one call per zone and
// instance type, hence a label for all twelve.
const placementNodesLabel = "ecs-operator.dev/e2e-placement"

// placementEnv is one subtest's namespace, its fake nodes and the
// ECSCluster (named like the namespace) whose tasks run only there.
type placementEnv struct {
	ns    string
	nodes map[string]corev1.Node
}

func newPlacementEnv(t *testing.T) *placementEnv {
	t.Helper()
	env := &placementEnv{ns: cluster.Namespace(t), nodes: map[string]corev1.Node{}}
	for _, zone := range framework.Zones {
		for _, instanceType := range slices.Sorted(maps.Keys(framework.InstanceTypes)) {
			env.addNode(t, zone, instanceType, nil)
		}
	}
	ecsCluster := &ecsv1.ECSCluster{
		ObjectMeta: metav1.ObjectMeta{Name: env.ns},
		Spec: ecsv1.ECSClusterSpec{
			CapacityProviders: []ecsv1.CapacityProvider{{
				Name:         "EC2",
				NodeSelector: map[string]string{placementNodesLabel: env.ns},
				Tolerations:  []corev1.Toleration{framework.IsolationToleration(env.ns)},
			}},
			// The test bed's MostAllocated profiles (hack/cluster/scheduler-config.yaml).
			BinpackSchedulerName: framework.SchedulerBinpack,
			BinpackSchedulerNames: &ecsv1.BinpackSchedulerNames{
				CPU:    framework.SchedulerBinpackCPU,
				Memory: framework.SchedulerBinpackMemory,
			},
		},
	}
	create(t, ecsCluster)
	t.Cleanup(func() {
		if err := cluster.Client.Delete(context.Background(), ecsCluster); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting ECSCluster %s: %v", ecsCluster.Name, err)
		}
	})
	return env
}

// addNode adds a fake node of the instance type in the zone, with extra
// labels, and returns its name.
func (e *placementEnv) addNode(t *testing.T, zone, instanceType string, labels map[string]string) string {
	t.Helper()
	nodeLabels := map[string]string{placementNodesLabel: e.ns}
	maps.Copy(nodeLabels, labels)
	// "<namespace>-1a-m6g", "-N" added for a second node of the kind:
	// CreateNodes uses it as a label value too (at most 63 characters),
	// which the short subtest names keep it to.
	family, _, _ := strings.Cut(instanceType, ".")
	prefix := fmt.Sprintf("%s-%s-%s", e.ns, zone[len(zone)-2:], family)
	if _, taken := e.nodes[prefix+"-0"]; taken {
		prefix = fmt.Sprintf("%s-%d", prefix, len(e.nodes))
	}
	name := cluster.CreateNodes(t, prefix, 1, framework.NodeOptions{
		InstanceType: instanceType, Zone: zone, Labels: nodeLabels,
		Taints: []corev1.Taint{framework.IsolationTaint(e.ns)},
	})[0]
	var n corev1.Node
	if err := cluster.Client.Get(t.Context(), client.ObjectKey{Name: name}, &n); err != nil {
		t.Fatal(err)
	}
	e.nodes[name] = n
	return name
}

// selector selects the pods of the subtest's service.
func (e *placementEnv) selector() map[string]string {
	return map[string]string{ecsv1.LabelService: placementService}
}

// placementService is the ECS service (and task definition family) each
// subtest runs.
const placementService = "web"

// run registers the task definition and creates the service in the
// subtest's ECSCluster.
func (e *placementEnv) run(t *testing.T, task ecsv1.TaskDefinitionSpec, svc ecsv1.ECSServiceSpec) {
	t.Helper()
	task.Family = ptr.To(placementService)
	create(t, &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: placementService}, Spec: task})
	svc.TaskDefinition = placementService
	svc.Cluster = ptr.To(e.ns)
	create(t, &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: placementService}, Spec: svc})
}

// waitSteady waits until the service's Deployment has rolled out its
// current pod template and the service is Ready with every task running,
// and returns the pods.
func (e *placementEnv) waitSteady(t *testing.T, desired int) []corev1.Pod {
	t.Helper()
	cluster.WaitDeploymentAvailable(t, e.ns, placementService)
	waitService(t, e.ns, placementService, 0, fmt.Sprintf("ready with %d tasks running", desired), func(s *ecsv1.ECSService) bool {
		return serviceReady(s) && s.Status.RunningCount == int32(desired)
	})
	return cluster.WaitPodsScheduled(t, e.ns, e.selector(), desired)
}

// countBy counts scheduled pods by a label of their node, failing for a
// pod on a node that is not the subtest's.
func (e *placementEnv) countBy(t *testing.T, pods []corev1.Pod, label string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, p := range pods {
		if p.Spec.NodeName == "" {
			continue
		}
		n, ok := e.nodes[p.Spec.NodeName]
		if !ok {
			t.Errorf("task %s runs on %s, not on a node of cluster %s", p.Name, p.Spec.NodeName, e.ns)
			continue
		}
		counts[n.Labels[label]]++
	}
	return counts
}

// smallTask is one container whose tasks fit by the dozen on any node.
func smallTask() ecsv1.TaskDefinitionSpec {
	return ecsv1.TaskDefinitionSpec{
		NetworkMode: ptr.To("awsvpc"),
		ContainerDefinitions: []ecsv1.ContainerDefinition{{
			Name: "app", Image: "public.ecr.aws/nginx/nginx:1.27", CPU: ptr.To[int32](256), Memory: ptr.To[int32](512),
		}},
	}
}

// waitScheduled waits until count of the service's pods are bound to a
// node (others may stay pending) and returns those.
func (e *placementEnv) waitScheduled(t *testing.T, count int) []corev1.Pod {
	t.Helper()
	var scheduled []corev1.Pod
	framework.Eventually(t, 0, fmt.Sprintf("%d tasks placed", count), func(ctx context.Context) (bool, string, error) {
		pods, err := cluster.Pods(ctx, e.ns, e.selector())
		scheduled = slices.DeleteFunc(pods, func(p corev1.Pod) bool { return p.Spec.NodeName == "" })
		return len(scheduled) == count, fmt.Sprintf("%d of %d placed", len(scheduled), len(pods)), err
	})
	return scheduled
}

// checkOnly fails for every pod placed on a node that does not satisfy
// eligible (described by what).
func (e *placementEnv) checkOnly(t *testing.T, pods []corev1.Pod, what string, eligible func(corev1.Node) bool) {
	t.Helper()
	for _, p := range pods {
		n, ok := e.nodes[p.Spec.NodeName]
		switch {
		case !ok:
			t.Errorf("task %s runs on %q, not on a node of cluster %s", p.Name, p.Spec.NodeName, e.ns)
		case !eligible(n):
			t.Errorf("task %s runs on %s (%s %s %s), want only %s", p.Name, n.Name,
				n.Labels[framework.LabelZone], n.Labels[framework.LabelInstanceType], n.Labels[framework.LabelArch], what)
		}
	}
}

// waitInstanceTypesExpanded waits until the service's pod template
// requires exactly the instance types of the cluster's current nodes
// that match pattern, and checks that the service warns about the
// expansion.
func (e *placementEnv) waitInstanceTypesExpanded(t *testing.T, pattern string) {
	t.Helper()
	re := regexp.MustCompile(`^(?:` + pattern + `)$`)
	framework.Eventually(t, 0, "=~ "+pattern+" expanded against the nodes", func(ctx context.Context) (bool, string, error) {
		var nodes corev1.NodeList
		if err := cluster.Client.List(ctx, &nodes); err != nil {
			return false, "", err
		}
		want := slices.DeleteFunc(placement.InventoryFromNodes(nodes.Items)[framework.LabelInstanceType], func(v string) bool { return !re.MatchString(v) })
		var d appsv1.Deployment
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: e.ns, Name: placementService}, &d); err != nil {
			return false, "", err
		}
		got := requiredValues(d.Spec.Template.Spec.Affinity, framework.LabelInstanceType)
		return slices.Equal(got, want), fmt.Sprintf("pod template requires %s in %v, nodes have %v", framework.LabelInstanceType, got, want), nil
	})
	var svc ecsv1.ECSService
	if err := cluster.Client.Get(t.Context(), client.ObjectKey{Namespace: e.ns, Name: placementService}, &svc); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(svc.Status.Warnings, func(w ecsv1.TranslationWarning) bool {
		return w.Field == "placementConstraints[0].expression" && strings.Contains(w.Reason, "expanded to")
	}) {
		t.Errorf("service warnings %+v, want one for the expansion of placementConstraints[0]", svc.Status.Warnings)
	}
}

// requiredValues are the values of the In requirement on key that every
// required node selector term has; nil unless all terms agree.
func requiredValues(a *corev1.Affinity, key string) []string {
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	var values []string
	for i, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		j := slices.IndexFunc(term.MatchExpressions, func(r corev1.NodeSelectorRequirement) bool {
			return r.Key == key && r.Operator == corev1.NodeSelectorOpIn
		})
		if j < 0 {
			return nil
		}
		if i == 0 {
			values = term.MatchExpressions[j].Values
		} else if !slices.Equal(values, term.MatchExpressions[j].Values) {
			return nil
		}
	}
	return values
}
