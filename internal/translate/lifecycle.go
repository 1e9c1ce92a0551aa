package translate

import (
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// ECS dependency conditions.
const (
	conditionStart    = "START"
	conditionComplete = "COMPLETE"
	conditionSuccess  = "SUCCESS"
	conditionHealthy  = "HEALTHY"
)

// translateLifecycle places every container (field-map §3.0): targets of
// COMPLETE/SUCCESS become regular init containers, targets of
// START/HEALTHY and the FireLens router become native sidecars, the rest
// regular containers; then restart policies and probes follow from the
// role and essential.
func (t *taskTranslation) translateLifecycle() {
	job := t.in.Workload == WorkloadJob
	if !t.classifyDependencies() {
		return
	}
	if !t.checkDependencyCycles() {
		return
	}
	for _, tc := range t.containers {
		if tc.logRouter && tc.role == roleApp {
			tc.role = roleStartedBefore
		}
	}
	if job {
		t.placeJobContainers()
	}
	for _, tc := range t.containers {
		t.translateRestartPolicy(tc, job)
		t.buildProbes(tc, job)
		t.wrapCompleteContainer(tc)
		if !job && tc.essential && tc.role != roleRunToCompletion {
			t.rep.Info(t.rep.Field(tc.path, ".essential"), "when essential container %q exits, ECS replaces the task; Kubernetes restarts the container in place", tc.def.Name)
		}
	}
	if job {
		t.pod.RestartPolicy = corev1.RestartPolicyNever
	}
}

// classifyDependencies validates dependsOn and assigns roles T and S.
func (t *taskTranslation) classifyDependencies() bool {
	ok := true
	// dependents[i][c] is the path of the first dependency on container i
	// with condition c.
	var dependents [maxContainers]map[string]string
	for _, tc := range t.containers {
		for j, dep := range tc.def.DependsOn {
			path := t.rep.Field(tc.path, ".dependsOn[", strconv.Itoa(j), "]")
			target, known := t.containerNamed(dep.ContainerName)
			switch {
			case dep.ContainerName == "":
				t.rep.Fail(t.rep.Field(path, ".containerName"), "required: name the container %q depends on", tc.def.Name)
				ok = false
				continue
			case !known:
				t.rep.Fail(t.rep.Field(path, ".containerName"), "container %q depends on unknown container %q", tc.def.Name, dep.ContainerName)
				ok = false
				continue
			case target == tc:
				t.rep.Fail(t.rep.Field(path, ".containerName"), "container %q depends on itself", tc.def.Name)
				ok = false
				continue
			}
			switch dep.Condition {
			case conditionStart, conditionHealthy, conditionComplete, conditionSuccess:
			default:
				t.rep.Fail(t.rep.Field(path, ".condition"), "unknown condition %q: use START, COMPLETE, SUCCESS or HEALTHY", dep.Condition)
				ok = false
				continue
			}
			if dependents[target.index] == nil {
				dependents[target.index] = map[string]string{}
			}
			if _, seen := dependents[target.index][dep.Condition]; !seen {
				dependents[target.index][dep.Condition] = path
			}
			if dep.Condition == conditionHealthy && tc.def.StartTimeout != nil && *tc.def.StartTimeout > 0 {
				if target.startTimeoutCap == 0 || *tc.def.StartTimeout < target.startTimeoutCap {
					target.startTimeoutCap = *tc.def.StartTimeout
				}
			}
			if dep.Condition == conditionComplete {
				target.completeTarget = true
				wrap := t.spec.Kubernetes != nil && ptr.Deref(t.spec.Kubernetes.WrapCompleteContainers, false)
				if !wrap || len(target.def.EntryPoint) == 0 || t.windows {
					t.rep.Warn(t.rep.Field(path, ".condition"), "COMPLETE treated as SUCCESS: a non-zero exit of %q blocks %q (set kubernetes.wrapCompleteContainers with an entryPoint to ignore it)", target.def.Name, tc.def.Name)
				}
			}
		}
	}
	for _, tc := range t.containers {
		conds := dependents[tc.index]
		if conds == nil {
			continue
		}
		completePath, complete := conds[conditionComplete]
		successPath, success := conds[conditionSuccess]
		healthyPath, healthy := conds[conditionHealthy]
		startPath, start := conds[conditionStart]
		runsToCompletion := complete || success
		firstCompletion := completePath
		if !complete {
			firstCompletion = successPath
		}
		switch {
		case runsToCompletion && tc.essential:
			t.rep.Fail(t.rep.Field(firstCompletion, ".condition"), "container %q is essential; COMPLETE and SUCCESS are only allowed on non-essential containers (set essential: false)", tc.def.Name)
			ok = false
		case runsToCompletion && healthy:
			t.rep.Fail(t.rep.Field(healthyPath, ".condition"), "container %q is a HEALTHY dependency and also a COMPLETE/SUCCESS dependency; it cannot both keep running and run to completion", tc.def.Name)
			ok = false
		case runsToCompletion:
			tc.role = roleRunToCompletion
			if start {
				t.rep.Warn(t.rep.Field(startPath, ".condition"), "START on %q waits for it to finish, because another container needs it to COMPLETE/SUCCEED", tc.def.Name)
			}
		default:
			tc.role = roleStartedBefore
		}
		if healthy {
			tc.healthyTarget = true
			if hc := tc.def.HealthCheck; hc == nil || (len(hc.Command) > 0 && hc.Command[0] == "NONE") {
				t.rep.Fail(t.rep.Field(healthyPath, ".condition"), "HEALTHY needs a healthCheck on container %q", tc.def.Name)
				ok = false
			}
		}
	}
	return ok
}

// checkDependencyCycles reports each dependsOn edge that closes a cycle,
// naming both containers.
func (t *taskTranslation) checkDependencyCycles() bool {
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(t.containers))
	ok := true
	var visit func(tc *taskContainer)
	visit = func(tc *taskContainer) {
		state[tc.index] = visiting
		for j, dep := range tc.def.DependsOn {
			target := firstNamed(t.containers, dep.ContainerName)
			switch state[target.index] {
			case visiting:
				t.rep.Fail(tc.path+".dependsOn["+strconv.Itoa(j)+"].containerName", "dependsOn cycle: %q depends on %q, which depends on %q (directly or through other containers)", tc.def.Name, target.def.Name, tc.def.Name)
				ok = false
			case unvisited:
				visit(target)
			}
		}
		state[tc.index] = done
	}
	for _, tc := range t.containers {
		if state[tc.index] == unvisited {
			visit(tc)
		}
	}
	return ok
}

