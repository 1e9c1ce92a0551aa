//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// These tests prove the test bed itself: the fake nodes, the real
// scheduler's profiles, the failing-pod Stages, kubectl, CRD installation
// and the operator runner. Feature tests build on all of them.

func TestTestbedNodes(t *testing.T) {
	// The test bed's nodes, not those tests add for themselves.
	selector, err := labels.Parse("type=kwok,!" + framework.IsolationLabel)
	if err != nil {
		t.Fatal(err)
	}
	var nodes corev1.NodeList
	if err := cluster.Client.List(t.Context(), &nodes, client.MatchingLabelsSelector{Selector: selector}); err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) < 12 {
		t.Fatalf("%d fake nodes, want at least 12", len(nodes.Items))
	}
	perCombo := map[string]int{}
	for _, n := range nodes.Items {
		l := n.Labels
		zone, itype := l[framework.LabelZone], l[framework.LabelInstanceType]
		perCombo[zone+" "+itype]++
		if !slices.Contains(framework.Zones, zone) {
			t.Errorf("%s: zone %q, want one of %v", n.Name, zone, framework.Zones)
		}
		arch, ok := framework.InstanceTypes[itype]
		if !ok {
			t.Errorf("%s: instance type %q, want one of %v", n.Name, itype, slices.Sorted(maps.Keys(framework.InstanceTypes)))
		}
		want := map[string]string{
			framework.LabelArch:      arch,
			framework.LabelOS:        "linux",
			framework.LabelHostname:  n.Name,
			framework.LabelRegion:    "us-east-1",
			framework.LabelNodegroup: strings.ReplaceAll(itype, ".", "-"),
		}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("%s: label %s=%q, want %q", n.Name, k, l[k], v)
			}
		}
		if n.Status.NodeInfo.Architecture != arch {
			t.Errorf("%s: nodeInfo.architecture %q, want %q", n.Name, n.Status.NodeInfo.Architecture, arch)
		}
		if !nodeReady(n) {
			t.Errorf("%s is not Ready", n.Name)
		}
		// xlarge: 4 vCPUs; m: 4 GiB per vCPU, c: 2 GiB per vCPU. Allocatable
		// keeps what the EKS AMI reserves for the system out.
		wantMem := map[byte]string{'m': "16Gi", 'c': "8Gi"}[itype[0]]
		checkQuantity(t, n.Name+" capacity cpu", n.Status.Capacity[corev1.ResourceCPU], "4")
		checkQuantity(t, n.Name+" capacity memory", n.Status.Capacity[corev1.ResourceMemory], wantMem)
		checkQuantity(t, n.Name+" allocatable cpu", n.Status.Allocatable[corev1.ResourceCPU], "3920m")
		checkQuantity(t, n.Name+" allocatable pods", n.Status.Allocatable[corev1.ResourcePods], "58")
		if n.Status.Allocatable.Memory().Cmp(*n.Status.Capacity.Memory()) >= 0 {
			t.Errorf("%s: allocatable memory %s not below capacity %s", n.Name, n.Status.Allocatable.Memory(), n.Status.Capacity.Memory())
		}
	}
	// Every zone has every instance type, equally often.
	counts := slices.Collect(maps.Values(perCombo))
	if len(perCombo) != len(framework.Zones)*len(framework.InstanceTypes) || slices.Max(counts)-slices.Min(counts) > 1 {
		t.Errorf("nodes per zone and instance type: %v, want every combination of %v and %v equally often",
			perCombo, framework.Zones, slices.Sorted(maps.Keys(framework.InstanceTypes)))
	}
}

func nodeReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func checkQuantity(t *testing.T, what string, got resource.Quantity, want string) {
	t.Helper()
	if got.Cmp(resource.MustParse(want)) != 0 {
		t.Errorf("%s = %s, want %s", what, got.String(), want)
	}
}

// deployment is a Deployment of replicas pods labelled app=name.
func deployment(ns, name string, replicas int32, image string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "app", Image: image}},
				},
			},
		},
	}
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := cluster.Client.Create(t.Context(), obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

func TestTestbedZoneSpread(t *testing.T) {
	ns := cluster.Namespace(t)
	d := deployment(ns, "web", 6, "public.ecr.aws/nginx/nginx:1.27")
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew:           1,
		TopologyKey:       framework.LabelZone,
		WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector:     d.Spec.Selector,
	}}
	create(t, d)
	cluster.WaitDeploymentAvailable(t, ns, "web")

	perZone, err := cluster.PodsPerNodeLabel(t.Context(), ns, map[string]string{"app": "web"}, framework.LabelZone)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, z := range framework.Zones {
		want[z] = 2
	}
	if !maps.Equal(perZone, want) {
		t.Errorf("pods per zone = %v, want %v", perZone, want)
	}
}

