package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// Field indexes on the informer caches. They turn "which services use this
// task definition / cluster / pod" into map lookups instead of scans of
// every object, which matters at thousands of services.
const (
	// indexServiceFamily: ECSService → the family its taskDefinition names.
	indexServiceFamily = "ecs.operator.dev/taskDefinition.family"
	// indexServiceCluster: ECSService → its cluster name.
	indexServiceCluster = "ecs.operator.dev/cluster.name"
	// indexServiceLabel: ECSService → the ecs.operator.dev/service label
	// value of its pods.
	indexServiceLabel = "ecs.operator.dev/service.label"
	// indexRegexPlacement: ECSService or TaskDefinition → "true" when a
	// placement constraint uses =~ or !~, whose expansion depends on the
	// node inventory.
	indexRegexPlacement = "ecs.operator.dev/placement.regex"
	// indexTaskFamily: TaskDefinition → its effective family.
	indexTaskFamily = "ecs.operator.dev/family"
	// indexControllerUID: a built-in child → the UID of its controlling
	// owner. Pruning looks a reconciled object's children up by it; a
	// label selector alone filters every object of the kind in the
	// namespace, once per kind and reconcile, which grows with the square
	// of the services in a namespace.
	indexControllerUID = "ecs.operator.dev/controller.uid"
	// indexPodService: Pod → its ecs.operator.dev/service label, for the
	// same reason: a service's reconcile reads its own pods, not all of
	// the namespace's.
	indexPodService = "ecs.operator.dev/pod.service"
)

// prunedKinds are the built-in kinds indexed by indexControllerUID.
var prunedKinds = append(slices.Clone(serviceChildrenKinds), taskChildrenKinds...)

// fieldIndex is one field index: the kind, the field name and how its
// values are taken from an object.
type fieldIndex struct {
	obj     client.Object
	field   string
	extract client.IndexerFunc
}

// registerIndexes adds the field indexes to the cache.
func registerIndexes(ctx context.Context, indexer client.FieldIndexer, scheme *runtime.Scheme) error {
	indexes := []fieldIndex{
		{&ecsv1.ECSService{}, indexServiceFamily, func(o client.Object) []string {
			ref, err := parseTaskDefinitionRef(o.(*ecsv1.ECSService).Spec.TaskDefinition)
			if err != nil {
				return nil
			}
			return []string{ref.family}
		}},
		{&ecsv1.ECSService{}, indexServiceCluster, func(o client.Object) []string {
			return []string{clusterNameOf(o.(*ecsv1.ECSService).Spec.Cluster)}
		}},
		{&ecsv1.ECSService{}, indexServiceLabel, func(o client.Object) []string {
			return []string{translate.ServicePodSelector(serviceNameOf(o.(*ecsv1.ECSService)))[ecsv1.LabelService]}
		}},
		{&ecsv1.ECSService{}, indexRegexPlacement, func(o client.Object) []string {
			return regexIndexValue(o.(*ecsv1.ECSService).Spec.PlacementConstraints)
		}},
		{&ecsv1.TaskDefinition{}, indexTaskFamily, func(o client.Object) []string {
			return []string{familyOf(o.(*ecsv1.TaskDefinition))}
		}},
		{&ecsv1.TaskDefinition{}, indexRegexPlacement, func(o client.Object) []string {
			return regexIndexValue(o.(*ecsv1.TaskDefinition).Spec.PlacementConstraints)
		}},
	}
	for _, gvk := range prunedKinds {
		obj, err := scheme.New(gvk)
		if err != nil {
			return fmt.Errorf("indexing %s: %w", gvk.Kind, err)
		}
		indexes = append(indexes, fieldIndex{obj.(client.Object), indexControllerUID, controllerUID})
	}
	// Revisions are cached as metadata only; the index goes on that cache.
	revisions := &metav1.PartialObjectMetadata{}
	revisions.SetGroupVersionKind(appsv1.SchemeGroupVersion.WithKind("ControllerRevision"))
	indexes = append(indexes,
		fieldIndex{revisions, indexControllerUID, controllerUID},
		fieldIndex{&corev1.Pod{}, indexPodService, func(o client.Object) []string {
			if v := o.GetLabels()[ecsv1.LabelService]; v != "" {
				return []string{v}
			}
			return nil
		}},
	)
	for _, ix := range indexes {
		if err := indexer.IndexField(ctx, ix.obj, ix.field, ix.extract); err != nil {
			return fmt.Errorf("indexing %T by %s: %w", ix.obj, ix.field, err)
		}
	}
	return nil
}

func controllerUID(o client.Object) []string {
	if ref := metav1.GetControllerOfNoCopy(o); ref != nil {
		return []string{string(ref.UID)}
	}
	return nil
}

func regexIndexValue(constraints []ecsv1.PlacementConstraint) []string {
	for _, c := range constraints {
		if c.Expression == nil {
			continue
		}
		if strings.Contains(*c.Expression, "=~") || strings.Contains(*c.Expression, "!~") {
			return []string{"true"}
		}
	}
	return nil
}