// placeJobContainers applies field-map §3.0 rule 6: in a Job, non-essential
// containers become native sidecars so that the pod completes when the
// essential ones exit.
func (t *taskTranslation) placeJobContainers() {
	essentialApps := 0
	for _, tc := range t.containers {
		if tc.role == roleApp && !tc.essential {
			tc.role = roleJobSidecar
		}
		if tc.role == roleApp {
			essentialApps++
		}
	}
	if essentialApps == 0 {
		t.rep.Fail("containerDefinitions", "no essential container runs to completion: every essential container is a START/HEALTHY dependency, so the job would never finish")
	}
	if essentialApps > 1 {
		t.rep.Warn("containerDefinitions", "ECS stops the task when the first essential container exits; the Job pod waits for all")
	}
}

// translateRestartPolicy maps essential and restartPolicy to the container
// restart policy (field-map §3.0 rule 4, §3.4).
func (t *taskTranslation) translateRestartPolicy(tc *taskContainer, job bool) {
	rp := tc.def.RestartPolicy
	// Without a restartPolicy nothing below is reported about it.
	var path string
	if rp != nil {
		path = tc.path + ".restartPolicy"
	}
	if rp != nil && rp.RestartAttemptPeriod != nil {
		t.rep.Warn(t.rep.Field(path, ".restartAttemptPeriod"), "restartAttemptPeriod not configurable: Kubernetes backs off exponentially (10 s up to 5 min)")
	}
	enabled := rp != nil && rp.Enabled
	var ignored []int32
	if enabled {
		ignored = rp.IgnoredExitCodes
	}
	switch tc.role {
	case roleStartedBefore, roleJobSidecar:
		tc.k8s.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
		if rp != nil && (!enabled || len(ignored) > 0) {
			t.rep.Warn(path, "container %q runs as a sidecar, which Kubernetes restarts on every exit", tc.def.Name)
		}
		return
	case roleRunToCompletion:
		if job && enabled {
			// The Job pod never restarts its containers; ECS would restart
			// this one in place when it fails.
			t.setContainerRestart(tc, path, corev1.ContainerRestartPolicyOnFailure, nil)
		}
		if len(ignored) > 0 {
			t.rep.Warn(t.rep.Field(path, ".ignoredExitCodes"), "ignored exit codes of run-to-completion container %q not translated: an init container must succeed", tc.def.Name)
		}
		return
	}
	if job {
		if !enabled {
			return
		}
		if len(ignored) > 0 {
			// A clean exit completes the Job; every other code outside the
			// ignored ones restarts the container.
			codes := append([]int32{0}, ignored...)
			t.setContainerRestart(tc, path, corev1.ContainerRestartPolicyNever, restartUnlessExitCodeIn(codes))
			return
		}
		t.setContainerRestart(tc, path, corev1.ContainerRestartPolicyOnFailure, nil)
		return
	}
	if tc.essential {
		// The pod default (Always) restarts the container in place, which
		// is what ECS does when its restart policy is enabled, and close to
		// ECS replacing the task otherwise.
		switch {
		case len(ignored) > 0:
			t.rep.Warn(t.rep.Field(path, ".ignoredExitCodes"), "essential container %q is restarted on every exit: ECS would stop and replace the task for the ignored exit codes", tc.def.Name)
		case enabled:
			t.rep.Info(t.rep.Field(path, ".enabled"), "essential container %q is restarted in place by the pod's restart policy, as ECS does", tc.def.Name)
		case rp != nil:
			t.rep.Info(t.rep.Field(path, ".enabled"), "essential container %q is restarted in place by the pod's restart policy; ECS would replace the task", tc.def.Name)
		}
		return
	}
	switch {
	case enabled && len(ignored) > 0:
		t.setContainerRestart(tc, path+".ignoredExitCodes", corev1.ContainerRestartPolicyNever, restartUnlessExitCodeIn(ignored))
	case enabled:
		// Always is the pod default.
	default:
		// ECS ignores the exit of a non-essential container with any code.
		if t.caps.ContainerRestartRules {
			tc.k8s.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyNever)
		} else {
			t.rep.Warn(t.rep.Field(tc.path, ".essential"), "non-essential container %s will be restarted by kubelet when it exits", tc.def.Name)
		}
	}
}