func TestTestbedBinpack(t *testing.T) {
	for _, tc := range []struct {
		scheduler string
		nodesUsed int
	}{
		{framework.SchedulerBinpack, 1},
		{framework.SchedulerBinpackCPU, 1},
		{framework.SchedulerBinpackMemory, 1},
		// The contrast: the default profile prefers the emptier node.
		{"default-scheduler", 2},
	} {
		t.Run(tc.scheduler, func(t *testing.T) {
			ns := cluster.Namespace(t)
			// Two empty nodes of our own, so other tests' pods cannot skew
			// the placement.
			cluster.CreateNodes(t, ns, 2, framework.NodeOptions{Taints: []corev1.Taint{framework.IsolationTaint(ns)}})
			// 0.9 vCPU and 1 GiB each: four fit in the 3920m allocatable of
			// one 4-vCPU node.
			d := deployment(ns, "packed", 4, "public.ecr.aws/nginx/nginx:1.27")
			spec := &d.Spec.Template.Spec
			spec.SchedulerName = tc.scheduler
			spec.NodeSelector = map[string]string{framework.IsolationLabel: ns}
			spec.Tolerations = []corev1.Toleration{framework.IsolationToleration(ns)}
			spec.Containers[0].Resources.Requests = corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("900m"),
				corev1.ResourceMemory: resource.MustParse("1Gi"),
			}
			create(t, d)
			pods := cluster.WaitPodsScheduled(t, ns, map[string]string{"app": "packed"}, 4)

			perNode, err := cluster.PodsPerNodeLabel(t.Context(), ns, map[string]string{"app": "packed"}, framework.LabelHostname)
			if err != nil {
				t.Fatal(err)
			}
			if len(perNode) != tc.nodesUsed {
				t.Errorf("pods per node = %v, want the 4 pods on %d node(s)", perNode, tc.nodesUsed)
			}
			// The scheduler that bound them is the profile asked for.
			var events corev1.EventList
			err = cluster.Client.List(t.Context(), &events, client.InNamespace(ns), client.MatchingFieldsSelector{
				Selector: fields.SelectorFromSet(fields.Set{"involvedObject.name": pods[0].Name, "reason": "Scheduled"}),
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(events.Items) != 1 || events.Items[0].ReportingController != tc.scheduler {
				t.Errorf("Scheduled events of %s: %+v, want one reported by %s", pods[0].Name, events.Items, tc.scheduler)
			}
		})
	}
}

// TestTestbedPendingReason: a third replica that must not share a node
// with the other two stays Pending, and the scheduler's reason is readable.
func TestTestbedPendingReason(t *testing.T) {
	ns := cluster.Namespace(t)
	cluster.CreateNodes(t, ns, 2, framework.NodeOptions{Taints: []corev1.Taint{framework.IsolationTaint(ns)}})
	d := deployment(ns, "distinct", 3, "public.ecr.aws/nginx/nginx:1.27")
	spec := &d.Spec.Template.Spec
	spec.NodeSelector = map[string]string{framework.IsolationLabel: ns}
	spec.Tolerations = []corev1.Toleration{framework.IsolationToleration(ns)}
	spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: d.Spec.Selector,
			TopologyKey:   framework.LabelHostname,
		}},
	}}
	create(t, d)

	pending := cluster.WaitPendingPods(t, ns, map[string]string{"app": "distinct"}, 1)
	if !strings.Contains(pending[0].Reason, "didn't match pod anti-affinity rules") {
		t.Errorf("pending pod %s: reason %q, want the anti-affinity rule named", pending[0].Name, pending[0].Reason)
	}
	// The scheduler may report the third pod before both bindings land.
	framework.Eventually(t, 0, "one pod on each of the test's two nodes", func(ctx context.Context) (bool, string, error) {
		perNode, err := cluster.PodsPerNodeLabel(ctx, ns, map[string]string{"app": "distinct"}, framework.LabelHostname)
		return maps.Equal(perNode, map[string]int{ns + "-0": 1, ns + "-1": 1}), fmt.Sprintf("pods per node %v", perNode), err
	})
}

