//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/names"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
	"github.com/ecs-operator/ecs-operator/internal/translate"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// startOperator installs the CRDs and runs the operator for one test.
func startOperator(t *testing.T) {
	t.Helper()
	if err := cluster.InstallOperatorCRDs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := cluster.InstallIntegrationCRDs(t.Context()); err != nil && !errors.Is(err, testenv.ErrNoShared) {
		t.Fatal(err)
	}
	cluster.RunOperator(t, framework.OperatorOptions{Args: []string{
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--leader-elect=false",
	}})
}

// corpusTask is a corpus task definition the operator can run on the
// test bed's nodes.
type corpusTask struct {
	file string
	name string
	spec *ecsv1.TaskDefinitionSpec
}

// runnableCorpusTasks picks up to n corpus task definitions that translate
// cleanly and whose tasks fit an xlarge node without extended resources
// (GPUs): the rest of the corpus is about translation, covered elsewhere.
func runnableCorpusTasks(t *testing.T, n int) []corpusTask {
	t.Helper()
	shared, ok := testenv.SharedDir()
	if !ok {
		t.Skip("skipping: ../shared (the ECS corpus) is absent")
	}
	files, err := filepath.Glob(filepath.Join(shared, "corpus", "ecs", "taskdefs", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var tasks []corpusTask
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := ecsjson.Decode(data)
		if err != nil || len(docs) != 1 || docs[0].TaskDefinition == nil || docs[0].ContainersOnly {
			continue
		}
		spec := docs[0].TaskDefinition
		family := ptr.Deref(spec.Family, "")
		if family == "" {
			continue
		}
		name := names.Object(family)
		res, err := translate.TranslateTask(translate.TaskInput{Namespace: "e2e", Name: name, Revision: 1, Spec: spec, Capabilities: translate.AllCapabilities()})
		if err != nil || !fitsXlarge(res.PodTemplate.Spec) {
			continue
		}
		svc := &ecsv1.ECSServiceSpec{TaskDefinition: family, DesiredCount: ptr.To[int32](2)}
		if _, err := translate.TranslateService(translate.ServiceInput{Namespace: "e2e", Name: name, Spec: svc, TaskSpec: spec, Task: res, Revision: 1, Capabilities: translate.AllCapabilities()}); err != nil {
			continue
		}
		tasks = append(tasks, corpusTask{file: filepath.Base(file), name: name, spec: spec})
		if len(tasks) == n {
			break
		}
	}
	if len(tasks) < n {
		t.Fatalf("only %d runnable corpus task definitions, want %d", len(tasks), n)
	}
	return tasks
}

func fitsXlarge(pod corev1.PodSpec) bool {
	cpu, mem := resource.Quantity{}, resource.Quantity{}
	add := func(list corev1.ResourceList) bool {
		for name, q := range list {
			switch name {
			case corev1.ResourceCPU:
				cpu.Add(q)
			case corev1.ResourceMemory:
				mem.Add(q)
			case corev1.ResourceEphemeralStorage:
			default:
				return false
			}
		}
		return true
	}
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		// Limits only matter for extended resources (GPUs), which no node
		// of the test bed has.
		if !add(c.Resources.Requests) || !add(limitsWithoutCPUAndMemory(c.Resources.Limits)) {
			return false
		}
	}
	if pod.Resources != nil {
		cpu, mem = resource.Quantity{}, resource.Quantity{}
		if !add(pod.Resources.Requests) || !add(limitsWithoutCPUAndMemory(pod.Resources.Limits)) {
			return false
		}
	}
	return cpu.Cmp(resource.MustParse("1500m")) <= 0 && mem.Cmp(resource.MustParse("3Gi")) <= 0
}

func limitsWithoutCPUAndMemory(limits corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for name, q := range limits {
		if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
			out[name] = q
		}
	}
	return out
}

func serviceReady(s *ecsv1.ECSService) bool {
	c := meta.FindStatusCondition(s.Status.Conditions, ecsv1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && s.Status.ObservedGeneration == s.Generation
}

func waitService(t *testing.T, ns, name string, timeout time.Duration, what string, check func(*ecsv1.ECSService) bool) *ecsv1.ECSService {
	t.Helper()
	var svc ecsv1.ECSService
	framework.Eventually(t, timeout, fmt.Sprintf("ECSService %s/%s %s", ns, name, what), func(ctx context.Context) (bool, string, error) {
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &svc); err != nil {
			return false, "", err
		}
		return check(&svc), fmt.Sprintf("status %+v", svc.Status), nil
	})
	return &svc
}

