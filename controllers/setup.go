// Package controllers holds one reconciler per ECS-shaped kind. Each stays
// thin: fetch the object, translate it with internal/translate, apply the
// children with server-side apply, and compute status from what it
// observes.
package controllers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/discovery"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// Options tune all reconcilers.
type Options struct {
	// MaxConcurrentReconciles is how many objects of each kind are
	// reconciled in parallel.
	MaxConcurrentReconciles int
	// Capabilities override the Kubernetes features detected from the
	// API server's version.
	Capabilities *translate.Capabilities
}

// Setup registers the field indexes and the ECSCluster, TaskDefinition and
// ECSService reconcilers with a manager configured by ConfigureManager.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if err := registerIndexes(ctx, mgr.GetFieldIndexer(), mgr.GetScheme()); err != nil {
		return err
	}
	d, err := newDeps(mgr, opts)
	if err != nil {
		return err
	}
	for obj, written := range map[client.Object]*ownWrites{&ecsv1.TaskDefinition{}: d.writtenTaskDefinitions, &ecsv1.ECSService{}: d.writtenServices} {
		informer, err := mgr.GetCache().GetInformer(ctx, obj)
		if err != nil {
			return err
		}
		if _, err := informer.AddEventHandler(written.handler()); err != nil {
			return err
		}
	}
	reconcilers := []interface {
		SetupWithManager(context.Context, ctrl.Manager, Options) error
	}{
		&ECSClusterReconciler{deps: d},
		&TaskDefinitionReconciler{deps: d},
		&ECSServiceReconciler{deps: d, now: time.Now},
	}
	for _, r := range reconcilers {
		if err := r.SetupWithManager(ctx, mgr, opts); err != nil {
			return fmt.Errorf("setting up %T: %w", r, err)
		}
	}
	return nil
}

// newDeps builds what the reconcilers share.
func newDeps(mgr ctrl.Manager, opts Options) (*deps, error) {
	caps := opts.Capabilities
	if caps == nil {
		detected, err := detectCapabilities(mgr)
		if err != nil {
			return nil, err
		}
		caps = &detected
	}
	return &deps{
		client:       mgr.GetClient(),
		apiReader:    mgr.GetAPIReader(),
		scheme:       mgr.GetScheme(),
		recorder:     mgr.GetEventRecorder(FieldManagerEvents),
		applier:      &applier{client: mgr.GetClient(), scheme: mgr.GetScheme(), reader: mgr.GetAPIReader()},
		integrations: newIntegrations(mgr.GetRESTMapper()),
		nodes:        &nodeInventory{reader: mgr.GetClient()},
		snapshots:    newSnapshotCache(),
		capabilities: *caps,

		writtenTaskDefinitions: newOwnWrites(),
		writtenServices:        newOwnWrites(),
	}, nil
}

// FieldManagerEvents is the reporting controller of the operator's Events.
const FieldManagerEvents = "ecs-operator"

// detectCapabilities turns the API server's version into the optional
// features the translation may use (types.go lists when each turned on by
// default). ECSCluster spec.features overrides them per cluster.
func detectCapabilities(mgr ctrl.Manager) (translate.Capabilities, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
	if err != nil {
		return translate.Capabilities{}, err
	}
	info, err := dc.ServerVersion()
	if err != nil {
		return translate.Capabilities{}, fmt.Errorf("reading the API server version: %w", err)
	}
	minor, _ := strconv.Atoi(strings.TrimRight(info.Minor, "+"))
	if info.Major != "1" {
		return translate.AllCapabilities(), nil
	}
	return translate.Capabilities{
		PodLevelResources:                    minor >= 34,
		RelaxedEnvironmentVariableValidation: minor >= 34,
		ContainerRestartRules:                minor >= 35,
		HostnameOverride:                     minor >= 35,
	}, nil
}
