package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// taskSpecFromJSON decodes a task definition written as ECS JSON,
// rejecting unknown fields so a typo in a test fails loudly.
func taskSpecFromJSON(tb testing.TB, js string) *ecsv1.TaskDefinitionSpec {
	tb.Helper()
	var spec ecsv1.TaskDefinitionSpec
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		tb.Fatalf("test task definition: %v\n%s", err, js)
	}
	return &spec
}

func clusterSpecFromJSON(tb testing.TB, js string) *ecsv1.ECSClusterSpec {
	tb.Helper()
	var spec ecsv1.ECSClusterSpec
	dec := json.NewDecoder(bytes.NewReader([]byte(js)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		tb.Fatalf("test cluster: %v\n%s", err, js)
	}
	return &spec
}

// taskIn is a TaskInput for a task definition in ECS JSON, in namespace
// "apps", revision 3, on a Kubernetes cluster with every capability.
func taskIn(tb testing.TB, js string) TaskInput {
	tb.Helper()
	return TaskInput{
		Namespace:    "apps",
		Name:         "td",
		Revision:     3,
		Spec:         taskSpecFromJSON(tb, js),
		ClusterName:  "prod",
		Capabilities: AllCapabilities(),
	}
}

// taskOK translates and fails the test on error.
func taskOK(tb testing.TB, in TaskInput) *TaskResult {
	tb.Helper()
	res, err := TranslateTask(in)
	if err != nil {
		tb.Fatalf("TranslateTask: %v", err)
	}
	return res
}

// taskFails translates, expecting field errors and no result.
func taskFails(tb testing.TB, in TaskInput) report.Errors {
	tb.Helper()
	res, err := TranslateTask(in)
	if err == nil {
		tb.Fatalf("TranslateTask succeeded, want an error; warnings: %v", res.Warnings)
	}
	if res != nil {
		tb.Fatalf("TranslateTask returned objects together with an error")
	}
	var errs report.Errors
	if !errors.As(err, &errs) {
		tb.Fatalf("error is %T, want report.Errors", err)
	}
	return errs
}

// requireError checks that errs has an error on field whose message
// contains substr.
func requireError(tb testing.TB, errs report.Errors, field, substr string) {
	tb.Helper()
	for _, e := range errs {
		if e.Field == field && strings.Contains(e.Message, substr) {
			return
		}
	}
	tb.Errorf("no error on %s containing %q; got %v", field, substr, errs)
}

// findWarning returns the first warning on field containing substr.
func findWarning(ws []ecsv1.TranslationWarning, field, substr string) bool {
	for _, w := range ws {
		if w.Field == field && strings.Contains(w.Reason, substr) {
			return true
		}
	}
	return false
}

func requireWarning(tb testing.TB, res *TaskResult, field, substr string) {
	tb.Helper()
	if !findWarning(res.Warnings, field, substr) {
		tb.Errorf("no warning on %s containing %q; got %v", field, substr, res.Warnings)
	}
}

func requireNoWarning(tb testing.TB, res *TaskResult, field string) {
	tb.Helper()
	for _, w := range res.Warnings {
		if w.Field == field {
			tb.Errorf("unexpected warning on %s: %s", field, w.Reason)
		}
	}
}

func requireNote(tb testing.TB, res *TaskResult, field, substr string) {
	tb.Helper()
	if !findWarning(res.Notes, field, substr) {
		tb.Errorf("no note on %s containing %q; got %v", field, substr, res.Notes)
	}
}

// podContainer finds a container or init container by Kubernetes name.
func podContainer(tb testing.TB, res *TaskResult, name string) *corev1.Container {
	tb.Helper()
	spec := &res.PodTemplate.Spec
	for i := range spec.Containers {
		if spec.Containers[i].Name == name {
			return &spec.Containers[i]
		}
	}
	for i := range spec.InitContainers {
		if spec.InitContainers[i].Name == name {
			return &spec.InitContainers[i]
		}
	}
	tb.Fatalf("no container %q in %v / init %v", name, containerNames(spec.Containers), containerNames(spec.InitContainers))
	return nil
}

func containerNames(cs []corev1.Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// quantityString renders a resource quantity for comparisons ("" when
// absent).
func quantityString(list corev1.ResourceList, name corev1.ResourceName) string {
	q, ok := list[name]
	if !ok {
		return ""
	}
	return q.String()
}

// mustJSON encodes test values that cannot fail to encode.
func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}
