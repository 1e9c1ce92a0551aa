package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func execProbe(command []string, period, timeout, failure int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: command}},
		PeriodSeconds: period, TimeoutSeconds: timeout, FailureThreshold: failure,
	}
}

// TestFieldMapExampleA is the task part of field-map.md §10 example A.
func TestFieldMapExampleA(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"web","networkMode":"awsvpc","cpu":"0.5 vCPU","memory":"1GB",
		"containerDefinitions":[{"name":"app","image":"nginx:1.27","cpu":256,"memoryReservation":256,
		"portMappings":[{"name":"http","containerPort":80,"appProtocol":"http"}],
		"healthCheck":{"command":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"startPeriod":60}}]}`))
	spec := res.PodTemplate.Spec
	if quantityString(spec.Resources.Requests, corev1.ResourceCPU) != "500m" || quantityString(spec.Resources.Limits, corev1.ResourceMemory) != "1Gi" {
		t.Errorf("pod resources = %v", spec.Resources)
	}
	app := podContainer(t, res, "app")
	if !reflect.DeepEqual(app.Ports, []corev1.ContainerPort{{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP}}) {
		t.Errorf("ports = %v", app.Ports)
	}
	checkResourceList(t, "requests", app.Resources.Requests, map[corev1.ResourceName]string{corev1.ResourceCPU: "250m", corev1.ResourceMemory: "256Mi"})
	shell := []string{"/bin/sh", "-c", "curl -f http://localhost/ || exit 1"}
	if want := execProbe(shell, 30, 5, 5); !reflect.DeepEqual(app.StartupProbe, want) {
		t.Errorf("startupProbe = %+v, want %+v", app.StartupProbe, want)
	}
	for name, p := range map[string]*corev1.Probe{"readiness": app.ReadinessProbe, "liveness": app.LivenessProbe} {
		if want := execProbe(shell, 30, 5, 3); !reflect.DeepEqual(p, want) {
			t.Errorf("%sProbe = %+v, want %+v", name, p, want)
		}
	}
	wantPorts := []TaskPort{{Container: "app", Name: "http", ECSName: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP, AppProtocol: "http"}}
	if !reflect.DeepEqual(res.Ports, wantPorts) {
		t.Errorf("Ports = %+v, want %+v", res.Ports, wantPorts)
	}
}

func TestHealthCheckCommands(t *testing.T) {
	for _, tc := range []struct {
		name     string
		task     string
		want     *corev1.Probe
		readOnly bool
	}{
		{"CMD is exec", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["CMD","/bin/check","--fast"],"interval":10,"timeout":3,"retries":5}}]}`,
			execProbe([]string{"/bin/check", "--fast"}, 10, 3, 5), false},
		{"CMD-SHELL defaults", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["CMD-SHELL","test -f /ok"]}}]}`,
			execProbe([]string{"/bin/sh", "-c", "test -f /ok"}, 30, 5, 3), false},
		{"CMD-SHELL on Windows", `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"},"containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["CMD-SHELL","exit 0"]}}]}`,
			execProbe([]string{"cmd", "/S", "/C", "exit 0"}, 30, 5, 3), false},
		{"NONE disables", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["NONE"]}}]}`, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := taskOK(t, taskIn(t, tc.task))
			c := podContainer(t, res, "a")
			if !reflect.DeepEqual(c.ReadinessProbe, tc.want) || !reflect.DeepEqual(c.LivenessProbe, tc.want) {
				t.Errorf("readiness %+v liveness %+v, want %+v", c.ReadinessProbe, c.LivenessProbe, tc.want)
			}
			if c.StartupProbe != nil {
				t.Errorf("startupProbe without startPeriod: %+v", c.StartupProbe)
			}
		})
	}
	errs := taskFails(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["/healthcheck"]}}]}`))
	requireError(t, errs, "containerDefinitions[0].healthCheck.command", `first element "/healthcheck" must be CMD, CMD-SHELL or NONE`)

	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"healthCheck":{"command":["CMD-SHELL","curl","-f","localhost"]}}]}`))
	requireWarning(t, res, "containerDefinitions[0].healthCheck.command", "joined with spaces")
	if got := podContainer(t, res, "a").ReadinessProbe.Exec.Command; !reflect.DeepEqual(got, []string{"/bin/sh", "-c", "curl -f localhost"}) {
		t.Errorf("joined command = %v", got)
	}
}

func TestHealthyDependencyStartupWindow(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"db","image":"i","memory":64,"essential":false,"healthCheck":{"command":["CMD","check"],"interval":10,"retries":2,"startPeriod":120}},
		{"name":"app","image":"i","memory":64,"startTimeout":60,"dependsOn":[{"containerName":"db","condition":"HEALTHY"}]}]}`))
	db := podContainer(t, res, "db")
	// ceil(120/10)+2 = 14 checks, capped by the dependent's startTimeout:
	// 60 s / 10 s = 6.
	if db.StartupProbe == nil || db.StartupProbe.FailureThreshold != 6 {
		t.Errorf("db startupProbe = %+v, want failureThreshold 6", db.StartupProbe)
	}
	requireWarning(t, res, "containerDefinitions[1].startTimeout", "startTimeout not enforced")
}

func TestWidenStartupProbes(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"i","memory":64,"healthCheck":{"command":["CMD","check"],"interval":10,"retries":3}},
		{"name":"b","image":"i","memory":64,"healthCheck":{"command":["CMD","check"],"interval":10,"retries":3,"startPeriod":300}},
		{"name":"side","image":"i","memory":64,"essential":false,"healthCheck":{"command":["CMD","check"]}}]}`))
	pod := res.PodTemplate.Spec.DeepCopy()
	WidenStartupProbes(pod, 95)
	get := func(name string) *corev1.Container {
		for i := range pod.Containers {
			if pod.Containers[i].Name == name {
				return &pod.Containers[i]
			}
		}
		t.Fatalf("no container %s", name)
		return nil
	}
	// a: no startPeriod; the grace period gives ceil(95/10)+3 = 13.
	if want := execProbe([]string{"check"}, 10, 5, 13); !reflect.DeepEqual(get("a").StartupProbe, want) {
		t.Errorf("a startupProbe = %+v, want %+v", get("a").StartupProbe, want)
	}
	// b: startPeriod 300 is longer than the grace period: 30+3 stays.
	if got := get("b").StartupProbe.FailureThreshold; got != 33 {
		t.Errorf("b failureThreshold = %d, want 33", got)
	}
	if get("side").StartupProbe != nil {
		t.Error("non-essential container got a startup probe from the grace period")
	}
	before := res.PodTemplate.Spec.DeepCopy()
	WidenStartupProbes(before, 0)
	if !reflect.DeepEqual(before, &res.PodTemplate.Spec) {
		t.Error("a zero grace period changed the pod")
	}
}
