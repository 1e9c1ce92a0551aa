package controllers

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestCountsHoldBack(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	base := func() *ecsv1.ECSServiceStatus {
		return &ecsv1.ECSServiceStatus{
			ObservedGeneration: 1, DesiredCount: 2, RunningCount: 0, PendingCount: 2, TaskDefinition: "web:1",
			Deployments: []ecsv1.ServiceDeployment{{ID: "ecs-svc/1", Status: deploymentPrimary, RolloutState: rolloutInProgress,
				DesiredCount: 2, PendingCount: 2}},
			Conditions: []metav1.Condition{{Type: ecsv1.ConditionReady, Status: metav1.ConditionFalse, Reason: reasonProgressing}},
		}
	}
	oneRunning := func(st *ecsv1.ECSServiceStatus) {
		st.RunningCount, st.PendingCount = 1, 1
		st.Deployments[0].RunningCount, st.Deployments[0].PendingCount = 1, 1
	}
	tests := []struct {
		name      string
		change    func(*ecsv1.ECSServiceStatus)
		lastWrite time.Time
		want      time.Duration
	}{
		{name: "counts only, last write 500ms ago: wait out the interval", change: oneRunning,
			lastWrite: now.Add(-500 * time.Millisecond), want: 1500 * time.Millisecond},
		{name: "counts only, last write long ago: write", change: oneRunning, lastWrite: now.Add(-time.Minute)},
		{name: "counts only, no write known (operator restarted): write", change: oneRunning},
		{name: "per-deployment counts only: wait", change: func(st *ecsv1.ECSServiceStatus) {
			st.Deployments[0].RunningCount = 1
		}, lastWrite: now.Add(-time.Second), want: time.Second},
		{name: "rollout completed with the counts: write", change: func(st *ecsv1.ECSServiceStatus) {
			oneRunning(st)
			st.Deployments[0].RolloutState = rolloutCompleted
		}, lastWrite: now.Add(-time.Second)},
		{name: "condition changed: write", change: func(st *ecsv1.ECSServiceStatus) {
			st.Conditions[0].Status = metav1.ConditionTrue
		}, lastWrite: now.Add(-time.Second)},
		{name: "desired count changed: write", change: func(st *ecsv1.ECSServiceStatus) {
			st.DesiredCount = 3
		}, lastWrite: now.Add(-time.Second)},
		{name: "failed tasks counted: write", change: func(st *ecsv1.ECSServiceStatus) {
			st.Deployments[0].FailedTasks = 1
		}, lastWrite: now.Add(-time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := base()
			updated := base()
			tt.change(updated)
			if got := countsHoldBack(orig, updated, tt.lastWrite, now); got != tt.want {
				t.Errorf("countsHoldBack = %s, want %s", got, tt.want)
			}
			if orig.RunningCount != 0 || orig.Deployments[0].RunningCount != 0 {
				t.Errorf("countsHoldBack changed its input: %+v", orig)
			}
		})
	}
}
