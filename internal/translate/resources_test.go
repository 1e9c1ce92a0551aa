package translate

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestCPUUnitsToMillicores(t *testing.T) {
	for _, tc := range []struct {
		units int64
		want  int64
	}{
		{0, 0}, {1, 1}, {2, 2}, {128, 125}, {256, 250}, {512, 500}, {1024, 1000},
		{100, 98}, {10, 10}, {1536, 1500}, {4096, 4000}, {-5, 0},
	} {
		if got := cpuUnitsToMillicores(tc.units); got != tc.want {
			t.Errorf("cpuUnitsToMillicores(%d) = %d, want %d", tc.units, got, tc.want)
		}
	}
}

func TestParseTaskCPU(t *testing.T) {
	for _, tc := range []struct {
		in        intstr.IntOrString
		wantMilli int64
		wantUnits float64
		ok        bool
	}{
		{intstr.FromInt32(1024), 1000, 1024, true},
		{intstr.FromString("1024"), 1000, 1024, true},
		{intstr.FromString("256"), 250, 256, true},
		{intstr.FromString("1 vCPU"), 1000, 1024, true},
		{intstr.FromString("1 vcpu"), 1000, 1024, true},
		{intstr.FromString("0.25 vcpu"), 250, 256, true},
		{intstr.FromString(".5 vCPU"), 500, 512, true},
		{intstr.FromString("2vCPU"), 2000, 2048, true},
		{intstr.FromString(" 4 VCPU "), 4000, 4096, true},
		{intstr.FromString("1.5"), 0, 0, false},
		{intstr.FromString("one vcpu"), 0, 0, false},
		{intstr.FromString("-1 vcpu"), 0, 0, false},
		{intstr.FromString("{{cpu}}"), 0, 0, false},
		{intstr.FromInt32(-1), 0, 0, false},
	} {
		got, ok := parseTaskCPU(tc.in)
		if ok != tc.ok || (ok && (got.millicores != tc.wantMilli || got.units != tc.wantUnits)) {
			t.Errorf("parseTaskCPU(%q) = %+v, %v; want %d m, %g units, %v", tc.in.String(), got, ok, tc.wantMilli, tc.wantUnits, tc.ok)
		}
	}
}

func TestParseTaskMemory(t *testing.T) {
	for _, tc := range []struct {
		in   intstr.IntOrString
		want int64
		ok   bool
	}{
		{intstr.FromInt32(512), 512, true},
		{intstr.FromString("512"), 512, true},
		{intstr.FromString("2GB"), 2048, true},
		{intstr.FromString("2 GB"), 2048, true},
		{intstr.FromString("2 gb"), 2048, true},
		{intstr.FromString(".5 gb"), 512, true},
		{intstr.FromString("0.25GB"), 256, true},
		{intstr.FromString("2 GiB"), 0, false},
		{intstr.FromString("2 MB"), 0, false},
		{intstr.FromString("lots"), 0, false},
	} {
		got, ok := parseTaskMemoryMiB(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseTaskMemoryMiB(%q) = %d, %v; want %d, %v", tc.in.String(), got, ok, tc.want, tc.ok)
		}
	}
}

func TestContainerResources(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		task                     string
		wantRequests, wantLimits map[corev1.ResourceName]string
	}{{
		name:         "cpu is a request only, memory the limit",
		task:         `{"family":"f","containerDefinitions":[{"name":"a","image":"i","cpu":256,"memory":512}]}`,
		wantRequests: map[corev1.ResourceName]string{corev1.ResourceCPU: "250m"},
		wantLimits:   map[corev1.ResourceName]string{corev1.ResourceMemory: "512Mi"},
	}, {
		name:         "memoryReservation is the request",
		task:         `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":512,"memoryReservation":128}]}`,
		wantRequests: map[corev1.ResourceName]string{corev1.ResourceMemory: "128Mi"},
		wantLimits:   map[corev1.ResourceName]string{corev1.ResourceMemory: "512Mi"},
	}, {
		name:         "memoryReservation alone leaves no limit",
		task:         `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memoryReservation":128}]}`,
		wantRequests: map[corev1.ResourceName]string{corev1.ResourceMemory: "128Mi"},
	}, {
		name:         "a tiny cpu value rounds up to 1m",
		task:         `{"family":"f","containerDefinitions":[{"name":"a","image":"i","cpu":1,"memory":64}]}`,
		wantRequests: map[corev1.ResourceName]string{corev1.ResourceCPU: "1m"},
		wantLimits:   map[corev1.ResourceName]string{corev1.ResourceMemory: "64Mi"},
	}, {
		name:       "cpu 0 means no request",
		task:       `{"family":"f","containerDefinitions":[{"name":"a","image":"i","cpu":0,"memory":64}]}`,
		wantLimits: map[corev1.ResourceName]string{corev1.ResourceMemory: "64Mi"},
	}, {
		name:         "Windows enforces container cpu as a limit",
		task:         `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2022_CORE"},"containerDefinitions":[{"name":"a","image":"i","cpu":512,"memory":1024}]}`,
		wantRequests: map[corev1.ResourceName]string{corev1.ResourceCPU: "500m"},
		wantLimits:   map[corev1.ResourceName]string{corev1.ResourceCPU: "500m", corev1.ResourceMemory: "1Gi"},
	}, {
		name:       "GPUs use the default resource name",
		task:       `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"resourceRequirements":[{"type":"GPU","value":"2"}]}]}`,
		wantLimits: map[corev1.ResourceName]string{corev1.ResourceMemory: "64Mi", "nvidia.com/gpu": "2"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res := taskOK(t, taskIn(t, tc.task))
			c := podContainer(t, res, "a")
			checkResourceList(t, "requests", c.Resources.Requests, tc.wantRequests)
			checkResourceList(t, "limits", c.Resources.Limits, tc.wantLimits)
			if res.PodTemplate.Spec.Resources != nil {
				t.Errorf("pod-level resources set without task cpu/memory: %v", res.PodTemplate.Spec.Resources)
			}
		})
	}
}

