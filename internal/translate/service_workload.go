package translate

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Defaults of the workload objects.
const (
	// serviceProgressDeadlineDefault is how long a deployment may go
	// without progress before the emulated circuit breaker fails it, as
	// long as ECS waits.
	serviceProgressDeadlineDefault = 600
	// serviceRevisionHistoryDefault is the Kubernetes default, written out
	// so the applied object states it. The operator rolls back from its
	// own task definition revisions, not from old ReplicaSets.
	serviceRevisionHistoryDefault = 10
)

// CircuitBreakerFailureThreshold is the number of failed task starts after
// which ECS's deployment circuit breaker fails a deployment of a service
// with desiredCount tasks: clamp(ceil(0.5 × desiredCount), 3, 200).
func CircuitBreakerFailureThreshold(desiredCount int32) int32 {
	threshold := (desiredCount + 1) / 2
	return min(max(threshold, 3), 200)
}

// ServiceProgressDeadlineSeconds is how long a deployment of the service
// may make no progress before it is FAILED (spec.kubernetes
// .progressDeadlineSeconds, default 600).
func ServiceProgressDeadlineSeconds(spec *ecsv1.ECSServiceSpec) int32 {
	if spec == nil || spec.Kubernetes == nil || spec.Kubernetes.ProgressDeadlineSeconds == nil {
		return serviceProgressDeadlineDefault
	}
	return *spec.Kubernetes.ProgressDeadlineSeconds
}

// deploymentPercents are maximumPercent and minimumHealthyPercent with
// the ECS defaults (REPLICA 200/100, DAEMON 100/0).
func (t *serviceTranslation) deploymentPercents() (maxPercent, minPercent int32) {
	maxPercent, minPercent = 200, 100
	if t.daemon {
		maxPercent, minPercent = 100, 0
	}
	if dc := t.spec.DeploymentConfiguration; dc != nil {
		maxPercent = ptr.Deref(dc.MaximumPercent, maxPercent)
		minPercent = ptr.Deref(dc.MinimumHealthyPercent, minPercent)
	}
	return maxPercent, minPercent
}

// checkDeploymentConfiguration validates the percentages and reports the
// deployment features Kubernetes has no counterpart for (field-map §6.3).
func (t *serviceTranslation) checkDeploymentConfiguration() {
	maxPercent, minPercent := t.deploymentPercents()
	if minPercent > maxPercent {
		t.rep.Fail("deploymentConfiguration.minimumHealthyPercent", "%d exceeds maximumPercent %d (defaults apply to unset values); a deployment could never start a task", minPercent, maxPercent)
	}
	dc := t.spec.DeploymentConfiguration
	if dc == nil {
		return
	}
	const prefix = "deploymentConfiguration."
	if cb := dc.DeploymentCircuitBreaker; cb != nil {
		switch {
		case cb.Enable:
			t.rep.Warn(t.rep.Field(prefix, "deploymentCircuitBreaker.enable"), "circuit breaker emulated by the operator (clamp(0.5×desired,3,200) failed starts or %d s without progress)", ServiceProgressDeadlineSeconds(t.spec))
			if cb.Rollback {
				t.rep.Info(t.rep.Field(prefix, "deploymentCircuitBreaker.rollback"), "the operator re-applies the last COMPLETED deployment's task definition revision")
			}
		case cb.Rollback:
			t.rep.Info(t.rep.Field(prefix, "deploymentCircuitBreaker.rollback"), "has no effect while the circuit breaker is disabled (as in ECS)")
		}
	}
	if a := dc.Alarms; a != nil {
		if a.Enable {
			t.rep.Warn(t.rep.Field(prefix, "alarms"), "CloudWatch alarm rollback not translated (consider Argo Rollouts analysis)")
		} else {
			t.rep.Info(t.rep.Field(prefix, "alarms"), "alarm monitoring is disabled; ignored")
		}
	}
	switch s := ptr.Deref(dc.Strategy, ""); s {
	case "", "ROLLING":
	case "BLUE_GREEN", "LINEAR", "CANARY":
		t.rep.Warn(t.rep.Field(prefix, "strategy"), "%s deployment replaced by rolling update", s)
	default:
		t.rep.Fail(t.rep.Field(prefix, "strategy"), "%q is not ROLLING, BLUE_GREEN, LINEAR or CANARY", s)
	}
	const blueGreenOnly = "only meaningful for blue/green-family strategies; not translated (rolling update used)"
	if dc.BakeTimeInMinutes != nil {
		t.rep.Warn(t.rep.Field(prefix, "bakeTimeInMinutes"), blueGreenOnly)
	}
	for i := range dc.LifecycleHooks {
		t.rep.Warn(fmt.Sprintf("%slifecycleHooks[%d]", prefix, i), blueGreenOnly)
	}
	if dc.LinearConfiguration != nil {
		t.rep.Warn(t.rep.Field(prefix, "linearConfiguration"), blueGreenOnly)
	}
	if dc.CanaryConfiguration != nil {
		t.rep.Warn(t.rep.Field(prefix, "canaryConfiguration"), blueGreenOnly)
	}
}

