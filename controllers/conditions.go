package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Condition reasons. Messages that go with them are stable (no counts that
// churn, no timestamps), so recomputing a condition only writes status
// when something really changed.
const (
	reasonReconciled          = "Reconciled"
	reasonProgressing         = "Progressing"
	reasonRegistered          = "Registered"
	reasonInvalidSpec         = "InvalidSpec"
	reasonClusterNotFound     = "ClusterNotFound"
	reasonTaskDefNotFound     = "TaskDefinitionNotFound"
	reasonTaskDefAmbiguous    = "TaskDefinitionAmbiguous"
	reasonRevisionNotFound    = "RevisionNotFound"
	reasonWaitingForRevision  = "WaitingForRevision"
	reasonSteadyState         = "SteadyState"
	reasonDeploymentFailed    = "DeploymentFailed"
	reasonIntegrationsPresent = "Installed"
	reasonIntegrationsMissing = "CRDNotInstalled"
	reasonApplyFailed         = "ApplyFailed"
)

// setReady sets Ready, which is always present.
func setReady(conditions *[]metav1.Condition, generation int64, ready bool, reason, message string) {
	status := metav1.ConditionFalse
	if ready {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(conditions, metav1.Condition{
		Type: ecsv1.ConditionReady, Status: status, Reason: reason, Message: message, ObservedGeneration: generation,
	})
}

// setReconciling marks the object as converging. Following kstatus,
// Reconciling is present only while true: reconciled clears it.
func setReconciling(conditions *[]metav1.Condition, generation int64, reason, message string) {
	meta.SetStatusCondition(conditions, metav1.Condition{
		Type: ecsv1.ConditionReconciling, Status: metav1.ConditionTrue, Reason: reason, Message: message, ObservedGeneration: generation,
	})
}

func clearReconciling(conditions *[]metav1.Condition) {
	meta.RemoveStatusCondition(conditions, ecsv1.ConditionReconciling)
}

// setStalled marks the object as needing the user. Following kstatus,
// Stalled is present only while true.
func setStalled(conditions *[]metav1.Condition, generation int64, reason, message string) {
	meta.SetStatusCondition(conditions, metav1.Condition{
		Type: ecsv1.ConditionStalled, Status: metav1.ConditionTrue, Reason: reason, Message: message, ObservedGeneration: generation,
	})
}

func clearStalled(conditions *[]metav1.Condition) {
	meta.RemoveStatusCondition(conditions, ecsv1.ConditionStalled)
}

// setIntegrations reports whether every integration CRD the spec needs is
// installed; missing lists their CRD names.
func setIntegrations(conditions *[]metav1.Condition, generation int64, missing []string) {
	c := metav1.Condition{
		Type: ecsv1.ConditionIntegrationsAvailable, Status: metav1.ConditionTrue, Reason: reasonIntegrationsPresent,
		Message: "every integration the spec needs is installed", ObservedGeneration: generation,
	}
	if len(missing) > 0 {
		c.Status = metav1.ConditionFalse
		c.Reason = reasonIntegrationsMissing
		c.Message = "not installed: " + joinComma(missing) + "; the objects that need them were skipped, everything else is applied"
	}
	meta.SetStatusCondition(conditions, c)
}

// stalledMessage is the message of a True Stalled condition, "" otherwise.
func stalledMessage(conditions []metav1.Condition) string {
	if c := meta.FindStatusCondition(conditions, ecsv1.ConditionStalled); c != nil && c.Status == metav1.ConditionTrue {
		return c.Message
	}
	return ""
}
