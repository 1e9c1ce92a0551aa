package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// TestFieldMapExampleB is field-map.md §10 example B: dependsOn and
// essential=false become a regular init container and a native sidecar.
func TestFieldMapExampleB(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"api","networkMode":"awsvpc","containerDefinitions":[
		{"name":"migrate","image":"api:1","essential":false,"command":["migrate","up"],"memory":128},
		{"name":"cache","image":"redis:7","essential":false,"memory":256,
		 "healthCheck":{"command":["CMD","redis-cli","ping"],"interval":5,"retries":3}},
		{"name":"app","image":"api:1","memory":512,
		 "dependsOn":[{"containerName":"migrate","condition":"SUCCESS"},{"containerName":"cache","condition":"HEALTHY"}]}]}`))
	spec := res.PodTemplate.Spec
	if got := containerNames(spec.InitContainers); !reflect.DeepEqual(got, []string{"migrate", "cache"}) {
		t.Fatalf("init containers = %v, want [migrate cache]", got)
	}
	if got := containerNames(spec.Containers); !reflect.DeepEqual(got, []string{"app"}) {
		t.Fatalf("containers = %v, want [app]", got)
	}
	migrate := spec.InitContainers[0]
	if migrate.RestartPolicy != nil || !reflect.DeepEqual(migrate.Args, []string{"migrate", "up"}) || migrate.Command != nil {
		t.Errorf("migrate = restartPolicy %v command %v args %v", migrate.RestartPolicy, migrate.Command, migrate.Args)
	}
	cache := spec.InitContainers[1]
	if ptr.Deref(cache.RestartPolicy, "") != corev1.ContainerRestartPolicyAlways {
		t.Errorf("cache restartPolicy = %v, want Always", cache.RestartPolicy)
	}
	wantStartup := &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"redis-cli", "ping"}}},
		PeriodSeconds: 5, TimeoutSeconds: 5, FailureThreshold: 3,
	}
	if !reflect.DeepEqual(cache.StartupProbe, wantStartup) {
		t.Errorf("cache startupProbe = %+v, want %+v", cache.StartupProbe, wantStartup)
	}
	if cache.ReadinessProbe != nil || cache.LivenessProbe != nil {
		t.Error("non-essential cache got readiness/liveness probes")
	}
	if quantityString(cache.Resources.Limits, corev1.ResourceMemory) != "256Mi" {
		t.Errorf("cache limits = %v", cache.Resources.Limits)
	}
	app := spec.Containers[0]
	if app.RestartPolicy != nil {
		t.Errorf("essential app has restartPolicy %v", *app.RestartPolicy)
	}
	if spec.Resources != nil {
		t.Error("pod-level resources without task cpu/memory")
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings = %v, want none", res.Warnings)
	}
}

func TestInitContainerOrder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		task       string
		wantInit   []string
		wantRegual []string
	}{{
		name: "topological order, ties by ECS order",
		task: `{"family":"f","containerDefinitions":[
			{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"c","condition":"START"},{"containerName":"b","condition":"START"}]},
			{"name":"b","image":"i","memory":64,"essential":false,"dependsOn":[{"containerName":"c","condition":"SUCCESS"}]},
			{"name":"c","image":"i","memory":64,"essential":false}]}`,
		wantInit:   []string{"c", "b"},
		wantRegual: []string{"app"},
	}, {
		name: "ties keep ECS order",
		task: `{"family":"f","containerDefinitions":[
			{"name":"z","image":"i","memory":64,"essential":false},
			{"name":"y","image":"i","memory":64,"essential":false},
			{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"y","condition":"START"},{"containerName":"z","condition":"START"}]}]}`,
		wantInit:   []string{"z", "y"},
		wantRegual: []string{"app"},
	}, {
		name: "the FireLens router starts first",
		task: `{"family":"f","containerDefinitions":[
			{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"START"}],"logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"stdout"}}},
			{"name":"db","image":"i","memory":64,"essential":false},
			{"name":"router","image":"fluent-bit","memory":64,"firelensConfiguration":{"type":"fluentbit"}}]}`,
		wantInit:   []string{"router", "db"},
		wantRegual: []string{"app"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res := taskOK(t, taskIn(t, tc.task))
			if got := containerNames(res.PodTemplate.Spec.InitContainers); !reflect.DeepEqual(got, tc.wantInit) {
				t.Errorf("init containers = %v, want %v", got, tc.wantInit)
			}
			if got := containerNames(res.PodTemplate.Spec.Containers); !reflect.DeepEqual(got, tc.wantRegual) {
				t.Errorf("containers = %v, want %v", got, tc.wantRegual)
			}
		})
	}
}

func TestDependencyErrors(t *testing.T) {
	for _, tc := range []struct {
		name, task, field, substr string
	}{
		{"cycle names both containers", `{"family":"f","containerDefinitions":[
			{"name":"app","image":"i","memory":64},
			{"name":"a","image":"i","memory":64,"essential":false,"dependsOn":[{"containerName":"b","condition":"START"}]},
			{"name":"b","image":"i","memory":64,"essential":false,"dependsOn":[{"containerName":"a","condition":"START"}]}]}`,
			"containerDefinitions[2].dependsOn[0].containerName", `"b" depends on "a", which depends on "b"`},
		{"unknown container", `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"START"}]}]}`,
			"containerDefinitions[0].dependsOn[0].containerName", `container "app" depends on unknown container "db"`},
		{"self reference", `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"app","condition":"START"}]}]}`,
			"containerDefinitions[0].dependsOn[0].containerName", `"app" depends on itself`},
		{"SUCCESS on an essential container", `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"SUCCESS"}]},{"name":"db","image":"i","memory":64}]}`,
			"containerDefinitions[0].dependsOn[0].condition", `"db" is essential`},
		{"HEALTHY without a health check", `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"HEALTHY"}]},{"name":"db","image":"i","memory":64,"essential":false}]}`,
			"containerDefinitions[0].dependsOn[0].condition", `HEALTHY needs a healthCheck on container "db"`},
		{"HEALTHY and SUCCESS on one target", `{"family":"f","containerDefinitions":[
			{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"HEALTHY"}]},
			{"name":"app2","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"SUCCESS"}]},
			{"name":"db","image":"i","memory":64,"essential":false,"healthCheck":{"command":["CMD","true"]}}]}`,
			"containerDefinitions[0].dependsOn[0].condition", "cannot both keep running and run to completion"},
		{"unknown condition", `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"READY"}]},{"name":"db","image":"i","memory":64}]}`,
			"containerDefinitions[0].dependsOn[0].condition", `unknown condition "READY"`},
		{"no essential container", `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"essential":false}]}`,
			"containerDefinitions", "at least one container must be essential"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, taskFails(t, taskIn(t, tc.task)), tc.field, tc.substr)
		})
	}
}

func TestNonEssentialRestartPolicy(t *testing.T) {
	task := `{"family":"f","containerDefinitions":[
		{"name":"app","image":"i","memory":64},
		{"name":"helper","image":"i","memory":64,"essential":false},
		{"name":"retry","image":"i","memory":64,"essential":false,"restartPolicy":{"enabled":true}},
		{"name":"codes","image":"i","memory":64,"essential":false,"restartPolicy":{"enabled":true,"ignoredExitCodes":[3,1,3],"restartAttemptPeriod":60}}]}`
	res := taskOK(t, taskIn(t, task))
	if got := podContainer(t, res, "app").RestartPolicy; got != nil {
		t.Errorf("app restartPolicy = %v, want unset (pod default)", *got)
	}
	if got := podContainer(t, res, "helper").RestartPolicy; ptr.Deref(got, "") != corev1.ContainerRestartPolicyNever {
		t.Errorf("helper restartPolicy = %v, want Never", got)
	}
	if got := podContainer(t, res, "retry").RestartPolicy; got != nil {
		t.Errorf("retry restartPolicy = %v, want unset (Always)", *got)
	}
	codes := podContainer(t, res, "codes")
	wantRules := []corev1.ContainerRestartRule{{
		Action:    corev1.ContainerRestartRuleActionRestart,
		ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpNotIn, Values: []int32{1, 3}},
	}}
	if ptr.Deref(codes.RestartPolicy, "") != corev1.ContainerRestartPolicyNever || !reflect.DeepEqual(codes.RestartPolicyRules, wantRules) {
		t.Errorf("codes = %v %v, want Never with %v", codes.RestartPolicy, codes.RestartPolicyRules, wantRules)
	}
	requireWarning(t, res, "containerDefinitions[3].restartPolicy.restartAttemptPeriod", "not configurable")
	requireNote(t, res, "containerDefinitions[0].essential", "Kubernetes restarts the container in place")

	in := taskIn(t, task)
	in.Capabilities.ContainerRestartRules = false
	res = taskOK(t, in)
	if got := podContainer(t, res, "helper").RestartPolicy; got != nil {
		t.Errorf("helper restartPolicy without ContainerRestartRules = %v", *got)
	}
	requireWarning(t, res, "containerDefinitions[1].essential", "non-essential container helper will be restarted by kubelet when it exits")
	requireWarning(t, res, "containerDefinitions[3].restartPolicy.ignoredExitCodes", "ContainerRestartRules")
}

func TestJobLifecycle(t *testing.T) {
	in := taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"main","image":"i","memory":64,"restartPolicy":{"enabled":true,"ignoredExitCodes":[2]},
		 "healthCheck":{"command":["CMD-SHELL","true"]}},
		{"name":"other","image":"i","memory":64,"restartPolicy":{"enabled":true}},
		{"name":"agent","image":"i","memory":64,"essential":false}]}`)
	in.Workload = WorkloadJob
	res := taskOK(t, in)
	spec := res.PodTemplate.Spec
	if spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("pod restartPolicy = %q, want Never", spec.RestartPolicy)
	}
	if got := containerNames(spec.InitContainers); !reflect.DeepEqual(got, []string{"agent"}) {
		t.Errorf("init containers = %v, want the non-essential agent as a sidecar", got)
	}
	if ptr.Deref(spec.InitContainers[0].RestartPolicy, "") != corev1.ContainerRestartPolicyAlways {
		t.Errorf("agent restartPolicy = %v, want Always", spec.InitContainers[0].RestartPolicy)
	}
	main := podContainer(t, res, "main")
	if ptr.Deref(main.RestartPolicy, "") != corev1.ContainerRestartPolicyNever ||
		len(main.RestartPolicyRules) != 1 || !reflect.DeepEqual(main.RestartPolicyRules[0].ExitCodes.Values, []int32{0, 2}) {
		t.Errorf("main = %v %+v, want Never, restart unless exit code in [0 2]", main.RestartPolicy, main.RestartPolicyRules)
	}
	if main.LivenessProbe != nil || main.ReadinessProbe == nil {
		t.Errorf("job container probes: liveness %v readiness %v; want readiness only", main.LivenessProbe, main.ReadinessProbe)
	}
	if got := podContainer(t, res, "other").RestartPolicy; ptr.Deref(got, "") != corev1.ContainerRestartPolicyOnFailure {
		t.Errorf("other restartPolicy = %v, want OnFailure", got)
	}
	requireWarning(t, res, "containerDefinitions", "the Job pod waits for all")
}

