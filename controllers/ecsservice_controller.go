package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// ECSServiceReconciler reconciles ECSService objects.
type ECSServiceReconciler struct {
	client.Client
}

// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsservices,verbs=get;list;watch
// +kubebuilder:rbac:groups=ecs.operator.dev,resources=ecsservices/status,verbs=get;update;patch

// Reconcile records the generation it has seen.
func (r *ECSServiceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var obj ecsv1.ECSService
	if err := r.Get(ctx, req.NamespacedName, &obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := obj.Status.DeepCopy()
	obj.Status.ObservedGeneration = obj.Generation
	markReconciling(&obj.Status.Conditions, obj.Generation, "Progressing", "ECSService is being reconciled")
	if equality.Semantic.DeepEqual(before, &obj.Status) {
		return ctrl.Result{}, nil
	}
	return ctrl.Result{}, r.Status().Update(ctx, &obj)
}

// SetupWithManager registers the reconciler.
func (r *ECSServiceReconciler) SetupWithManager(mgr ctrl.Manager, opts Options) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&ecsv1.ECSService{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles}).
		Complete(r)
}