// buildWorkload builds the Deployment (REPLICA) or DaemonSet (DAEMON).
func (t *serviceTranslation) buildWorkload() {
	t.checkDeploymentConfiguration()
	meta := t.childMeta(serviceObjectName(t.name))
	selector := &metav1.LabelSelector{MatchLabels: t.podSelector()}
	if t.daemon {
		t.result.DaemonSet = &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: meta,
			Spec: appsv1.DaemonSetSpec{
				Selector:             selector,
				Template:             t.pod,
				UpdateStrategy:       t.daemonUpdateStrategy(),
				RevisionHistoryLimit: ptr.To[int32](serviceRevisionHistoryDefault),
			},
		}
		return
	}
	var replicas *int32
	if !t.autoscaled {
		if t.spec.DesiredCount == nil {
			t.rep.Warn("desiredCount", "absent; 1 task (the CloudFormation default)")
		}
		replicas = ptr.To(t.desired)
	}
	t.result.Deployment = &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas:                replicas,
			Selector:                selector,
			Template:                t.pod,
			Strategy:                t.deploymentStrategy(),
			ProgressDeadlineSeconds: ptr.To(ServiceProgressDeadlineSeconds(t.spec)),
			RevisionHistoryLimit:    ptr.To[int32](serviceRevisionHistoryDefault),
		},
	}
}

// deploymentStrategy maps maximumPercent / minimumHealthyPercent onto a
// rolling update (field-map §6.3, §11.9). ECS rounds the maximum down and
// the minimum up; with the replica count known the exact integers are
// used. Both fields are always set, because the Kubernetes defaults (25%)
// are not the ECS ones.
func (t *serviceTranslation) deploymentStrategy() appsv1.DeploymentStrategy {
	maxPercent, minPercent := t.deploymentPercents()
	var surge, unavailable intstr.IntOrString
	if t.autoscaled {
		// The replica count changes under the HPA, so percentages are used.
		// Kubernetes rounds maxUnavailable down like ECS rounds the minimum
		// up, but rounds maxSurge up where ECS rounds the maximum down.
		surge = servicePercent(max(maxPercent-100, 0))
		unavailable = servicePercent(100 - minPercent)
		if maxPercent > 100 {
			t.rep.Info("deploymentConfiguration.maximumPercent", "with autoScaling the surge is %d%% of the current replicas, rounded up (ECS rounds down), so a rollout may start one more pod than ECS would", maxPercent-100)
		}
	} else {
		d := int64(t.desired)
		surge = intstr.FromInt32(int32(max(d*int64(maxPercent)/100-d, 0)))
		unavailable = intstr.FromInt32(int32(max(d-(d*int64(minPercent)+99)/100, 0)))
	}
	if serviceIsZero(surge) && serviceIsZero(unavailable) {
		// Kubernetes rejects a rolling update that may neither add nor
		// remove a pod. ECS accepts it and never makes progress.
		surge = intstr.FromInt32(1)
		if t.autoscaled || t.desired > 0 {
			t.rep.Warn("deploymentConfiguration", "deployment would stall in ECS; surging one pod")
		}
	}
	return appsv1.DeploymentStrategy{
		Type:          appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable},
	}
}

