package framework

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultTimeout bounds every wait: long enough for a loaded 2-core
// machine, short enough to fail a stuck test well before go test's timeout.
// It is a failure bound, not a speed target.
const DefaultTimeout = 2 * time.Minute

// E2ELabel marks namespaces the tests create.
const E2ELabel = "ecs-operator.dev/e2e"

// Namespace creates a namespace for the test, named after it, and deletes
// it (without waiting) when the test ends, unless E2E_KEEP_NAMESPACES=1.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   namespaceName(t.Name(), rand.Text()),
		Labels: map[string]string{E2ELabel: "true"},
	}}
	if err := c.Client.Create(t.Context(), ns); err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	t.Cleanup(func() {
		if os.Getenv("E2E_KEEP_NAMESPACES") == "1" {
			t.Logf("keeping namespace %s", ns.Name)
			return
		}
		// t.Context() is already cancelled in cleanups.
		if err := c.Client.Delete(context.Background(), ns); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting namespace %s: %v", ns.Name, err)
		}
	})
	return ns.Name
}

var notDNSLabel = regexp.MustCompile(`[^a-z0-9]+`)

// namespaceName is "e2e-<test name>-<5 random chars>", a DNS label.
func namespaceName(testName, random string) string {
	name := strings.Trim(notDNSLabel.ReplaceAllString(strings.ToLower(testName), "-"), "-")
	if len(name) > 46 {
		name = strings.TrimRight(name[:46], "-")
	}
	suffix := strings.ToLower(random)
	suffix = notDNSLabel.ReplaceAllString(suffix, "")
	if len(suffix) > 5 {
		suffix = suffix[:5]
	}
	return "e2e-" + name + "-" + suffix
}

// Eventually polls condition every 200 ms until it returns true, and fails
// the test after timeout (DefaultTimeout when 0). condition returns a
// description of the state it saw; the last one is in the failure message.
func Eventually(t testing.TB, timeout time.Duration, what string, condition func(ctx context.Context) (done bool, state string, err error)) {
	t.Helper()
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	var last string
	var lastErr error
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		done, state, err := condition(ctx)
		last, lastErr = state, err
		return done && err == nil, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v; last state: %s (error: %v)", what, err, last, lastErr)
	}
}

// WaitDeploymentAvailable waits until DeploymentAvailable holds.
func (c *Cluster) WaitDeploymentAvailable(t testing.TB, namespace, name string) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	Eventually(t, 0, fmt.Sprintf("Deployment %s/%s available", namespace, name), func(ctx context.Context) (bool, string, error) {
		if err := c.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d); err != nil {
			return false, "", err
		}
		s := d.Status
		state := fmt.Sprintf("generation %d observed %d, replicas %d updated %d available %d (want %d)",
			d.Generation, s.ObservedGeneration, s.Replicas, s.UpdatedReplicas, s.AvailableReplicas, desiredReplicas(&d))
		return DeploymentAvailable(&d), state, nil
	})
	return &d
}

// DeploymentAvailable reports whether the Deployment's latest generation is
// rolled out: every replica updated and available.
func DeploymentAvailable(d *appsv1.Deployment) bool {
	want := desiredReplicas(d)
	s := d.Status
	if s.ObservedGeneration < d.Generation || s.Replicas != want || s.UpdatedReplicas != want || s.AvailableReplicas != want {
		return false
	}
	for _, c := range s.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func desiredReplicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas != nil {
		return *d.Spec.Replicas
	}
	return 1
}

// Pods lists the pods in namespace matching the label selector.
func (c *Cluster) Pods(ctx context.Context, namespace string, selector map[string]string) ([]corev1.Pod, error) {
	var pods corev1.PodList
	if err := c.Client.List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels(selector)); err != nil {
		return nil, err
	}
	return pods.Items, nil
}

