package controllers

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// AnnotationDeploymentID on a pod template names the ECS deployment its
// pods belong to. It is derived from the template itself, so the same
// template always has the same ID, and pods tell which deployment they
// are part of without the operator reading ReplicaSets.
const AnnotationDeploymentID = "ecs.operator.dev/deployment-id"

// ECS deployment statuses and rollout states.
const (
	deploymentPrimary  = "PRIMARY"
	deploymentActive   = "ACTIVE"
	deploymentInactive = "INACTIVE"

	rolloutInProgress = "IN_PROGRESS"
	rolloutCompleted  = "COMPLETED"
	rolloutFailed     = "FAILED"
)

// deploymentID names the deployment of a pod template the way ECS names
// deployments (ecs-svc/ and 19 digits).
func deploymentID(serviceName string, revision int64, template *corev1.PodTemplateSpec) string {
	h := fnv.New64a()
	data, _ := json.Marshal(template)
	h.Write([]byte(serviceName))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(revision, 10)))
	h.Write([]byte{0})
	h.Write(data)
	return fmt.Sprintf("ecs-svc/%019d", h.Sum64()%1e19)
}

// stampDeploymentID puts the deployment ID on the pod template.
func stampDeploymentID(template *corev1.PodTemplateSpec, id string) {
	if template.Annotations == nil {
		template.Annotations = map[string]string{}
	}
	template.Annotations[AnnotationDeploymentID] = id
}

// deploymentPlan is a deployment the operator applies or was asked for.
type deploymentPlan struct {
	id             string
	taskDefinition string // family:N
	revision       int64
}

// observedWorkload is what the Deployment or DaemonSet and the pods say.
type observedWorkload struct {
	// templateID is the deployment ID of the live pod template ("" when
	// the workload does not exist yet).
	templateID string
	// desired is the number of tasks the workload wants.
	desired int32
	// complete: every wanted pod runs the live template and is available.
	complete bool
	// deadlineExceeded: the Deployment made no progress within its
	// progress deadline.
	deadlineExceeded bool
	// progressDeadline is the Deployment's progress deadline.
	progressDeadline time.Duration
	// pods are the service's pods that are not terminating.
	pods []corev1.Pod
}

func observeDeployment(dep *appsv1.Deployment, pods []corev1.Pod) observedWorkload {
	obs := observedWorkload{templateID: dep.Spec.Template.Annotations[AnnotationDeploymentID], pods: pods}
	replicas := ptr.Deref(dep.Spec.Replicas, 1)
	obs.desired = replicas
	obs.progressDeadline = time.Duration(ptr.Deref(dep.Spec.ProgressDeadlineSeconds, 600)) * time.Second
	st := dep.Status
	obs.complete = st.ObservedGeneration >= dep.Generation && st.UpdatedReplicas == replicas &&
		st.Replicas == replicas && st.AvailableReplicas == replicas
	for _, c := range st.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			obs.deadlineExceeded = st.ObservedGeneration >= dep.Generation
		}
	}
	return obs
}

func observeDaemonSet(ds *appsv1.DaemonSet, pods []corev1.Pod) observedWorkload {
	obs := observedWorkload{templateID: ds.Spec.Template.Annotations[AnnotationDeploymentID], pods: pods}
	st := ds.Status
	obs.desired = st.DesiredNumberScheduled
	obs.complete = st.ObservedGeneration >= ds.Generation && st.UpdatedNumberScheduled == st.DesiredNumberScheduled &&
		st.NumberAvailable == st.DesiredNumberScheduled
	return obs
}

// rolloutInput is everything the ECS deployment bookkeeping needs.
type rolloutInput struct {
	service string
	prev    []ecsv1.ServiceDeployment
	// primary is the deployment applied now; target the one the spec
	// asks for (they differ while rolled back).
	primary, target deploymentPlan
	family          string
	workload        observedWorkload
	breaker         ecsv1.DeploymentCircuitBreaker
	// startBudget is how long a started task may stay unready before it
	// counts as a failed start.
	startBudget time.Duration
	now         time.Time
}

// rolloutResult is the new deployments[] and what happened.
type rolloutResult struct {
	deployments []ecsv1.ServiceDeployment
	// events are ECS-style service events, oldest first.
	events []serviceEvent
	// rollback: the primary deployment just failed and the circuit
	// breaker wants the last completed deployment back.
	rollback bool
	// recheck: when a pod's start budget runs out.
	recheck time.Duration
}

// serviceEvent is an ECS-style service event, also emitted as a
// Kubernetes Event with the given reason.
type serviceEvent struct {
	reason  string
	warning bool
	message string
}

