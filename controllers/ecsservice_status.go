package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// maxServiceEvents bounds status.events (ECS keeps the latest 100; a
// status stays small with fewer).
const maxServiceEvents = 10

// setServiceStatus computes status from what was observed and returns
// the service events that happened in this reconcile.
func (r *ECSServiceReconciler) setServiceStatus(svc *ecsv1.ECSService, p *servicePlan, workload observedWorkload, rollout rolloutResult, missing []string) []serviceEvent {
	st := &svc.Status
	gen := svc.Generation
	st.ObservedGeneration = gen
	st.TaskDefinition = p.primary.taskDefinition
	st.DesiredCount = workload.desired
	st.RunningCount, st.PendingCount = countTasks(workload.pods)
	st.Deployments = rollout.deployments
	st.Warnings = p.warnings

	events := slices.Clone(rollout.events)
	if rollout.rollback {
		if last := newestCompleted(st.Deployments, p.target.id); last != "" {
			events = append(events, serviceEvent{reason: "RollingBack", warning: true,
				message: fmt.Sprintf("(service %s) rolling back to deployment %s.", p.serviceName, last)})
		}
	}
	if reason := unplaceableReason(workload.pods); reason != "" {
		events = append(events, serviceEvent{reason: "UnableToPlaceTask", warning: true,
			message: fmt.Sprintf("(service %s) was unable to place a task because no container instance met all of its requirements. Reason: %s", p.serviceName, reason)})
	}

	primary := st.Deployments[0]
	switch {
	case p.rolledBack || primary.RolloutState == rolloutFailed:
		message := fmt.Sprintf("deployment %s (%s) failed: tasks failed to start", p.target.id, p.target.taskDefinition)
		if p.rolledBack {
			message += "; rolled back to " + p.primary.taskDefinition + " (update the service or task definition to deploy again)"
		}
		clearReconciling(&st.Conditions)
		setStalled(&st.Conditions, gen, reasonDeploymentFailed, message)
		setReady(&st.Conditions, gen, false, reasonDeploymentFailed, message)
	case primary.RolloutState == rolloutInProgress:
		message := fmt.Sprintf("deployment %s (%s) is rolling out", primary.ID, primary.TaskDefinition)
		clearStalled(&st.Conditions)
		setReconciling(&st.Conditions, gen, reasonProgressing, message)
		setReady(&st.Conditions, gen, false, reasonProgressing, message)
	default:
		clearStalled(&st.Conditions)
		clearReconciling(&st.Conditions)
		// Availability comes from the workload's own status (the
		// Deployment controller's view, which honours minReadySeconds),
		// so a task lost after the rollout makes the service not Ready.
		if workload.complete && workload.templateID == p.primary.id && len(st.Deployments) == 1 {
			setReady(&st.Conditions, gen, true, reasonSteadyState, fmt.Sprintf("(service %s) has reached a steady state.", p.serviceName))
		} else {
			setReady(&st.Conditions, gen, false, "TasksNotRunning", fmt.Sprintf("(service %s) is not running all of its desired tasks.", p.serviceName))
		}
	}
	setIntegrations(&st.Conditions, gen, missing)
	return r.recordEvents(svc, events)
}

// unplaceableReason is the scheduler's message for a pod it cannot place
// (the smallest one, so the choice is stable), "" when every pod is
// placed.
func unplaceableReason(pods []corev1.Pod) string {
	reason := ""
	for _, p := range pods {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				if msg := schedulingReason(c.Message); reason == "" || msg < reason {
					reason = msg
				}
			}
		}
	}
	return reason
}

// schedulingReason keeps the reasons of a FailedScheduling message and
// drops its node counts and preemption summary: "0/36 nodes are available:
// 12 node(s) didn't match pod anti-affinity rules, 24 Insufficient cpu.
// preemption: ..." becomes "didn't match pod anti-affinity rules;
// Insufficient cpu". The counts change whenever nodes come and go, and
// every change would otherwise be a new service event.
func schedulingReason(message string) string {
	message, _, _ = strings.Cut(message, " preemption:")
	if _, rest, ok := strings.Cut(message, " nodes are available: "); ok {
		message = rest
	}
	var reasons []string
	for _, item := range strings.Split(strings.TrimSuffix(strings.TrimSpace(message), "."), ", ") {
		count, rest, ok := strings.Cut(item, " ")
		if _, err := strconv.Atoi(count); ok && err == nil {
			item = strings.TrimPrefix(rest, "node(s) ")
		}
		if item != "" && !slices.Contains(reasons, item) {
			reasons = append(reasons, item)
		}
	}
	sort.Strings(reasons)
	return strings.Join(reasons, "; ")
}