func checkResourceList(t *testing.T, what string, got corev1.ResourceList, want map[corev1.ResourceName]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for name, q := range want {
		if s := quantityString(got, name); s != q {
			t.Errorf("%s[%s] = %q, want %q", what, name, s, q)
		}
	}
}

func TestGPUResourceNameAndToleration(t *testing.T) {
	in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"resourceRequirements":[{"type":"GPU","value":"1"}]}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"gpuResourceName":"amd.com/gpu"}`)
	res := taskOK(t, in)
	if got := quantityString(podContainer(t, res, "a").Resources.Limits, "amd.com/gpu"); got != "1" {
		t.Errorf("amd.com/gpu limit = %q, want 1", got)
	}
	tols := res.PodTemplate.Spec.Tolerations
	if len(tols) != 1 || tols[0].Key != "amd.com/gpu" || tols[0].Operator != corev1.TolerationOpExists {
		t.Errorf("tolerations = %v, want one Exists toleration for amd.com/gpu", tols)
	}
}

func TestTaskLevelResources(t *testing.T) {
	for _, tc := range []struct {
		name         string
		task         string
		wantPodCPU   string
		wantPodMem   string
		wantWarnings []string
	}{
		{"vCPU and GB strings", `{"family":"f","cpu":"0.5 vCPU","memory":"1GB","containerDefinitions":[{"name":"a","image":"i","cpu":256,"memoryReservation":256}]}`, "500m", "1Gi", nil},
		{"numbers", `{"family":"f","cpu":1024,"memory":3072,"containerDefinitions":[{"name":"a","image":"i"}]}`, "1", "3Gi", nil},
		{"numeric strings", `{"family":"f","cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`, "250m", "512Mi", nil},
		{"memory only", `{"family":"f","memory":"64","containerDefinitions":[{"name":"a","image":"i","cpu":1}]}`, "", "64Mi", nil},
		{"rounded containers never exceed the pod", `{"family":"f","cpu":30,"memory":512,"containerDefinitions":[
			{"name":"a","image":"i","cpu":3},{"name":"b","image":"i","cpu":3},{"name":"c","image":"i","cpu":3},{"name":"d","image":"i","cpu":3},{"name":"e","image":"i","cpu":3},
			{"name":"f","image":"i","cpu":3},{"name":"g","image":"i","cpu":3},{"name":"h","image":"i","cpu":3},{"name":"j","image":"i","cpu":3},{"name":"k","image":"i","cpu":3}]}`, "30m", "512Mi", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := taskOK(t, taskIn(t, tc.task))
			pod := res.PodTemplate.Spec.Resources
			if pod == nil {
				t.Fatal("no pod-level resources")
			}
			for _, list := range []corev1.ResourceList{pod.Requests, pod.Limits} {
				if got := quantityString(list, corev1.ResourceCPU); got != tc.wantPodCPU {
					t.Errorf("pod cpu = %q, want %q", got, tc.wantPodCPU)
				}
				if got := quantityString(list, corev1.ResourceMemory); got != tc.wantPodMem {
					t.Errorf("pod memory = %q, want %q", got, tc.wantPodMem)
				}
			}
			for _, c := range res.PodTemplate.Spec.Containers {
				if _, ok := c.Resources.Limits[corev1.ResourceCPU]; ok {
					t.Errorf("container %s has a CPU limit on Linux", c.Name)
				}
			}
		})
	}
}