// TestCorpusServicesBecomeAvailable runs services of real ECS task
// definitions: the Deployments become Available on the fake nodes and the
// services report runningCount = desiredCount and a steady state.
func TestCorpusServicesBecomeAvailable(t *testing.T) {
	startOperator(t)
	ns := cluster.Namespace(t)
	tasks := runnableCorpusTasks(t, 4)
	for _, task := range tasks {
		td := &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: task.name}, Spec: *task.spec}
		if err := cluster.Client.Create(t.Context(), td); err != nil {
			t.Fatalf("%s: %v", task.file, err)
		}
		svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: task.name}, Spec: ecsv1.ECSServiceSpec{
			TaskDefinition: ptr.Deref(task.spec.Family, ""), DesiredCount: ptr.To[int32](2),
		}}
		if err := cluster.Client.Create(t.Context(), svc); err != nil {
			t.Fatalf("%s: %v", task.file, err)
		}
	}
	for _, task := range tasks {
		cluster.WaitDeploymentAvailable(t, ns, task.name)
		svc := waitService(t, ns, task.name, 0, "ready with every task running", func(s *ecsv1.ECSService) bool {
			return serviceReady(s) && s.Status.RunningCount == s.Status.DesiredCount
		})
		if svc.Status.DesiredCount != 2 || svc.Status.PendingCount != 0 || svc.Status.TaskDefinition != ptr.Deref(task.spec.Family, "")+":1" {
			t.Errorf("%s: status %+v", task.file, svc.Status)
		}
		if len(svc.Status.Deployments) != 1 || svc.Status.Deployments[0].RolloutState != "COMPLETED" {
			t.Errorf("%s: deployments %+v", task.file, svc.Status.Deployments)
		}
		if len(svc.Status.Events) == 0 || !strings.HasSuffix(svc.Status.Events[0].Message, "has reached a steady state.") {
			t.Errorf("%s: events %+v", task.file, svc.Status.Events)
		}
	}
}

// TestCircuitBreakerRollsBackAFailingImage rolls a service out to an
// image whose tasks never pass their readiness check (the test bed's
// :unready marker): the circuit breaker fails the deployment and the
// previous revision runs again.
func TestCircuitBreakerRollsBackAFailingImage(t *testing.T) {
	startOperator(t)
	ns := cluster.Namespace(t)
	ctx := t.Context()
	td := &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"}, Spec: ecsv1.TaskDefinitionSpec{
		Family:      ptr.To("web"),
		NetworkMode: ptr.To("awsvpc"),
		ContainerDefinitions: []ecsv1.ContainerDefinition{{
			Name: "app", Image: "public.ecr.aws/nginx/nginx:1.27", Memory: ptr.To[int32](128),
			PortMappings: []ecsv1.PortMapping{{Name: ptr.To("http"), ContainerPort: ptr.To[int32](80)}},
		}},
	}}
	if err := cluster.Client.Create(ctx, td); err != nil {
		t.Fatal(err)
	}
	svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"}, Spec: ecsv1.ECSServiceSpec{
		TaskDefinition: "web", DesiredCount: ptr.To[int32](2),
		DeploymentConfiguration: &ecsv1.DeploymentConfiguration{
			DeploymentCircuitBreaker: &ecsv1.DeploymentCircuitBreaker{Enable: true, Rollback: true},
		},
		Kubernetes: &ecsv1.ServiceKubernetes{ProgressDeadlineSeconds: ptr.To[int32](30)},
	}}
	if err := cluster.Client.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	good := waitService(t, ns, "web", 0, "ready", func(s *ecsv1.ECSService) bool {
		return serviceReady(s) && s.Status.RunningCount == 2
	}).Status.Deployments[0]

	framework.Eventually(t, 0, "the new revision", func(ctx context.Context) (bool, string, error) {
		var current ecsv1.TaskDefinition
		if err := cluster.Client.Get(ctx, client.ObjectKeyFromObject(td), &current); err != nil {
			return false, "", err
		}
		current.Spec.ContainerDefinitions[0].Image = "public.ecr.aws/nginx/nginx:unready"
		err := cluster.Client.Update(ctx, &current)
		return err == nil, "", client.IgnoreNotFound(err)
	})
	failed := waitService(t, ns, "web", 3*time.Minute, "rolled back", func(s *ecsv1.ECSService) bool {
		return slices.ContainsFunc(s.Status.Deployments, func(d ecsv1.ServiceDeployment) bool {
			return d.TaskDefinition == "web:2" && d.RolloutState == "FAILED"
		}) && s.Status.TaskDefinition == "web:1"
	})
	stalled := meta.FindStatusCondition(failed.Status.Conditions, ecsv1.ConditionStalled)
	if stalled == nil || stalled.Reason != "DeploymentFailed" {
		t.Errorf("Stalled = %+v", stalled)
	}
	var messages []string
	for _, e := range failed.Status.Events {
		messages = append(messages, e.Message)
	}
	joined := strings.Join(messages, "\n")
	if !strings.Contains(joined, "deployment failed: tasks failed to start.") || !strings.Contains(joined, "rolling back to deployment "+good.ID) {
		t.Errorf("events:\n%s", joined)
	}

	// The previous revision's pod template runs again and the service
	// settles with every task running.
	dep := cluster.WaitDeploymentAvailable(t, ns, "web")
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "public.ecr.aws/nginx/nginx:1.27" {
		t.Errorf("image after the rollback = %s", img)
	}
	waitService(t, ns, "web", 0, "settled on the rolled back revision", func(s *ecsv1.ECSService) bool {
		return s.Status.RunningCount == 2 && s.Status.Deployments[0].RolloutState == "COMPLETED" && s.Status.Deployments[0].TaskDefinition == "web:1"
	})
	var pods corev1.PodList
	if err := cluster.Client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{ecsv1.LabelService: "web"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Labels[ecsv1.LabelRevision] != "1" {
			t.Errorf("pod %s of revision %s still running after the rollback", p.Name, p.Labels[ecsv1.LabelRevision])
		}
	}
}