// recordEvents adds new ECS-style events to status.events (newest first,
// bounded) and returns those that were new. An event equal to the newest
// one is not repeated, so a condition that persists is reported once.
func (r *ECSServiceReconciler) recordEvents(svc *ecsv1.ECSService, events []serviceEvent) []serviceEvent {
	var added []serviceEvent
	now := metav1.NewTime(r.now())
	for _, e := range events {
		list := svc.Status.Events
		if len(list) > 0 && list[0].Message == e.message {
			continue
		}
		sum := sha256.Sum256([]byte(e.message + "\x00" + strconv.FormatInt(now.UnixNano(), 10)))
		entry := ecsv1.ServiceEvent{ID: hex.EncodeToString(sum[:8]), CreatedAt: now, Message: e.message}
		svc.Status.Events = append([]ecsv1.ServiceEvent{entry}, list...)
		if len(svc.Status.Events) > maxServiceEvents {
			svc.Status.Events = svc.Status.Events[:maxServiceEvents]
		}
		added = append(added, e)
	}
	return added
}

// reportUnresolved reports a service that cannot be applied; existing
// children are left as they are.
func (r *ECSServiceReconciler) reportUnresolved(ctx context.Context, orig, svc *ecsv1.ECSService, err error) error {
	var u unresolved
	if !errors.As(err, &u) {
		return err
	}
	if u.unseen {
		return nil
	}
	st := &svc.Status
	gen := svc.Generation
	st.ObservedGeneration = gen
	if u.waiting {
		clearStalled(&st.Conditions)
		setReconciling(&st.Conditions, gen, u.reason, u.message)
	} else {
		clearReconciling(&st.Conditions)
		setStalled(&st.Conditions, gen, u.reason, u.message)
	}
	setReady(&st.Conditions, gen, false, u.reason, u.message)
	if !u.waiting && stalledMessage(orig.Status.Conditions) != u.message {
		r.recorder.Eventf(svc, nil, corev1.EventTypeWarning, u.reason, "Reconcile", "%s", u.message)
	}
	_, err = r.patchStatus(ctx, orig, svc, nil)
	return err
}

// countsWriteInterval is the shortest time between two status writes of
// a service when nothing but its task counts changed. Every task that is
// created, placed or becomes healthy changes runningCount and
// pendingCount; written one by one, during the rollout of many services
// these counts would be most of the operator's requests to the API
// server. A count-only change within the interval is written with the
// next status write (a requeue makes sure there is one), so counts lag
// by at most the interval, as ECS's own counts trail its tasks; rollout
// states, conditions and events are written at once.
const countsWriteInterval = 2 * time.Second

// patchStatus writes status when it changed and emits Kubernetes Events
// for the moments that happened. A change of task counts alone is held
// back while the last write is younger than countsWriteInterval; the
// returned duration is when to reconcile again to write it.
func (r *ECSServiceReconciler) patchStatus(ctx context.Context, orig, svc *ecsv1.ECSService, events []serviceEvent) (time.Duration, error) {
	for _, e := range events {
		eventType := corev1.EventTypeNormal
		if e.warning {
			eventType = corev1.EventTypeWarning
		}
		r.recorder.Eventf(svc, nil, eventType, e.reason, "Deploy", "%s", e.message)
	}
	if equality.Semantic.DeepEqual(orig.Status, svc.Status) {
		return 0, nil
	}
	key := client.ObjectKeyFromObject(svc)
	var lastWrite time.Time
	if v, ok := r.statusWrites.Load(key); ok {
		lastWrite = v.(time.Time)
	}
	if wait := countsHoldBack(&orig.Status, &svc.Status, lastWrite, r.now()); wait > 0 {
		return wait, nil
	}
	if err := r.client.Status().Patch(ctx, svc, client.MergeFrom(orig)); err != nil {
		return 0, err
	}
	r.writtenServices.remember(svc)
	r.statusWrites.Store(key, r.now())
	return 0, nil
}

// countsHoldBack is how long the change from orig to updated must wait
// before it is written: while the last write (zero when unknown) is
// younger than countsWriteInterval, if only task counts changed; else 0.
func countsHoldBack(orig, updated *ecsv1.ECSServiceStatus, lastWrite, now time.Time) time.Duration {
	if lastWrite.IsZero() || !countsOnly(orig, updated) {
		return 0
	}
	return max(0, countsWriteInterval-now.Sub(lastWrite))
}

// countsOnly reports whether two statuses differ in task counts alone.
func countsOnly(a, b *ecsv1.ECSServiceStatus) bool {
	return equality.Semantic.DeepEqual(withoutCounts(a), withoutCounts(b))
}

func withoutCounts(st *ecsv1.ECSServiceStatus) *ecsv1.ECSServiceStatus {
	out := st.DeepCopy()
	out.RunningCount, out.PendingCount = 0, 0
	for i := range out.Deployments {
		out.Deployments[i].RunningCount, out.Deployments[i].PendingCount = 0, 0
	}
	return out
}