// daemonUpdateStrategy maps the percentages of a DAEMON service: surge
// (max−100)% (default 0), unavailable (100−min)% (default 100%).
func (t *serviceTranslation) daemonUpdateStrategy() appsv1.DaemonSetUpdateStrategy {
	maxPercent, minPercent := t.deploymentPercents()
	surge := servicePercent(max(maxPercent-100, 0))
	unavailable := servicePercent(100 - minPercent)
	if serviceIsZero(surge) && serviceIsZero(unavailable) {
		// A DaemonSet may not have both at 0. Replacing one pod at a time
		// is chosen over surging, which fails for daemons with host ports.
		unavailable = intstr.FromInt32(1)
		t.rep.Warn("deploymentConfiguration", "deployment would stall in ECS; replacing one daemon pod at a time")
	}
	return appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxSurge: &surge, MaxUnavailable: &unavailable},
	}
}

// buildDisruptionBudget keeps minimumHealthyPercent of the tasks running
// through voluntary disruptions (node drains), as ECS respects it when it
// drains a container instance.
func (t *serviceTranslation) buildDisruptionBudget() {
	maxPercent, minPercent := t.deploymentPercents()
	const field = "deploymentConfiguration.minimumHealthyPercent"
	switch {
	case minPercent <= 0:
		return
	case t.daemon:
		// kubectl drain and Karpenter leave DaemonSet pods alone, as ECS
		// stops daemon tasks last; a budget would guard nothing.
		t.rep.Info(field, "node drains do not evict DaemonSet pods; no PodDisruptionBudget")
		return
	}
	spec := policyv1.PodDisruptionBudgetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: t.podSelector()},
		// ECS counts only healthy tasks toward the minimum and replaces
		// unhealthy ones anyway, so a crash-looping pod must never hold up
		// a node drain.
		UnhealthyPodEvictionPolicy: ptr.To(policyv1.AlwaysAllow),
	}
	// All tasks must stay up: ECS drains such a service by starting the
	// replacement first (when maximumPercent leaves room); an eviction
	// cannot, so a budget of zero would block every node drain instead.
	keepsAll := minPercent >= 100
	if !t.autoscaled {
		if t.desired == 0 {
			return
		}
		minAvailable := (int64(t.desired)*int64(minPercent) + 99) / 100
		keepsAll = minAvailable >= int64(t.desired)
		spec.MinAvailable = ptr.To(intstr.FromInt32(int32(minAvailable)))
	} else {
		spec.MinAvailable = ptr.To(servicePercent(minPercent))
	}
	if keepsAll && maxPercent > 100 {
		spec.MinAvailable = nil
		spec.MaxUnavailable = ptr.To(intstr.FromInt32(1))
		t.rep.Info(field, "node drains evict one pod at a time (ECS starts the replacement first; an eviction cannot)")
	}
	t.result.PodDisruptionBudget = &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: t.childMeta(serviceObjectName(t.name)),
		Spec:       spec,
	}
}

// servicePercent is p% as an IntOrString, or the integer 0.
func servicePercent(p int32) intstr.IntOrString {
	if p == 0 {
		return intstr.FromInt32(0)
	}
	return intstr.FromString(strconv.Itoa(int(p)) + "%")
}

func serviceIsZero(v intstr.IntOrString) bool { return v.Type == intstr.Int && v.IntVal == 0 }
