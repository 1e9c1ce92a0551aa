package translate

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestPodTemplateMetadata(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"My_Web.App","revision":7,"containerDefinitions":[
		{"name":"App_Server","image":"i","memory":64,"dockerLabels":{"com.example.team":"web"}}]}`))
	meta := res.PodTemplate.ObjectMeta
	wantLabels := map[string]string{
		"app.kubernetes.io/name":       "My_Web.App",
		"app.kubernetes.io/managed-by": "ecs-operator",
		"ecs.operator.dev/cluster":     "prod",
		"ecs.operator.dev/family":      "My_Web.App",
		"ecs.operator.dev/revision":    "3",
	}
	if !reflect.DeepEqual(meta.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", meta.Labels, wantLabels)
	}
	if got := meta.Annotations[AnnotationContainerNames]; got != `{"app-server":"App_Server"}` {
		t.Errorf("container names annotation = %q", got)
	}
	if got := meta.Annotations["ecs.operator.dev/docker-labels.app-server"]; got != `{"com.example.team":"web"}` {
		t.Errorf("docker labels annotation = %q", got)
	}
	if got := meta.Annotations[ecsv1.AnnotationSourceRevision]; got != "7" {
		t.Errorf("source revision = %q", got)
	}
	if res.Family != "My_Web.App" {
		t.Errorf("Family = %q", res.Family)
	}
	requireWarning(t, res, "containerDefinitions[0].dockerLabels", "annotation")
	requireNote(t, res, "revision", "read-only")
}

func TestContainerNameCollision(t *testing.T) {
	spec := `{"family":"f","containerDefinitions":[{"name":"web_app","image":"i","memory":64},{"name":"web-app","image":"i","memory":64}]}`
	res := taskOK(t, taskIn(t, spec))
	names := containerNames(res.PodTemplate.Spec.Containers)
	if len(names) != 2 || names[0] == names[1] || !strings.HasPrefix(names[0], "web-app-") {
		t.Errorf("containers = %v, want two suffixed names", names)
	}
	requireWarning(t, res, "containerDefinitions[0].name", `names "web_app" and "web-app" collide after sanitising`)
	got := ContainerNames(taskSpecFromJSON(t, spec))
	if got["web_app"] != names[0] || got["web-app"] != names[1] {
		t.Errorf("ContainerNames = %v, pod has %v", got, names)
	}
	requireError(t, taskFails(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64},{"name":"a","image":"i","memory":64}]}`)),
		"containerDefinitions[1].name", "must be unique")
}

func TestTags(t *testing.T) {
	labels, annotation := TagMetadata([]ecsv1.Tag{
		{Key: strPtr("team"), Value: strPtr("payments")},
		{Key: strPtr("aws:cloudformation:stack-name"), Value: strPtr("s")},
		{Key: strPtr("cost center"), Value: strPtr("42")},
		{Key: strPtr("team"), Value: strPtr("billing")},
	})
	if !reflect.DeepEqual(labels, map[string]string{"team": "billing"}) {
		t.Errorf("labels = %v", labels)
	}
	if annotation != `{"aws:cloudformation:stack-name":"s","cost center":"42","team":"billing"}` {
		t.Errorf("annotation = %s", annotation)
	}
	res := taskOK(t, taskIn(t, `{"family":"f","taskRoleArn":"arn:aws:iam::111122223333:role/r","tags":[{"key":"team","value":"web"}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	if res.ServiceAccount.Labels["team"] != "web" || res.ServiceAccount.Annotations[ecsv1.AnnotationTags] != `{"team":"web"}` {
		t.Errorf("ServiceAccount metadata = %v %v", res.ServiceAccount.Labels, res.ServiceAccount.Annotations)
	}
	if _, ok := res.PodTemplate.Labels["team"]; ok {
		t.Error("task definition tags reached the pod template (only propagateTags does that)")
	}
}

func strPtr(s string) *string { return &s }

func TestRuntimePlatform(t *testing.T) {
	for _, tc := range []struct {
		platform string
		want     map[string]string
		os       corev1.OSName
		warning  string
	}{
		{`{"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"}`, map[string]string{"kubernetes.io/arch": "arm64", "kubernetes.io/os": "linux"}, corev1.Linux, ""},
		{`{"cpuArchitecture":"X86_64"}`, map[string]string{"kubernetes.io/arch": "amd64"}, "", ""},
		{`{"operatingSystemFamily":"WINDOWS_SERVER_2022_FULL"}`, map[string]string{"kubernetes.io/os": "windows", "node.kubernetes.io/windows-build": "10.0.20348"}, corev1.Windows, "FULL vs CORE"},
		{`{"operatingSystemFamily":"WINDOWS_SERVER_2019_CORE"}`, map[string]string{"kubernetes.io/os": "windows", "node.kubernetes.io/windows-build": "10.0.17763"}, corev1.Windows, ""},
	} {
		res := taskOK(t, taskIn(t, `{"family":"f","runtimePlatform":`+tc.platform+`,"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
		spec := res.PodTemplate.Spec
		if !reflect.DeepEqual(spec.NodeSelector, tc.want) {
			t.Errorf("%s: nodeSelector = %v, want %v", tc.platform, spec.NodeSelector, tc.want)
		}
		if (spec.OS == nil && tc.os != "") || (spec.OS != nil && spec.OS.Name != tc.os) {
			t.Errorf("%s: os = %+v, want %q", tc.platform, spec.OS, tc.os)
		}
		if tc.warning != "" {
			requireWarning(t, res, "runtimePlatform.operatingSystemFamily", tc.warning)
		}
	}
	requireError(t, taskFails(t, taskIn(t, `{"family":"f","runtimePlatform":{"operatingSystemFamily":"MACOS"},"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)),
		"runtimePlatform.operatingSystemFamily", "unknown operating system family")
}

func TestTaskLevelUnsupportedFields(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","executionRoleArn":"arn:aws:iam::111122223333:role/exec","enableFaultInjection":true,
		"proxyConfiguration":{"type":"APPMESH","containerName":"envoy"},"inferenceAccelerators":[{"deviceName":"d","deviceType":"eia2.medium"}],
		"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type =~ t3.*"}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64,"versionConsistency":"enabled"}]}`))
	for field, substr := range map[string]string{
		"executionRoleArn":                           "secret fetching",
		"enableFaultInjection":                       "fault-injection",
		"proxyConfiguration":                         "App Mesh",
		"inferenceAccelerators":                      "Elastic Inference",
		"containerDefinitions[0].versionConsistency": "ECS would pin a digest",
	} {
		requireWarning(t, res, field, substr)
	}
	requireNote(t, res, "placementConstraints[0]", "service or job translation")
	requireError(t, taskFails(t, taskIn(t, `{"family":"f","placementConstraints":[{"type":"distinctInstance"}],"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)),
		"placementConstraints[0].type", "only valid in a service")
	in := taskIn(t, `{"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	if got := taskOK(t, in).Family; got != "td" {
		t.Errorf("family defaults to %q, want the object name td", got)
	}
	in.Name = ""
	requireError(t, taskFails(t, in), "family", "required")
}
