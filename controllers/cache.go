package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// ConfigureManager sets the manager's cache and client up for the
// operator: informers hold only what the reconcilers read, and nothing
// more of it than they need. At a thousand services most of the
// operator's memory is informer caches, so this is where it is saved:
//
//   - every kind the operator creates is cached only when it carries
//     app.kubernetes.io/managed-by=ecs-operator (the Deployments, Services
//     and Pods of other workloads are never listed);
//   - managedFields, often the largest part of an object, are dropped;
//   - Pods keep only the status the counts and the circuit breaker read,
//     Nodes only their labels and Ready condition, Namespaces only labels;
//   - ControllerRevisions are cached as metadata; the revision snapshot
//     is read from the API server on the rare occasions it is needed.
//
// Lists the reconcilers only read (counts, pruning, mapping events to
// objects) pass client.UnsafeDisableDeepCopy: copying a thousand
// ECSServices for every cluster count would be most of the garbage.
//
// DefaultNamespaces set before the call (watched namespaces) are kept.
func ConfigureManager(opts *ctrl.Options) {
	managed := labels.SelectorFromSet(labels.Set{ecsv1.LabelManagedBy: ecsv1.ManagedByValue})
	servicePods, _ := labels.NewRequirement(ecsv1.LabelService, selection.Exists, nil)
	everything := labels.Everything()

	opts.Cache.DefaultLabelSelector = managed
	opts.Cache.DefaultTransform = cache.TransformStripManagedFields()
	opts.Cache.ByObject = map[client.Object]cache.ByObject{
		&ecsv1.ECSCluster{}:     {Label: everything},
		&ecsv1.TaskDefinition{}: {Label: everything},
		&ecsv1.ECSService{}:     {Label: everything},
		&corev1.Node{}:          {Label: everything, Transform: trimNode},
		&corev1.Namespace{}:     {Label: everything, Transform: trimNamespace},
		&corev1.Pod{}:           {Label: managed.Add(*servicePods), Transform: trimPod},
	}
	// Integration kinds (ExternalSecret, TargetGroupBinding, ...) are read
	// as unstructured objects; serve those reads from informers too.
	if opts.Client.Cache == nil {
		opts.Client.Cache = &client.CacheOptions{}
	}
	opts.Client.Cache.Unstructured = true
}

// trimPod keeps what runningCount, pendingCount, deployments[], the
// circuit breaker and "unable to place" events read.
func trimPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return tombstoneOr(obj, "Pod")
	}
	trimmed := &corev1.Pod{}
	trimmed.Name = pod.Name
	trimmed.Namespace = pod.Namespace
	trimmed.UID = pod.UID
	trimmed.ResourceVersion = pod.ResourceVersion
	trimmed.CreationTimestamp = pod.CreationTimestamp
	trimmed.DeletionTimestamp = pod.DeletionTimestamp
	trimmed.Labels = map[string]string{}
	for _, key := range []string{ecsv1.LabelService, ecsv1.LabelManagedBy, ecsv1.LabelRevision} {
		if v, ok := pod.Labels[key]; ok {
			trimmed.Labels[key] = v
		}
	}
	if id, ok := pod.Annotations[AnnotationDeploymentID]; ok {
		trimmed.Annotations = map[string]string{AnnotationDeploymentID: id}
	}
	trimmed.Spec.NodeName = pod.Spec.NodeName
	trimmed.Status.Phase = pod.Status.Phase
	trimmed.Status.StartTime = pod.Status.StartTime
	for _, c := range pod.Status.Conditions {
		switch c.Type {
		case corev1.PodReady, corev1.PodScheduled:
			trimmed.Status.Conditions = append(trimmed.Status.Conditions, corev1.PodCondition{
				Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message,
				LastTransitionTime: c.LastTransitionTime,
			})
		}
	}
	trimmed.Status.InitContainerStatuses = trimContainerStatuses(pod.Status.InitContainerStatuses)
	trimmed.Status.ContainerStatuses = trimContainerStatuses(pod.Status.ContainerStatuses)
	return trimmed, nil
}

func trimContainerStatuses(statuses []corev1.ContainerStatus) []corev1.ContainerStatus {
	if len(statuses) == 0 {
		return nil
	}
	out := make([]corev1.ContainerStatus, 0, len(statuses))
	for _, s := range statuses {
		t := corev1.ContainerStatus{Name: s.Name, Ready: s.Ready, RestartCount: s.RestartCount, Started: s.Started}
		if s.State.Waiting != nil {
			t.State.Waiting = &corev1.ContainerStateWaiting{Reason: s.State.Waiting.Reason}
		}
		if s.State.Running != nil {
			t.State.Running = &corev1.ContainerStateRunning{StartedAt: s.State.Running.StartedAt}
		}
		if s.State.Terminated != nil {
			t.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: s.State.Terminated.ExitCode, Reason: s.State.Terminated.Reason}
		}
		out = append(out, t)
	}
	return out
}

// trimNode keeps the labels (placement inventory, capacity provider
// selectors) and the Ready condition (registered container instances).
func trimNode(obj any) (any, error) {
	node, ok := obj.(*corev1.Node)
	if !ok {
		return tombstoneOr(obj, "Node")
	}
	trimmed := &corev1.Node{}
	trimmed.Name = node.Name
	trimmed.UID = node.UID
	trimmed.ResourceVersion = node.ResourceVersion
	trimmed.DeletionTimestamp = node.DeletionTimestamp
	trimmed.Labels = node.Labels
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			trimmed.Status.Conditions = []corev1.NodeCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	return trimmed, nil
}

// trimNamespace keeps the labels allowedRoleArns selectors match.
func trimNamespace(obj any) (any, error) {
	ns, ok := obj.(*corev1.Namespace)
	if !ok {
		return tombstoneOr(obj, "Namespace")
	}
	trimmed := &corev1.Namespace{}
	trimmed.Name = ns.Name
	trimmed.UID = ns.UID
	trimmed.ResourceVersion = ns.ResourceVersion
	trimmed.DeletionTimestamp = ns.DeletionTimestamp
	trimmed.Labels = ns.Labels
	return trimmed, nil
}

// tombstoneOr passes deletion tombstones through untouched; anything else
// of the wrong type is a programming error.
func tombstoneOr(obj any, kind string) (any, error) {
	if _, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		return obj, nil
	}
	return nil, fmt.Errorf("trimming %s: unexpected %T", kind, obj)
}