// WaitPodsScheduled waits until count pods match the selector, all bound to
// a node, and returns them.
func (c *Cluster) WaitPodsScheduled(t testing.TB, namespace string, selector map[string]string, count int) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	Eventually(t, 0, fmt.Sprintf("%d pods %v scheduled in %s", count, selector, namespace), func(ctx context.Context) (bool, string, error) {
		var err error
		if pods, err = c.Pods(ctx, namespace, selector); err != nil {
			return false, "", err
		}
		scheduled := 0
		for _, p := range pods {
			if p.Spec.NodeName != "" {
				scheduled++
			}
		}
		return len(pods) == count && scheduled == count, fmt.Sprintf("%d pods, %d scheduled", len(pods), scheduled), nil
	})
	return pods
}

// PodsPerNodeLabel counts the scheduled pods matching the selector by the
// value of a label of their node (topology.kubernetes.io/zone,
// kubernetes.io/hostname, ...). Nodes without the label count under "".
func (c *Cluster) PodsPerNodeLabel(ctx context.Context, namespace string, selector map[string]string, label string) (map[string]int, error) {
	pods, err := c.Pods(ctx, namespace, selector)
	if err != nil {
		return nil, err
	}
	var nodes corev1.NodeList
	if err := c.Client.List(ctx, &nodes); err != nil {
		return nil, err
	}
	values := make(map[string]string, len(nodes.Items))
	for _, n := range nodes.Items {
		values[n.Name] = n.Labels[label]
	}
	counts := map[string]int{}
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			counts[values[p.Spec.NodeName]]++
		}
	}
	return counts, nil
}

// PendingPod is a pod the scheduler could not place.
type PendingPod struct {
	Name string
	// Reason is the scheduler's latest FailedScheduling message (e.g.
	// "0/12 nodes are available: 12 Insufficient cpu. ..."), or the
	// PodScheduled condition's message before the event is recorded.
	Reason string
}

// PendingPods returns the unscheduled pods matching the selector with the
// scheduler's reason, sorted by name.
func (c *Cluster) PendingPods(ctx context.Context, namespace string, selector map[string]string) ([]PendingPod, error) {
	pods, err := c.Pods(ctx, namespace, selector)
	if err != nil {
		return nil, err
	}
	var events corev1.EventList
	err = c.Client.List(ctx, &events, client.InNamespace(namespace), client.MatchingFieldsSelector{
		Selector: fields.SelectorFromSet(fields.Set{"involvedObject.kind": "Pod", "reason": "FailedScheduling"}),
	})
	if err != nil {
		return nil, err
	}
	latest := map[string]corev1.Event{}
	for _, e := range events.Items {
		if prev, ok := latest[e.InvolvedObject.Name]; !ok || eventTime(e).After(eventTime(prev)) {
			latest[e.InvolvedObject.Name] = e
		}
	}
	var pending []PendingPod
	for _, p := range pods {
		if p.Spec.NodeName != "" || p.DeletionTimestamp != nil {
			continue
		}
		reason := ""
		if e, ok := latest[p.Name]; ok && e.InvolvedObject.UID == p.UID {
			reason = e.Message
		} else {
			for _, cond := range p.Status.Conditions {
				if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse {
					reason = cond.Message
				}
			}
		}
		pending = append(pending, PendingPod{Name: p.Name, Reason: reason})
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Name < pending[j].Name })
	return pending, nil
}

// eventTime is when the event last happened, whichever API wrote it.
func eventTime(e corev1.Event) time.Time {
	switch {
	case e.Series != nil:
		return e.Series.LastObservedTime.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	default:
		return e.LastTimestamp.Time
	}
}

// WaitPendingPods waits until count pods matching the selector are
// unschedulable with a reason and returns them.
func (c *Cluster) WaitPendingPods(t testing.TB, namespace string, selector map[string]string, count int) []PendingPod {
	t.Helper()
	var pending []PendingPod
	Eventually(t, 0, fmt.Sprintf("%d pods %v pending with a reason in %s", count, selector, namespace), func(ctx context.Context) (bool, string, error) {
		var err error
		if pending, err = c.PendingPods(ctx, namespace, selector); err != nil {
			return false, "", err
		}
		withReason := 0
		for _, p := range pending {
			if p.Reason != "" {
				withReason++
			}
		}
		return len(pending) == count && withReason == count, fmt.Sprintf("%d pending, %d with a reason", len(pending), withReason), nil
	})
	return pending
}
