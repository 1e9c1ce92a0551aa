// Package controllers holds one reconciler per ECS-shaped kind. Each stays
// thin: fetch the object, translate it with internal/translate, apply the
// children with server-side apply, and compute status from what it
// observes.
package controllers

import (
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
)

// Options tune all reconcilers.
type Options struct {
	// MaxConcurrentReconciles is how many objects of each kind are
	// reconciled in parallel.
	MaxConcurrentReconciles int
}

// Setup registers the ECSCluster, TaskDefinition and ECSService
// reconcilers with the manager.
func Setup(mgr ctrl.Manager, opts Options) error {
	reconcilers := []interface {
		SetupWithManager(ctrl.Manager, Options) error
	}{
		&ECSClusterReconciler{Client: mgr.GetClient()},
		&TaskDefinitionReconciler{Client: mgr.GetClient()},
		&ECSServiceReconciler{Client: mgr.GetClient()},
	}
	for _, r := range reconcilers {
		if err := r.SetupWithManager(mgr, opts); err != nil {
			return fmt.Errorf("setting up %T: %w", r, err)
		}
	}
	return nil
}
