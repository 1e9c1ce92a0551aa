package framework

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// NodeOptions describe extra fake nodes for one test.
type NodeOptions struct {
	// InstanceType is one of InstanceTypes (default m5.xlarge); it sets
	// the architecture, capacity and allocatable.
	InstanceType string
	// Zone is one of Zones (default the first).
	Zone string
	// Labels are added to the test bed's labels.
	Labels map[string]string
	// Taints keep other tests' pods off the nodes.
	Taints []corev1.Taint
}

// CreateNodes adds count fake nodes named "<namespace>-<i>", labelled like
// the test bed's plus opts.Labels and IsolationLabel=namespace, waits until
// kwok reports them Ready, and deletes them when the test ends. Tests that
// count pods per node use their own nodes (with a taint and a matching
// toleration and nodeSelector) so pods of other tests cannot skew them.
func (c *Cluster) CreateNodes(t testing.TB, namespace string, count int, opts NodeOptions) []string {
	t.Helper()
	if opts.InstanceType == "" {
		opts.InstanceType = "m5.xlarge"
	}
	if opts.Zone == "" {
		opts.Zone = Zones[0]
	}
	res, ok := instanceResources[opts.InstanceType]
	if !ok {
		t.Fatalf("instance type %q is not one of the test bed's", opts.InstanceType)
	}
	var names []string
	for i := range count {
		name := fmt.Sprintf("%s-%d", namespace, i)
		labels := map[string]string{
			"type":            "kwok",
			IsolationLabel:    namespace,
			LabelHostname:     name,
			LabelOS:           "linux",
			LabelArch:         InstanceTypes[opts.InstanceType],
			LabelInstanceType: opts.InstanceType,
			LabelZone:         opts.Zone,
			LabelRegion:       strings.TrimRight(opts.Zone, "abcdefghijklmnopqrstuvwxyz"),
			LabelNodegroup:    strings.ReplaceAll(opts.InstanceType, ".", "-"),
		}
		maps.Copy(labels, opts.Labels)
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        name,
				Labels:      labels,
				Annotations: map[string]string{KwokNodeAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"},
			},
			Spec: corev1.NodeSpec{Taints: opts.Taints},
			Status: corev1.NodeStatus{
				Capacity: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse(res.cpu),
					corev1.ResourceMemory: resource.MustParse(res.memory),
					corev1.ResourcePods:   resource.MustParse(res.pods),
				},
				Allocatable: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse(res.allocatableCPU),
					corev1.ResourceMemory: resource.MustParse(res.allocatableMemory),
					corev1.ResourcePods:   resource.MustParse(res.pods),
				},
				NodeInfo: corev1.NodeSystemInfo{Architecture: labels[LabelArch], OperatingSystem: "linux"},
			},
		}
		if err := c.Client.Create(t.Context(), node); err != nil {
			t.Fatalf("creating node %s: %v", name, err)
		}
		names = append(names, name)
		t.Cleanup(func() {
			if err := c.Client.Delete(context.Background(), node); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting node %s: %v", name, err)
			}
		})
	}
	// Ready, and untainted by the node lifecycle controller: a new node
	// carries node.kubernetes.io/not-ready until that controller sees it
	// Ready, which on a loaded machine comes seconds after kwok reports it.
	Eventually(t, 0, fmt.Sprintf("%d nodes %s=%s Ready and schedulable", count, IsolationLabel, namespace), func(ctx context.Context) (bool, string, error) {
		var nodes corev1.NodeList
		if err := c.Client.List(ctx, &nodes, client.MatchingLabels{IsolationLabel: namespace}); err != nil {
			return false, "", err
		}
		ready := 0
		for _, n := range nodes.Items {
			if nodeReady(&n) && !slices.ContainsFunc(n.Spec.Taints, lifecycleTaint) {
				ready++
			}
		}
		return ready == count, fmt.Sprintf("%d of %d Ready and schedulable", ready, len(nodes.Items)), nil
	})
	return names
}

// IsolationLabel marks the nodes CreateNodes adds; its value is the test's
// namespace.
const IsolationLabel = "ecs-operator.dev/e2e-nodes"

// IsolationTaint keeps pods without the matching toleration off the nodes
// of one test: pass it in NodeOptions.Taints and IsolationToleration in the
// pods.
func IsolationTaint(namespace string) corev1.Taint {
	return corev1.Taint{Key: IsolationLabel, Value: namespace, Effect: corev1.TaintEffectNoSchedule}
}

// IsolationToleration tolerates IsolationTaint(namespace).
func IsolationToleration(namespace string) corev1.Toleration {
	return corev1.Toleration{Key: IsolationLabel, Operator: corev1.TolerationOpEqual, Value: namespace, Effect: corev1.TaintEffectNoSchedule}
}

func nodeReady(n *corev1.Node) bool {
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// lifecycleTaint reports the taints the node lifecycle controller puts on
// nodes that are not (yet) Ready.
func lifecycleTaint(t corev1.Taint) bool {
	return t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable
}