func TestCompleteDependency(t *testing.T) {
	task := `{"family":"f","kubernetes":{"wrapCompleteContainers":true},"containerDefinitions":[
		{"name":"init","image":"i","memory":64,"essential":false,"entryPoint":["/migrate"],"command":["up"]},
		{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"init","condition":"COMPLETE"}]}]}`
	res := taskOK(t, taskIn(t, task))
	init := podContainer(t, res, "init")
	want := []string{"/bin/sh", "-c", `"$0" "$@"; exit 0`, "/migrate", "up"}
	if !reflect.DeepEqual(init.Command, want) || init.Args != nil {
		t.Errorf("wrapped command = %v args %v, want %v", init.Command, init.Args, want)
	}
	requireNoWarning(t, res, "containerDefinitions[1].dependsOn[0].condition")

	in := taskIn(t, task)
	in.Spec.Kubernetes = nil
	res = taskOK(t, in)
	if got := podContainer(t, res, "init").Command; !reflect.DeepEqual(got, []string{"/migrate"}) {
		t.Errorf("unwrapped command = %v", got)
	}
	requireWarning(t, res, "containerDefinitions[1].dependsOn[0].condition", "COMPLETE treated as SUCCESS")
}

func TestEntryPointAndCommand(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,
		"entryPoint":["/bin/sh","-c"],"command":["echo $(HOME) $$ $HOME"],"workingDirectory":"/srv"}]}`))
	c := podContainer(t, res, "a")
	if !reflect.DeepEqual(c.Command, []string{"/bin/sh", "-c"}) {
		t.Errorf("command = %v, want the ECS entryPoint", c.Command)
	}
	// Kubernetes would expand $(HOME) and fold $$; ECS passes both as is.
	if !reflect.DeepEqual(c.Args, []string{"echo $$(HOME) $$$$ $$HOME"}) {
		t.Errorf("args = %v, want the ECS command with $ escaped", c.Args)
	}
	if c.WorkingDir != "/srv" {
		t.Errorf("workingDir = %q", c.WorkingDir)
	}
}
