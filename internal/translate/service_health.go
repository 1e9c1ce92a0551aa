package translate

import (
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"
)

// applyHealthCheckGracePeriod widens the startup probe window of the
// essential containers that have a health check to
// max(startPeriod, healthCheckGracePeriodSeconds) (field-map §6.1, §3.3,
// §11.8): ECS ignores failing container and load balancer health checks
// for that long after a task starts. Load balancer health never restarts
// pods in Kubernetes, so the container probes are the only target.
func (t *serviceTranslation) applyHealthCheckGracePeriod() {
	grace := ptr.Deref(t.spec.HealthCheckGracePeriodSeconds, 0)
	if grace <= 0 {
		return
	}
	before := t.pod.Spec.DeepCopy()
	WidenStartupProbes(&t.pod.Spec, grace)
	if equality.Semantic.DeepEqual(before, &t.pod.Spec) {
		t.rep.Info("healthCheckGracePeriodSeconds", "no essential container has a health check with a shorter start window; load balancer health checks do not restart pods in Kubernetes")
	}
}
