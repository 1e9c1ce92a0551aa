package controllers

import (
	"context"
	"fmt"
	"strings"

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
)

// registerIndexes adds the field indexes to the cache.
func registerIndexes(ctx context.Context, indexer client.FieldIndexer) error {
	indexes := []struct {
		obj     client.Object
		field   string
		extract client.IndexerFunc
	}{
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
	for _, ix := range indexes {
		if err := indexer.IndexField(ctx, ix.obj, ix.field, ix.extract); err != nil {
			return fmt.Errorf("indexing %T by %s: %w", ix.obj, ix.field, err)
		}
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