// failureThreshold is the ECS circuit breaker's failed-task threshold:
// half the desired count, at least 3 and at most 200.
func failureThreshold(desired int32) int32 {
	half := int32(math.Ceil(0.5 * float64(desired)))
	return min(max(half, 3), 200)
}

// computeRollout follows ECS deployment semantics: the primary deployment
// is IN_PROGRESS until every task runs the new template, then COMPLETED;
// with the circuit breaker on, it is FAILED once enough tasks fail to
// start or the rollout stops progressing. Old deployments stay ACTIVE
// while they have tasks. The last COMPLETED deployment is kept (INACTIVE)
// until a newer one completes, as the rollback target, and a FAILED
// target is kept so it is not retried until the spec changes.
func computeRollout(in rolloutInput) rolloutResult {
	var res rolloutResult
	now := metav1.NewTime(in.now)
	byID := map[string][]corev1.Pod{}
	for _, p := range in.workload.pods {
		id := p.Annotations[AnnotationDeploymentID]
		byID[id] = append(byID[id], p)
	}
	prevByID := map[string]ecsv1.ServiceDeployment{}
	for _, d := range in.prev {
		if _, seen := prevByID[d.ID]; !seen {
			prevByID[d.ID] = d
		}
	}

	primary := ecsv1.ServiceDeployment{
		ID: in.primary.id, Status: deploymentPrimary, TaskDefinition: in.primary.taskDefinition,
		DesiredCount: in.workload.desired,
	}
	primary.RunningCount, primary.PendingCount = countTasks(byID[in.primary.id])
	if len(in.prev) > 0 && in.prev[0].Status == deploymentPrimary && in.prev[0].ID == in.primary.id {
		p := in.prev[0]
		primary.RolloutState, primary.RolloutStateReason = p.RolloutState, p.RolloutStateReason
		primary.FailedTasks, primary.CreatedAt, primary.UpdatedAt = p.FailedTasks, p.CreatedAt, p.UpdatedAt
	} else {
		primary.RolloutState = rolloutInProgress
		primary.RolloutStateReason = "ECS deployment " + in.primary.id + " in progress."
		primary.CreatedAt, primary.UpdatedAt = &now, &now
	}
	workloadCurrent := in.workload.templateID == in.primary.id
	// The Deployment keeps reporting ProgressDeadlineExceeded for a while
	// after a rollback to an older ReplicaSet; a deadline can only have
	// passed for this deployment once it is older than the deadline.
	timedOut := workloadCurrent && in.workload.deadlineExceeded && primary.CreatedAt != nil &&
		in.now.Sub(primary.CreatedAt.Time) >= in.workload.progressDeadline
	if primary.RolloutState == rolloutInProgress {
		failures, recheck := startFailures(byID[in.primary.id], in.startBudget, in.now)
		primary.FailedTasks = failures
		res.recheck = recheck
		switch {
		case workloadCurrent && in.workload.complete:
			primary.RolloutState = rolloutCompleted
			primary.RolloutStateReason = "ECS deployment " + in.primary.id + " completed."
			primary.UpdatedAt = &now
			res.events = append(res.events,
				serviceEvent{reason: "DeploymentCompleted", message: fmt.Sprintf("(service %s) (deployment %s) deployment completed.", in.service, in.primary.id)},
				serviceEvent{reason: "SteadyState", message: fmt.Sprintf("(service %s) has reached a steady state.", in.service)})
		case in.breaker.Enable && (failures >= failureThreshold(in.workload.desired) || timedOut):
			primary.RolloutState = rolloutFailed
			primary.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start."
			primary.UpdatedAt = &now
			res.events = append(res.events, serviceEvent{reason: "DeploymentFailed", warning: true,
				message: fmt.Sprintf("(service %s) (deployment %s) deployment failed: tasks failed to start.", in.service, in.primary.id)})
			res.rollback = in.breaker.Rollback && in.primary.id == in.target.id
		}
	}
	res.deployments = append(res.deployments, primary)

	// Older deployments that still have tasks.
	var others []ecsv1.ServiceDeployment
	for id, pods := range byID {
		if id == in.primary.id {
			continue
		}
		d := ecsv1.ServiceDeployment{ID: id, Status: deploymentActive, DesiredCount: int32(len(pods))}
		if p, ok := prevByID[id]; ok {
			d.TaskDefinition, d.RolloutState, d.RolloutStateReason = p.TaskDefinition, p.RolloutState, p.RolloutStateReason
			d.FailedTasks, d.CreatedAt, d.UpdatedAt = p.FailedTasks, p.CreatedAt, p.UpdatedAt
		} else {
			d.TaskDefinition = in.family + ":" + pods[0].Labels[ecsv1.LabelRevision]
		}
		d.RunningCount, d.PendingCount = countTasks(pods)
		others = append(others, d)
	}
	// Records without tasks worth keeping: the failed target (so it is
	// not retried) and the last completed deployment (the rollback
	// target) while the primary has not completed.
	lastCompleted := ""
	if primary.RolloutState != rolloutCompleted {
		lastCompleted = newestCompleted(in.prev, in.primary.id)
	}
	for _, p := range in.prev {
		if p.ID == in.primary.id || byID[p.ID] != nil {
			continue
		}
		failedTarget := p.ID == in.target.id && p.RolloutState == rolloutFailed
		if failedTarget || p.ID == lastCompleted {
			p.Status = deploymentInactive
			p.DesiredCount, p.RunningCount, p.PendingCount = 0, 0, 0
			others = append(others, p)
		}
	}
	slices.SortFunc(others, func(a, b ecsv1.ServiceDeployment) int {
		if c := compareTimes(b.CreatedAt, a.CreatedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	res.deployments = append(res.deployments, others...)
	return res
}

// newestCompleted is the ID of the newest COMPLETED deployment other than
// exclude, "" when there is none.
func newestCompleted(deployments []ecsv1.ServiceDeployment, exclude string) string {
	var best *ecsv1.ServiceDeployment
	for i := range deployments {
		d := &deployments[i]
		if d.ID == exclude || d.RolloutState != rolloutCompleted {
			continue
		}
		if best == nil || compareTimes(d.UpdatedAt, best.UpdatedAt) > 0 {
			best = d
		}
	}
	if best == nil {
		return ""
	}
	return best.ID
}

func compareTimes(a, b *metav1.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	case a.Before(b):
		return -1
	case b.Before(a):
		return 1
	}
	return 0
}

// countTasks splits pods into running (ready) and pending (not ready yet).
func countTasks(pods []corev1.Pod) (running, pending int32) {
	for _, p := range pods {
		switch {
		case p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed:
		case podReady(&p):
			running++
		default:
			pending++
		}
	}
	return running, pending
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitingFailures are container waiting reasons that mean the task cannot
// start at all (ECS stops such tasks as failed).
var waitingFailures = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true,
}

// startFailures counts failed task starts among a deployment's pods, as
// the ECS circuit breaker counts tasks that stop before becoming healthy:
// every container restart, every failed pod, every pod stuck unable to
// start its containers, and every pod that started but stayed unready
// past its start budget (ECS would stop it for failing health checks).
// recheck is when the next unready pod's budget runs out.
func startFailures(pods []corev1.Pod, budget time.Duration, now time.Time) (int32, time.Duration) {
	var failures int32
	var recheck time.Duration
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase == corev1.PodFailed {
			failures++
			continue
		}
		stuck := false
		for _, s := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
			failures += s.RestartCount
			if s.State.Waiting != nil && waitingFailures[s.State.Waiting.Reason] {
				stuck = true
			}
		}
		if stuck {
			failures++
			continue
		}
		if p.Status.Phase != corev1.PodRunning || podReady(p) || budget <= 0 || p.Status.StartTime == nil {
			continue
		}
		unready := now.Sub(p.Status.StartTime.Time)
		if unready >= budget {
			failures++
			continue
		}
		if left := budget - unready; recheck == 0 || left < recheck {
			recheck = left
		}
	}
	return failures, recheck
}

// startBudget is how long a started task may take to become ready: the
// service's health check grace period or the readiness and startup probe
// allowance of its containers, whichever is longer, and never under 30 s.
func startBudget(svc *ecsv1.ECSService, template *corev1.PodTemplateSpec) time.Duration {
	seconds := int64(ptr.Deref(svc.Spec.HealthCheckGracePeriodSeconds, 0))
	for _, c := range slices.Concat(template.Spec.InitContainers, template.Spec.Containers) {
		var allowance int64
		for _, p := range []*corev1.Probe{c.StartupProbe, c.ReadinessProbe} {
			if p == nil {
				continue
			}
			period := int64(max(p.PeriodSeconds, 10))
			failures := int64(max(p.FailureThreshold, 3))
			allowance += int64(p.InitialDelaySeconds) + period*failures
		}
		seconds = max(seconds, allowance)
	}
	return time.Duration(max(seconds, 30)) * time.Second
}
