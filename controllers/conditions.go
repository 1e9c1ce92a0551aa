package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// markReconciling records that generation is being worked on. Following
// kstatus, Reconciling is only present while true.
func markReconciling(conditions *[]metav1.Condition, generation int64, reason, message string) {
	meta.SetStatusCondition(conditions, metav1.Condition{
		Type:               ecsv1.ConditionReconciling,
		Status:             metav1.ConditionTrue,
		Reason:             reason,
		Message:            message,
		ObservedGeneration: generation,
	})
}