// setContainerRestart sets a container restart policy, which needs the
// ContainerRestartRules feature.
func (t *taskTranslation) setContainerRestart(tc *taskContainer, path string, policy corev1.ContainerRestartPolicy, rules []corev1.ContainerRestartRule) {
	if !t.caps.ContainerRestartRules {
		t.rep.Warn(path, "container restart rules need the ContainerRestartRules feature (Kubernetes 1.35+); restart behaviour of %q follows the pod", tc.def.Name)
		return
	}
	tc.k8s.RestartPolicy = ptr.To(policy)
	tc.k8s.RestartPolicyRules = rules
}

func restartUnlessExitCodeIn(codes []int32) []corev1.ContainerRestartRule {
	values := slices.Clone(codes)
	slices.Sort(values)
	values = slices.Compact(values)
	return []corev1.ContainerRestartRule{{
		Action:    corev1.ContainerRestartRuleActionRestart,
		ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpNotIn, Values: values},
	}}
}

// wrapCompleteContainer makes a COMPLETE dependency exit 0 whatever its
// real exit code, when kubernetes.wrapCompleteContainers asks for it, so
// that its dependents start as ECS COMPLETE allows.
func (t *taskTranslation) wrapCompleteContainer(tc *taskContainer) {
	if !tc.completeTarget || t.windows || len(tc.def.EntryPoint) == 0 {
		return
	}
	if t.spec.Kubernetes == nil || !ptr.Deref(t.spec.Kubernetes.WrapCompleteContainers, false) {
		return
	}
	wrapped := []string{"/bin/sh", "-c", `"$0" "$@"; exit 0`}
	wrapped = append(wrapped, tc.k8s.Command...)
	wrapped = append(wrapped, tc.k8s.Args...)
	tc.k8s.Command = wrapped
	tc.k8s.Args = nil
}

// initOrder returns the init containers (run-to-completion containers and
// sidecars) in a topological order of their dependsOn edges, ties broken by
// ECS order, with the FireLens router as early as its dependencies allow.
func (t *taskTranslation) initOrder() []*taskContainer {
	var pending []*taskContainer
	for _, tc := range t.containers {
		if tc.role != roleApp {
			pending = append(pending, tc)
		}
	}
	var placed [maxContainers]bool
	ready := func(tc *taskContainer) bool {
		for _, dep := range tc.def.DependsOn {
			target := firstNamed(t.containers, dep.ContainerName)
			if target.role != roleApp && !placed[target.index] {
				return false
			}
		}
		return true
	}
	order := make([]*taskContainer, 0, len(pending))
	for len(pending) > 0 {
		next := -1
		for i, tc := range pending {
			if !ready(tc) {
				continue
			}
			if next < 0 || (tc.logRouter && !pending[next].logRouter) {
				next = i
			}
		}
		if next < 0 {
			// A cycle, already reported; keep ECS order.
			return append(order, pending...)
		}
		placed[pending[next].index] = true
		order = append(order, pending[next])
		pending = slices.Delete(pending, next, next+1)
	}
	return order
}