func TestTestbedFailingPods(t *testing.T) {
	ns := cluster.Namespace(t)

	crash := deployment(ns, "crash", 2, "public.ecr.aws/nginx/nginx:"+framework.CrashLoopImageTag)
	// Shortest deadline the circuit-breaker tests will rely on.
	crash.Spec.ProgressDeadlineSeconds = ptr.To[int32](5)
	create(t, crash)
	unready := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "unready"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "public.ecr.aws/nginx/nginx:" + framework.UnreadyImageTag},
			{Name: "sidecar", Image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"},
		}},
	}
	create(t, unready)
	healthy := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "healthy"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "public.ecr.aws/nginx/nginx:1.27"}}},
	}
	create(t, healthy)

	t.Run("crashloop", func(t *testing.T) {
		framework.Eventually(t, 0, "crashloop pods restarting", func(ctx context.Context) (bool, string, error) {
			pods, err := cluster.Pods(ctx, ns, map[string]string{"app": "crash"})
			if err != nil || len(pods) != 2 {
				return false, fmt.Sprintf("%d pods", len(pods)), err
			}
			var states []string
			done := true
			for _, p := range pods {
				ready := podCondition(p, corev1.PodReady)
				cs := p.Status.ContainerStatuses
				if len(cs) != 1 || cs[0].State.Waiting == nil {
					states = append(states, p.Name+": no waiting container")
					done = false
					continue
				}
				states = append(states, fmt.Sprintf("%s: phase %s ready %s/%s waiting %s restarts %d",
					p.Name, p.Status.Phase, ready.Status, ready.Reason, cs[0].State.Waiting.Reason, cs[0].RestartCount))
				done = done && p.Status.Phase == corev1.PodRunning && ready.Status == corev1.ConditionFalse &&
					ready.Reason == "ContainersNotReady" && cs[0].State.Waiting.Reason == "CrashLoopBackOff" &&
					!cs[0].Ready && cs[0].LastTerminationState.Terminated != nil && cs[0].RestartCount >= 2
			}
			return done, strings.Join(states, "; "), nil
		})
		// The Deployment controller gives up on the rollout, as the
		// circuit breaker needs.
		framework.Eventually(t, 0, "rollout past its progress deadline", func(ctx context.Context) (bool, string, error) {
			var d appsv1.Deployment
			if err := cluster.Client.Get(ctx, client.ObjectKeyFromObject(crash), &d); err != nil {
				return false, "", err
			}
			for _, c := range d.Status.Conditions {
				if c.Type == appsv1.DeploymentProgressing {
					return c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" && d.Status.AvailableReplicas == 0,
						fmt.Sprintf("Progressing=%s (%s), available %d", c.Status, c.Reason, d.Status.AvailableReplicas), nil
				}
			}
			return false, "no Progressing condition", nil
		})
		requireWarning(t, ns, "BackOff")
	})

	t.Run("unready", func(t *testing.T) {
		framework.Eventually(t, 0, "unready pod running but not ready", func(ctx context.Context) (bool, string, error) {
			var p corev1.Pod
			if err := cluster.Client.Get(ctx, client.ObjectKeyFromObject(unready), &p); err != nil {
				return false, "", err
			}
			ready := podCondition(p, corev1.PodReady)
			containerReady := map[string]bool{}
			for _, cs := range p.Status.ContainerStatuses {
				containerReady[cs.Name] = cs.Ready && cs.State.Running != nil
			}
			state := fmt.Sprintf("phase %s ready %s/%s containers ready %v", p.Status.Phase, ready.Status, ready.Reason, containerReady)
			return p.Status.Phase == corev1.PodRunning && ready.Status == corev1.ConditionFalse && ready.Reason == "ContainersNotReady" &&
				maps.Equal(containerReady, map[string]bool{"app": false, "sidecar": true}), state, nil
		})
		requireWarning(t, ns, "Unhealthy")
	})

	t.Run("healthy", func(t *testing.T) {
		framework.Eventually(t, 0, "healthy pod ready", func(ctx context.Context) (bool, string, error) {
			var p corev1.Pod
			if err := cluster.Client.Get(ctx, client.ObjectKeyFromObject(healthy), &p); err != nil {
				return false, "", err
			}
			ready := podCondition(p, corev1.PodReady)
			return ready.Status == corev1.ConditionTrue, fmt.Sprintf("phase %s ready %s", p.Status.Phase, ready.Status), nil
		})
	})
}

func podCondition(p corev1.Pod, t corev1.PodConditionType) corev1.PodCondition {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.PodCondition{Type: t, Status: corev1.ConditionUnknown}
}

// requireWarning waits for a Warning event with reason in the namespace.
func requireWarning(t *testing.T, ns, reason string) {
	t.Helper()
	framework.Eventually(t, 0, "Warning event "+reason, func(ctx context.Context) (bool, string, error) {
		var events corev1.EventList
		err := cluster.Client.List(ctx, &events, client.InNamespace(ns), client.MatchingFieldsSelector{
			Selector: fields.SelectorFromSet(fields.Set{"type": corev1.EventTypeWarning, "reason": reason}),
		})
		return len(events.Items) > 0, fmt.Sprintf("%d events", len(events.Items)), err
	})
}

