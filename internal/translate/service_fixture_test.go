package translate

import (
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// svcProbe is the probe TranslateTask gives an essential container with
// healthCheck ["CMD-SHELL", "curl -f localhost"] and ECS defaults.
func svcProbe(failureThreshold int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "curl -f localhost"}}},
		PeriodSeconds:    30,
		TimeoutSeconds:   5,
		FailureThreshold: failureThreshold,
	}
}

// svcInput is a service "web" (namespace shop, cluster prod, desiredCount
// 2) on a hand-built translation of an awsvpc task "web" with one
// essential container "app" (port 80 named http, appProtocol http, a
// health check, task cpu 512 / memory 1 GB). Unit tests build on it, so
// they depend only on the TaskResult contract, not on TranslateTask.
func svcInput(t testing.TB, serviceJSON string) ServiceInput {
	t.Helper()
	task := svcTaskSpec(t, `{"family":"web","networkMode":"awsvpc","cpu":"512","memory":"1024",
		"containerDefinitions":[{"name":"app","image":"nginx:1.27","cpu":256,"memoryReservation":256,
		  "portMappings":[{"name":"http","containerPort":80,"appProtocol":"http"}],
		  "healthCheck":{"command":["CMD-SHELL","curl -f localhost"]}}]}`)
	pod := corev1.PodTemplateSpec{}
	pod.Labels = map[string]string{
		ecsv1.LabelAppName:   "web",
		ecsv1.LabelManagedBy: ecsv1.ManagedByValue,
		ecsv1.LabelFamily:    "web",
		ecsv1.LabelRevision:  "3",
	}
	pod.Spec.Resources = &corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi")},
	}
	pod.Spec.Containers = []corev1.Container{{
		Name:           "app",
		Image:          "nginx:1.27",
		Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP}},
		Resources:      corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("256Mi")}},
		ReadinessProbe: svcProbe(3),
		LivenessProbe:  svcProbe(3),
	}}
	return ServiceInput{
		Namespace: "shop",
		Name:      "web",
		Spec:      svcSpec(t, serviceJSON),
		TaskSpec:  task,
		Task: &TaskResult{
			Family:      "web",
			PodTemplate: pod,
			Ports:       []TaskPort{{Container: "app", Name: "http", ECSName: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP, AppProtocol: "http"}},
		},
		Revision:     3,
		ClusterName:  "prod",
		Cluster:      &ecsv1.ECSClusterSpec{},
		Capabilities: AllCapabilities(),
	}
}

// svcBridgeInput is svcInput with a bridge task: container "app" with a
// dynamic host port for 8080 (unnamed) and "sidecar" with port 9000.
func svcBridgeInput(t testing.TB, serviceJSON string) ServiceInput {
	t.Helper()
	in := svcInput(t, serviceJSON)
	in.TaskSpec.NetworkMode = ptr.To("bridge")
	in.Task.Ports = []TaskPort{
		{Container: "app", ContainerPort: 8080, Protocol: corev1.ProtocolTCP},
		{Container: "sidecar", Name: "metrics", ECSName: "metrics", ContainerPort: 9000, Protocol: corev1.ProtocolTCP},
	}
	return in
}

func svcSpec(t testing.TB, js string) *ecsv1.ECSServiceSpec {
	t.Helper()
	spec := &ecsv1.ECSServiceSpec{}
	if err := json.Unmarshal([]byte(js), spec); err != nil {
		t.Fatalf("service JSON: %v", err)
	}
	return spec
}

func svcTaskSpec(t testing.TB, js string) *ecsv1.TaskDefinitionSpec {
	t.Helper()
	spec := &ecsv1.TaskDefinitionSpec{}
	if err := json.Unmarshal([]byte(js), spec); err != nil {
		t.Fatalf("task JSON: %v", err)
	}
	return spec
}

func svcClusterSpec(t testing.TB, js string) *ecsv1.ECSClusterSpec {
	t.Helper()
	spec := &ecsv1.ECSClusterSpec{}
	if err := json.Unmarshal([]byte(js), spec); err != nil {
		t.Fatalf("cluster JSON: %v", err)
	}
	return spec
}

// svcTranslate translates and fails the test on error.
func svcTranslate(t testing.TB, in ServiceInput) *ServiceResult {
	t.Helper()
	res, err := TranslateService(in)
	if err != nil {
		t.Fatalf("TranslateService: %v", err)
	}
	return res
}

// svcErrors translates and returns the field errors, failing the test
// when the translation succeeds.
func svcErrors(t testing.TB, in ServiceInput) report.Errors {
	t.Helper()
	res, err := TranslateService(in)
	if err == nil {
		t.Fatalf("TranslateService succeeded, want an error; warnings %v", res.Warnings)
	}
	if res != nil {
		t.Errorf("TranslateService returned objects with its error")
	}
	errs, ok := err.(report.Errors)
	if !ok {
		t.Fatalf("error is %T, want report.Errors: %v", err, err)
	}
	return errs
}

// svcHasNote reports whether notes hold an entry on field whose reason
// contains substr.
func svcHasNote(notes []ecsv1.TranslationWarning, field, substr string) bool {
	for _, n := range notes {
		if n.Field == field && strings.Contains(n.Reason, substr) {
			return true
		}
	}
	return false
}

// svcHasError reports whether errs hold an error on field containing
// substr.
func svcHasError(errs report.Errors, field, substr string) bool {
	for _, e := range errs {
		if e.Field == field && strings.Contains(e.Message, substr) {
			return true
		}
	}
	return false
}
