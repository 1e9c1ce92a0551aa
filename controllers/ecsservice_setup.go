package controllers

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// SetupWithManager watches ECSServices (spec changes only), everything
// they own (status changes included: they drive ECSService status), their
// pods, the task definitions and clusters they reference, and nodes (for
// =~ placement).
func (r *ECSServiceReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	b := ctrl.NewControllerManagedBy(mgr).
		For(&ecsv1.ECSService{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Owns(&appsv1.Deployment{}).
		Owns(&appsv1.DaemonSet{}).
		Owns(&corev1.Service{}, builder.WithPredicates(childChanged)).
		Owns(&networkingv1.Ingress{}, builder.WithPredicates(childChanged)).
		Owns(&autoscalingv2.HorizontalPodAutoscaler{}, builder.WithPredicates(childChanged)).
		Owns(&policyv1.PodDisruptionBudget{}, builder.WithPredicates(childChanged)).
		Watches(&corev1.Pod{}, withPriority(handler.EnqueueRequestsFromMapFunc(r.serviceOfPod), backgroundPriority), builder.WithPredicates(podStatusChanged)).
		Watches(&ecsv1.TaskDefinition{}, handler.EnqueueRequestsFromMapFunc(r.servicesOfTaskDefinition), builder.WithPredicates(revisionChanged)).
		Watches(&ecsv1.ECSCluster{}, handler.EnqueueRequestsFromMapFunc(r.servicesOfCluster), builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&corev1.Node{}, handler.EnqueueRequestsFromMapFunc(r.servicesWithRegexPlacement), builder.WithPredicates(nodeLabelsChanged)).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles})
	c, err := b.Build(r)
	if err != nil {
		return err
	}
	for _, i := range serviceIntegrationKinds {
		r.integrations.watchOwned(ctx, c, mgr, &ecsv1.ECSService{}, i)
	}
	return nil
}

// podStatusChanged passes pod events that can change counts, rollout
// state or placement events (the cache keeps only that part of a pod).
var podStatusChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldPod, okOld := e.ObjectOld.(*corev1.Pod)
		newPod, okNew := e.ObjectNew.(*corev1.Pod)
		if !okOld || !okNew {
			return true
		}
		return (oldPod.DeletionTimestamp == nil) != (newPod.DeletionTimestamp == nil) ||
			!equality.Semantic.DeepEqual(oldPod.Status, newPod.Status)
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

// revisionChanged passes TaskDefinition events that can change what a
// service resolves to: a new spec, a newly registered revision, a
// changed verdict.
var revisionChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		oldTD, okOld := e.ObjectOld.(*ecsv1.TaskDefinition)
		newTD, okNew := e.ObjectNew.(*ecsv1.TaskDefinition)
		if !okOld || !okNew {
			return true
		}
		return oldTD.Generation != newTD.Generation || oldTD.Status.Revision != newTD.Status.Revision ||
			oldTD.Status.ObservedGeneration != newTD.Status.ObservedGeneration ||
			stalledMessage(oldTD.Status.Conditions) != stalledMessage(newTD.Status.Conditions)
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func (r *ECSServiceReconciler) serviceOfPod(ctx context.Context, obj client.Object) []reconcile.Request {
	label := obj.GetLabels()[ecsv1.LabelService]
	if label == "" {
		return nil
	}
	return r.listServices(ctx, client.InNamespace(obj.GetNamespace()), client.MatchingFields{indexServiceLabel: label})
}

func (r *ECSServiceReconciler) servicesOfTaskDefinition(ctx context.Context, obj client.Object) []reconcile.Request {
	td, ok := obj.(*ecsv1.TaskDefinition)
	if !ok {
		return nil
	}
	return r.listServices(ctx, client.InNamespace(td.Namespace), client.MatchingFields{indexServiceFamily: familyOf(td)})
}

func (r *ECSServiceReconciler) servicesOfCluster(ctx context.Context, obj client.Object) []reconcile.Request {
	return r.listServices(ctx, client.MatchingFields{indexServiceCluster: obj.GetName()})
}

// servicesWithRegexPlacement re-reconciles the services whose =~ / !~
// placement expands against node labels, when the node inventory
// changed.
func (r *ECSServiceReconciler) servicesWithRegexPlacement(ctx context.Context, _ client.Object) []reconcile.Request {
	changed, err := r.nodes.refresh(ctx)
	if err != nil {
		log.FromContext(ctx).Error(err, "rebuilding the node inventory")
		return nil
	}
	if !changed {
		return nil
	}
	reqs := r.listServices(ctx, client.MatchingFields{indexRegexPlacement: "true"})
	var tds ecsv1.TaskDefinitionList
	if err := r.client.List(ctx, &tds, client.MatchingFields{indexRegexPlacement: "true"}, client.UnsafeDisableDeepCopy); err != nil {
		return reqs
	}
	for i := range tds.Items {
		reqs = append(reqs, r.servicesOfTaskDefinition(ctx, &tds.Items[i])...)
	}
	return reqs
}

func (r *ECSServiceReconciler) listServices(ctx context.Context, opts ...client.ListOption) []reconcile.Request {
	var services ecsv1.ECSServiceList
	if err := r.client.List(ctx, &services, append(opts, client.UnsafeDisableDeepCopy)...); err != nil {
		log.FromContext(ctx).Error(err, "listing services")
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(services.Items))
	for i := range services.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&services.Items[i])})
	}
	return reqs
}
