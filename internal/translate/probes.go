package translate

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// ECS health check defaults (field-map §3.3).
const (
	ecsHealthCheckInterval = 30
	ecsHealthCheckTimeout  = 5
	ecsHealthCheckRetries  = 3
)

// ecsHealthCheck is a parsed container healthCheck.
type ecsHealthCheck struct {
	exec        []string
	interval    int32
	timeout     int32
	retries     int32
	startPeriod int32
}

// translateHealthCheck parses healthCheck; the probes are built once the
// container's lifecycle role is known (buildProbes).
func (t *taskTranslation) translateHealthCheck(tc *taskContainer) {
	hc := tc.def.HealthCheck
	if hc == nil {
		return
	}
	path := t.rep.Field(tc.path, ".healthCheck")
	if len(hc.Command) == 0 {
		t.rep.Fail(t.rep.Field(path, ".command"), "required: [\"CMD-SHELL\", command], [\"CMD\", executable, args...] or [\"NONE\"]")
		return
	}
	var exec []string
	switch hc.Command[0] {
	case "NONE":
		return
	case "CMD-SHELL":
		if len(hc.Command) < 2 {
			t.rep.Fail(t.rep.Field(path, ".command"), "CMD-SHELL needs a shell command")
			return
		}
		shellCommand := hc.Command[1]
		if len(hc.Command) > 2 {
			shellCommand = strings.Join(hc.Command[1:], " ")
			t.rep.Warn(t.rep.Field(path, ".command"), "CMD-SHELL takes one string; the %d elements were joined with spaces", len(hc.Command)-1)
		}
		if t.windows {
			exec = []string{"cmd", "/S", "/C", shellCommand}
		} else {
			exec = []string{"/bin/sh", "-c", shellCommand}
		}
	case "CMD":
		if len(hc.Command) < 2 {
			t.rep.Fail(t.rep.Field(path, ".command"), "CMD needs an executable")
			return
		}
		exec = append([]string(nil), hc.Command[1:]...)
	default:
		t.rep.Fail(t.rep.Field(path, ".command"), "first element %q must be CMD, CMD-SHELL or NONE", hc.Command[0])
		return
	}
	h := &ecsHealthCheck{
		exec:        exec,
		interval:    ptr.Deref(hc.Interval, ecsHealthCheckInterval),
		timeout:     ptr.Deref(hc.Timeout, ecsHealthCheckTimeout),
		retries:     ptr.Deref(hc.Retries, ecsHealthCheckRetries),
		startPeriod: ptr.Deref(hc.StartPeriod, 0),
	}
	switch {
	case h.interval < 1:
		t.rep.Fail(t.rep.Field(path, ".interval"), "must be at least 1 second (ECS allows 5–300)")
		return
	case h.timeout < 1:
		t.rep.Fail(t.rep.Field(path, ".timeout"), "must be at least 1 second (ECS allows 2–60)")
		return
	case h.retries < 1:
		t.rep.Fail(t.rep.Field(path, ".retries"), "must be at least 1 (ECS allows 1–10)")
		return
	case h.startPeriod < 0:
		t.rep.Fail(t.rep.Field(path, ".startPeriod"), "must not be negative")
		return
	}
	tc.health = h
}

func (h *ecsHealthCheck) probe(failureThreshold int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: h.exec}},
		PeriodSeconds:    h.interval,
		TimeoutSeconds:   h.timeout,
		FailureThreshold: failureThreshold,
	}
}

// startupFailureThreshold covers the start window (startPeriod, widened by a
// service's grace period) and then the usual retries.
func startupFailureThreshold(window, interval, retries int32) int32 {
	return ceilDiv(window, interval) + retries
}

func ceilDiv(a, b int32) int32 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// buildProbes attaches probes according to the container's role (field-map
// §3.3): essential containers get readiness (ECS task health gates
// rollouts and endpoints) and, in services, liveness (ECS replaces
// unhealthy tasks); a startupProbe covers startPeriod and HEALTHY
// dependencies; non-essential containers get only the startupProbe their
// dependents need.
func (t *taskTranslation) buildProbes(tc *taskContainer, job bool) {
	h := tc.health
	if h == nil {
		return
	}
	if tc.role == roleRunToCompletion {
		t.rep.Warn(t.rep.Field(tc.path, ".healthCheck"), "health check of run-to-completion container %q not translated: init containers take no probes", tc.def.Name)
		return
	}
	if !tc.essential && !tc.healthyTarget {
		t.rep.Info(t.rep.Field(tc.path, ".healthCheck"), "health of non-essential container %q only shows in ECS task status; no probe (nothing depends on it with HEALTHY)", tc.def.Name)
		return
	}
	if tc.healthyTarget || h.startPeriod > 0 {
		threshold := startupFailureThreshold(h.startPeriod, h.interval, h.retries)
		if tc.healthyTarget && tc.startTimeoutCap > 0 {
			// A dependent's startTimeout bounds how long ECS waits for
			// HEALTHY: the probe gives up then and the sidecar restarts.
			threshold = min(threshold, max(1, tc.startTimeoutCap/h.interval))
		}
		tc.k8s.StartupProbe = h.probe(threshold)
	}
	if !tc.essential {
		return
	}
	tc.k8s.ReadinessProbe = h.probe(h.retries)
	if !job {
		tc.k8s.LivenessProbe = h.probe(h.retries)
	}
}

// WidenStartupProbes applies an ECS service's healthCheckGracePeriodSeconds
// to a translated pod (field-map §3.3): ECS ignores failed container health
// checks during the grace period, so the startup window of each essential
// container with a health check becomes max(startPeriod, grace). Essential
// containers are the ones TranslateTask gave a readiness probe; their
// startupProbe is created or lengthened, never shortened.
func WidenStartupProbes(pod *corev1.PodSpec, healthCheckGracePeriodSeconds int32) {
	if healthCheckGracePeriodSeconds <= 0 {
		return
	}
	widen := func(c *corev1.Container) {
		readiness := c.ReadinessProbe
		if readiness == nil || readiness.PeriodSeconds <= 0 {
			return
		}
		want := startupFailureThreshold(healthCheckGracePeriodSeconds, readiness.PeriodSeconds, readiness.FailureThreshold)
		if c.StartupProbe == nil {
			c.StartupProbe = readiness.DeepCopy()
			c.StartupProbe.FailureThreshold = want
			return
		}
		if c.StartupProbe.FailureThreshold < want {
			c.StartupProbe.FailureThreshold = want
		}
	}
	for i := range pod.InitContainers {
		widen(&pod.InitContainers[i])
	}
	for i := range pod.Containers {
		widen(&pod.Containers[i])
	}
}
