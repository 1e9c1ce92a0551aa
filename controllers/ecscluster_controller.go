package controllers

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// ECSClusterReconciler reports ECS-style cluster counts. The cluster's
// policy itself is read by the other reconcilers, which re-run when it
// changes.
type ECSClusterReconciler struct {
	*deps
}

// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsclusters/status,verbs=patch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsservices,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=nodes,verbs=get;list;watch

// Reconcile counts the cluster's services, tasks and container instances.
func (r *ECSClusterReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var cluster ecsv1.ECSCluster
	if err := r.client.Get(ctx, req.NamespacedName, &cluster); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	orig := cluster.DeepCopy()
	st := &cluster.Status
	st.ObservedGeneration = cluster.Generation

	var services ecsv1.ECSServiceList
	if err := r.client.List(ctx, &services, client.MatchingFields{indexServiceCluster: cluster.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing services: %w", err)
	}
	st.ActiveServicesCount, st.RunningTasksCount, st.PendingTasksCount = int32(len(services.Items)), 0, 0
	for _, svc := range services.Items {
		st.RunningTasksCount += svc.Status.RunningCount
		st.PendingTasksCount += svc.Status.PendingCount
	}

	selectors, err := instanceSelectors(&cluster.Spec)
	if err != nil {
		message := "capacityProviders: " + err.Error()
		setStalled(&st.Conditions, cluster.Generation, reasonInvalidSpec, message)
		setReady(&st.Conditions, cluster.Generation, false, reasonInvalidSpec, message)
		return ctrl.Result{}, r.patchStatus(ctx, orig, &cluster)
	}
	var nodes corev1.NodeList
	if err := r.client.List(ctx, &nodes, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing nodes: %w", err)
	}
	st.RegisteredContainerInstancesCount = countInstances(nodes.Items, selectors)

	clearStalled(&st.Conditions)
	clearReconciling(&st.Conditions)
	setReady(&st.Conditions, cluster.Generation, true, reasonReconciled, "cluster policy is in effect for the services and task definitions that use it")
	return ctrl.Result{}, r.patchStatus(ctx, orig, &cluster)
}

// instanceSelectors select the nodes that count as the cluster's container
// instances: the built-in EC2 provider is every node unless the cluster
// redefines it; a declared provider contributes the nodes of its
// nodeLabelSelector (default: its nodeSelector). Fargate profiles have no
// container instances in ECS, so they count only with an explicit
// nodeLabelSelector.
func instanceSelectors(spec *ecsv1.ECSClusterSpec) ([]labels.Selector, error) {
	var selectors []labels.Selector
	ec2Declared := false
	for _, cp := range spec.CapacityProviders {
		if cp.Name == "EC2" {
			ec2Declared = true
		}
		switch {
		case cp.NodeLabelSelector != nil:
			sel, err := metav1.LabelSelectorAsSelector(cp.NodeLabelSelector)
			if err != nil {
				return nil, fmt.Errorf("%s: nodeLabelSelector: %w", cp.Name, err)
			}
			selectors = append(selectors, sel)
		case cp.Fargate:
		default:
			selectors = append(selectors, labels.SelectorFromSet(cp.NodeSelector))
		}
	}
	if !ec2Declared {
		selectors = append(selectors, labels.Everything())
	}
	return selectors, nil
}

// countInstances counts Ready nodes matching any selector.
func countInstances(nodes []corev1.Node, selectors []labels.Selector) int32 {
	var count int32
	for i := range nodes {
		if !nodeReady(&nodes[i]) {
			continue
		}
		set := labels.Set(nodes[i].Labels)
		for _, sel := range selectors {
			if sel.Matches(set) {
				count++
				break
			}
		}
	}
	return count
}

func (r *ECSClusterReconciler) patchStatus(ctx context.Context, orig, cluster *ecsv1.ECSCluster) error {
	if equality.Semantic.DeepEqual(orig.Status, cluster.Status) {
		return nil
	}
	return r.client.Status().Patch(ctx, cluster, client.MergeFrom(orig))
}

// SetupWithManager watches clusters, the services' counts and node
// readiness.
func (r *ECSClusterReconciler) SetupWithManager(_ context.Context, mgr ctrl.Manager, opts Options) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&ecsv1.ECSCluster{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&ecsv1.ECSService{}, clustersOfService, builder.WithPredicates(serviceCountsChanged)).
		Watches(&corev1.Node{}, handler.EnqueueRequestsFromMapFunc(r.allClusters), builder.WithPredicates(nodeCapacityChanged)).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles}).
		Complete(r)
}

// serviceCountsChanged passes service events that change a cluster's
// counts.
var serviceCountsChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldSvc, okOld := e.ObjectOld.(*ecsv1.ECSService)
		newSvc, okNew := e.ObjectNew.(*ecsv1.ECSService)
		if !okOld || !okNew {
			return true
		}
		return clusterNameOf(oldSvc.Spec.Cluster) != clusterNameOf(newSvc.Spec.Cluster) ||
			oldSvc.Status.RunningCount != newSvc.Status.RunningCount || oldSvc.Status.PendingCount != newSvc.Status.PendingCount
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// clustersOfService enqueues a service's cluster, and on an update both
// the old and the new one (a service moving clusters changes both counts).
var clustersOfService = handler.Funcs{
	CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		enqueueClusterOf(e.Object, q)
	},
	UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		enqueueClusterOf(e.ObjectOld, q)
		enqueueClusterOf(e.ObjectNew, q)
	},
	DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		enqueueClusterOf(e.Object, q)
	},
}

// clusterCountsDelay batches count updates: every task that starts or
// stops changes a service's counts, and during a rollout of many services
// that is a stream of changes to one ECSCluster. Delaying the reconcile
// folds the changes of that window into one status write (the work queue
// keeps a single delayed entry per cluster); ECS cluster counts are
// eventually consistent as well.
const clusterCountsDelay = time.Second

func enqueueClusterOf(obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if svc, ok := obj.(*ecsv1.ECSService); ok {
		q.AddAfter(reconcile.Request{NamespacedName: client.ObjectKey{Name: clusterNameOf(svc.Spec.Cluster)}}, clusterCountsDelay)
	}
}

func (r *ECSClusterReconciler) allClusters(ctx context.Context, _ client.Object) []reconcile.Request {
	var clusters ecsv1.ECSClusterList
	if err := r.client.List(ctx, &clusters, client.UnsafeDisableDeepCopy); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(clusters.Items))
	for i := range clusters.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&clusters.Items[i])})
	}
	return reqs
}