func TestTestbedKubectl(t *testing.T) {
	out, err := cluster.Kubectl(t.Context(), "version", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var version struct {
		ClientVersion, ServerVersion struct{ GitVersion string }
	}
	if err := json.Unmarshal([]byte(out), &version); err != nil {
		t.Fatalf("kubectl version -o json: %v\n%s", err, out)
	}
	if version.ClientVersion.GitVersion != "v1.37.2" || version.ServerVersion.GitVersion != "v1.37.2" {
		t.Errorf("kubectl %s against server %s, want v1.37.2 for both", version.ClientVersion.GitVersion, version.ServerVersion.GitVersion)
	}

	out, err = cluster.Kubectl(t.Context(), "get", "nodes", "-l", "type=kwok", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(out)); n < 12 {
		t.Errorf("kubectl get nodes: %d nodes, want at least 12:\n%s", n, out)
	}
}

func TestTestbedCRDs(t *testing.T) {
	if err := cluster.InstallOperatorCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	out, err := cluster.Kubectl(t.Context(), "api-resources", "--categories=ecs", "-o", "name")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ecsclusters.ecs.operator.dev", "ecsservices.ecs.operator.dev", "taskdefinitions.ecs.operator.dev"}
	if got := slices.Sorted(slices.Values(strings.Fields(out))); !slices.Equal(got, want) {
		t.Errorf("kubectl api-resources --categories=ecs = %v, want %v", got, want)
	}
	if _, err := cluster.Kubectl(t.Context(), "get", "ecs", "-A"); err != nil {
		t.Error(err)
	}

	// The External Secrets CRDs exceed client-side apply's annotation limit.
	err = cluster.InstallIntegrationCRDs(t.Context())
	if errors.Is(err, testenv.ErrNoShared) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, resource := range []string{"externalsecrets.external-secrets.io", "targetgroupbindings.elbv2.k8s.aws",
		"podidentityassociations.eks.services.k8s.aws", "securitygrouppolicies.vpcresources.k8s.aws", "scaledobjects.keda.sh"} {
		if _, err := cluster.Kubectl(t.Context(), "get", resource, "-A"); err != nil {
			t.Error(err)
		}
	}
}

// TestTestbedOperatorKill runs the operator binary, kills it with SIGKILL
// and restarts it: the successor takes the leader election lease over once
// the dead leader's lease expires.
func TestTestbedOperatorKill(t *testing.T) {
	if err := cluster.InstallOperatorCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	ns := cluster.Namespace(t)
	op := cluster.RunOperator(t, framework.OperatorOptions{Args: []string{
		"--leader-elect", "--leader-election-namespace=" + ns,
		"--metrics-bind-address=0", "--health-probe-bind-address=0",
	}})
	const acquired = "acquired lease"
	op.WaitLog(t, 0, acquired)

	pid := op.Pid()
	if err := op.Kill(); err != nil {
		t.Fatal(err)
	}
	if op.Running() {
		t.Fatalf("operator (pid %d) still running after SIGKILL", pid)
	}
	if err := op.Start(); err != nil {
		t.Fatal(err)
	}
	if op.Pid() == pid {
		t.Fatalf("restarted operator has the old pid %d", pid)
	}
	framework.Eventually(t, time.Minute, "lease acquired again", func(context.Context) (bool, string, error) {
		n := strings.Count(op.Logs(), acquired)
		return n == 2, fmt.Sprintf("%d acquisitions", n), nil
	})
}

// TestTestbedAPIServerRestart kills the API server and checks that it comes
// back and that the cluster works afterwards: the scheduler and controller
// manager outlive the outage (no leader election to lose) and still place
// and run pods.
func TestTestbedAPIServerRestart(t *testing.T) {
	if cluster.Name == "" {
		t.Skip("not a hack/cluster.sh cluster")
	}
	if err := cluster.RestartComponent(t.Context(), "kube-apiserver", "KILL"); err != nil {
		t.Fatal(err)
	}
	ns := cluster.Namespace(t)
	create(t, deployment(ns, "after-restart", 2, "public.ecr.aws/nginx/nginx:1.27"))
	cluster.WaitDeploymentAvailable(t, ns, "after-restart")

	alive, err := cluster.Components()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"etcd": true, "kube-apiserver": true, "kube-controller-manager": true, "kube-scheduler": true, "kwok-controller": true}
	if !maps.Equal(alive, want) {
		t.Errorf("components alive after the API server restart: %v, want %v", alive, want)
	}
}