func TestTaskLevelResourcesFallback(t *testing.T) {
	in := taskIn(t, `{"family":"f","cpu":"1024","memory":"1024","containerDefinitions":[
		{"name":"app","image":"i","cpu":256,"memory":256},
		{"name":"side","image":"i","essential":false},
		{"name":"log","image":"i","essential":false}]}`)
	in.Capabilities.PodLevelResources = false
	res := taskOK(t, in)
	if res.PodTemplate.Spec.Resources != nil {
		t.Fatalf("pod-level resources set without the feature")
	}
	requireWarning(t, res, "cpu", "task-level cpu/memory cap not enforced without pod-level resources")
	app := podContainer(t, res, "app")
	checkResourceList(t, "app requests", app.Resources.Requests, map[corev1.ResourceName]string{corev1.ResourceCPU: "250m"})
	checkResourceList(t, "app limits", app.Resources.Limits, map[corev1.ResourceName]string{corev1.ResourceMemory: "256Mi"})
	// 1000m - 250m and 1024Mi - 256Mi are split over the two open
	// containers; their memory limit is the task memory.
	for _, name := range []string{"side", "log"} {
		c := podContainer(t, res, name)
		checkResourceList(t, name+" requests", c.Resources.Requests, map[corev1.ResourceName]string{corev1.ResourceCPU: "375m", corev1.ResourceMemory: "384Mi"})
		checkResourceList(t, name+" limits", c.Resources.Limits, map[corev1.ResourceName]string{corev1.ResourceMemory: "1Gi"})
	}
}

func TestTaskLevelResourcesFallbackRemainder(t *testing.T) {
	in := taskIn(t, `{"family":"f","cpu":"1024","memory":"1000","containerDefinitions":[
		{"name":"side","image":"i","essential":false},
		{"name":"app","image":"i"},
		{"name":"log","image":"i","essential":false}]}`)
	in.Capabilities.PodLevelResources = false
	res := taskOK(t, in)
	// 1000m / 3 = 333m rest 1m; 1000Mi / 3 = 333Mi rest 1Mi: the
	// remainder goes to the first essential container.
	for name, want := range map[string][2]string{"side": {"333m", "333Mi"}, "app": {"334m", "334Mi"}, "log": {"333m", "333Mi"}} {
		c := podContainer(t, res, name)
		if got := quantityString(c.Resources.Requests, corev1.ResourceCPU); got != want[0] {
			t.Errorf("%s cpu request = %s, want %s", name, got, want[0])
		}
		if got := quantityString(c.Resources.Requests, corev1.ResourceMemory); got != want[1] {
			t.Errorf("%s memory request = %s, want %s", name, got, want[1])
		}
	}
}

func TestTaskLevelResourcesWindowsIgnored(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","cpu":"1024","memory":"2048","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_CORE"},
		"containerDefinitions":[{"name":"a","image":"i","cpu":512,"memory":1024}]}`))
	if res.PodTemplate.Spec.Resources != nil {
		t.Errorf("pod-level resources on Windows: %v", res.PodTemplate.Spec.Resources)
	}
	requireWarning(t, res, "cpu", "task cpu/memory ignored for Windows")
}

func TestResourceValidation(t *testing.T) {
	for _, tc := range []struct {
		name, task, field, substr string
	}{
		{"container cpu sum over task cpu", `{"family":"f","cpu":"512","memory":"1024","containerDefinitions":[{"name":"a","image":"i","cpu":512},{"name":"b","image":"i","cpu":1}]}`, "cpu", "513 CPU units"},
		{"reservations over task memory", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","memoryReservation":300},{"name":"b","image":"i","memory":300}]}`, "memory", "600 MiB"},
		{"container memory over task memory", `{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","memory":1024,"memoryReservation":128}]}`, "containerDefinitions[0].memory", "more than the task memory"},
		{"memory below 6 MiB", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":4}]}`, "containerDefinitions[0].memory", "below the 6 MiB minimum"},
		{"reservation above memory", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":128}]}`, "containerDefinitions[0].memoryReservation", "must not exceed the limit"},
		{"EC2 needs container memory without task memory", `{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}`, "containerDefinitions[0].memory", "needs memory or memoryReservation"},
		{"Fargate needs task cpu", `{"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`, "cpu", "required with FARGATE"},
		{"Fargate needs task memory", `{"family":"f","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","containerDefinitions":[{"name":"a","image":"i"}]}`, "memory", "required with FARGATE"},
		{"bad task cpu", `{"family":"f","cpu":"two cores","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`, "cpu", "not CPU units"},
		{"bad task memory", `{"family":"f","memory":"2 TB","containerDefinitions":[{"name":"a","image":"i"}]}`, "memory", "not MiB"},
		{"bad GPU count", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"resourceRequirements":[{"type":"GPU","value":"all"}]}]}`, "containerDefinitions[0].resourceRequirements[0].value", "not a positive whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, taskFails(t, taskIn(t, tc.task)), tc.field, tc.substr)
		})
	}
}

func TestEphemeralStorage(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","ephemeralStorage":{"sizeInGiB":30},"containerDefinitions":[
		{"name":"side","image":"i","essential":false,"memory":64},{"name":"app","image":"i","memory":64}]}`))
	app := podContainer(t, res, "app")
	for _, list := range []corev1.ResourceList{app.Resources.Requests, app.Resources.Limits} {
		if got := quantityString(list, corev1.ResourceEphemeralStorage); got != "30Gi" {
			t.Errorf("app ephemeral-storage = %q, want 30Gi", got)
		}
	}
	if _, ok := podContainer(t, res, "side").Resources.Limits[corev1.ResourceEphemeralStorage]; ok {
		t.Error("non-essential container got the task's ephemeral storage")
	}
	requireWarning(t, res, "ephemeralStorage", "enforced via container app limit")
}
