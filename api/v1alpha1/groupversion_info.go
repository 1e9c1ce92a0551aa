// Package v1alpha1 holds the ECS-shaped API of ecs-operator: ECSCluster,
// TaskDefinition and ECSService in the group ecs.operator.dev.
//
// ECS JSON field names are kept verbatim (camelCase exactly as the ECS API
// spells them), so a describe-task-definition or CreateService document pastes
// into spec unchanged. Optional scalars are pointers and optional lists and
// maps use omitzero, so that what was written is what is read back: an
// explicit false, 0, "" or [] survives a round trip.
//
// +kubebuilder:object:generate=true
// +groupName=ecs.operator.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of the ECS-shaped objects.
	GroupVersion = schema.GroupVersion{Group: "ecs.operator.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the Go types with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this group-version to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
