package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// kstatusOf computes what kstatus (kubectl wait, Flux, Argo CD health)
// makes of an ECSService.
func kstatusOf(t *testing.T, ns, name string) status.Status {
	t.Helper()
	svc := getService(t, ns, name)
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(svc)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetGroupVersionKind(ecsv1.GroupVersion.WithKind("ECSService"))
	res, err := status.Compute(u)
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

func ready(s *ecsv1.ECSService) error {
	if err := applied(s); err != nil {
		return err
	}
	if c := condition(s.Status.Conditions, ecsv1.ConditionReady); c.Status != metav1.ConditionTrue {
		return fmt.Errorf("Ready = %+v", c)
	}
	return nil
}

func TestServiceRolloutStatesAndKstatus(t *testing.T) {
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "roll", taskSpec("roll", "roll:1"))
	createService(t, ns, "roll", serviceSpec("roll", 2))
	waitForService(t, ns, "roll", applied)
	if got := kstatusOf(t, ns, "roll"); got != status.InProgressStatus {
		t.Errorf("kstatus of a service whose first deployment rolls out = %s, want InProgress", got)
	}

	completeRollout(t, ns, "roll")
	svc := waitForService(t, ns, "roll", ready)
	if got := kstatusOf(t, ns, "roll"); got != status.CurrentStatus {
		t.Errorf("kstatus of a converged service = %s, want Current", got)
	}
	if d := svc.Status.Deployments; len(d) != 1 || d[0].RolloutState != rolloutCompleted {
		t.Errorf("deployments = %+v, want one COMPLETED", d)
	}
	if len(svc.Status.Events) == 0 || svc.Status.Events[0].Message != "(service roll) has reached a steady state." {
		t.Errorf("events = %+v, want the steady state first", svc.Status.Events)
	}

	// A new revision starts a new deployment: IN_PROGRESS, the old one
	// kept as the rollback target.
	updateTaskDefinition(t, ns, "roll", func(td *ecsv1.TaskDefinition) { td.Spec.ContainerDefinitions[0].Image = "roll:2" })
	svc = waitForService(t, ns, "roll", func(s *ecsv1.ECSService) error {
		if s.Status.TaskDefinition != "roll:2" {
			return fmt.Errorf("taskDefinition %s", s.Status.TaskDefinition)
		}
		return nil
	})
	if got := kstatusOf(t, ns, "roll"); got != status.InProgressStatus {
		t.Errorf("kstatus during a rollout = %s, want InProgress", got)
	}
	d := svc.Status.Deployments
	if len(d) != 2 || d[0].RolloutState != rolloutInProgress || d[0].TaskDefinition != "roll:2" ||
		d[1].RolloutState != rolloutCompleted || d[1].TaskDefinition != "roll:1" {
		t.Errorf("deployments during a rollout = %+v", d)
	}
	completeRollout(t, ns, "roll")
	svc = waitForService(t, ns, "roll", ready)
	if len(svc.Status.Deployments) != 1 || kstatusOf(t, ns, "roll") != status.CurrentStatus {
		t.Errorf("after the rollout: deployments %+v, kstatus %s", svc.Status.Deployments, kstatusOf(t, ns, "roll"))
	}
}

func TestCircuitBreakerRollsBackToTheLastCompletedRevision(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "cb", taskSpec("cb", "cb:good"))
	createService(t, ns, "cb", serviceSpec("cb", 2))
	waitForService(t, ns, "cb", applied)
	completeRollout(t, ns, "cb")
	good := waitForService(t, ns, "cb", ready).Status.Deployments[0]

	updateTaskDefinition(t, ns, "cb", func(td *ecsv1.TaskDefinition) { td.Spec.ContainerDefinitions[0].Image = "cb:bad" })
	bad := waitForDeployment(t, ns, "cb", func(d *appsv1.Deployment) error {
		if img := d.Spec.Template.Spec.Containers[0].Image; img != "cb:bad" {
			return fmt.Errorf("image %s", img)
		}
		return nil
	})
	// The new tasks crash: 4 failed starts reach clamp(ceil(0.5*2),3,200).
	createServicePod(t, bad, "cb-bad-0", crashLooping(2))
	createServicePod(t, bad, "cb-bad-1", crashLooping(2))

	// The breaker trips and the last COMPLETED revision's pod template is
	// applied again.
	waitForDeployment(t, ns, "cb", func(d *appsv1.Deployment) error {
		if img := d.Spec.Template.Spec.Containers[0].Image; img != "cb:good" || d.Spec.Template.Labels[ecsv1.LabelRevision] != "1" {
			return fmt.Errorf("image %s, revision %s", img, d.Spec.Template.Labels[ecsv1.LabelRevision])
		}
		return nil
	})
	svc := waitForService(t, ns, "cb", func(s *ecsv1.ECSService) error {
		if s.Status.TaskDefinition != "cb:1" || len(s.Status.Deployments) < 2 {
			return fmt.Errorf("taskDefinition %s, deployments %+v", s.Status.TaskDefinition, s.Status.Deployments)
		}
		return nil
	})
	primary, failed := svc.Status.Deployments[0], svc.Status.Deployments[1]
	if primary.Status != deploymentPrimary || primary.TaskDefinition != "cb:1" || primary.RolloutState != rolloutInProgress {
		t.Errorf("primary after rollback = %+v", primary)
	}
	if failed.TaskDefinition != "cb:2" || failed.RolloutState != rolloutFailed || failed.RolloutStateReason != "ECS deployment circuit breaker: tasks failed to start." {
		t.Errorf("failed deployment = %+v", failed)
	}
	stalled := condition(svc.Status.Conditions, ecsv1.ConditionStalled)
	if stalled.Status != metav1.ConditionTrue || stalled.Reason != reasonDeploymentFailed || !strings.Contains(stalled.Message, "rolled back to cb:1") {
		t.Errorf("Stalled = %+v", stalled)
	}
	if got := kstatusOf(t, ns, "cb"); got != status.FailedStatus {
		t.Errorf("kstatus of a rolled back service = %s, want Failed", got)
	}
	messages := map[string]bool{}
	for _, e := range svc.Status.Events {
		messages[e.Message] = true
	}
	for _, want := range []string{
		fmt.Sprintf("(service cb) (deployment %s) deployment failed: tasks failed to start.", failed.ID),
		fmt.Sprintf("(service cb) rolling back to deployment %s.", good.ID),
	} {
		if !messages[want] {
			t.Errorf("status.events lack %q: %+v", want, svc.Status.Events)
		}
	}
	eventually(t, "Kubernetes Events for the rollback", func() error {
		var list eventsv1.EventList
		if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return err
		}
		reasons := map[string]bool{}
		for _, e := range list.Items {
			if e.Regarding.Name == "cb" && e.Regarding.Kind == "ECSService" {
				reasons[e.Reason] = true
			}
		}
		if !reasons["DeploymentFailed"] || !reasons["RollingBack"] {
			return fmt.Errorf("event reasons %v", reasons)
		}
		return nil
	})

	// The rollback deployment completes; the service stays Stalled until
	// the user deploys something new, which is then tried.
	completeRollout(t, ns, "cb")
	svc = waitForService(t, ns, "cb", func(s *ecsv1.ECSService) error {
		if s.Status.Deployments[0].RolloutState != rolloutCompleted {
			return fmt.Errorf("deployments %+v", s.Status.Deployments)
		}
		return nil
	})
	if c := condition(svc.Status.Conditions, ecsv1.ConditionStalled); c.Status != metav1.ConditionTrue {
		t.Errorf("Stalled after the rollback completed = %+v", c)
	}
	updateTaskDefinition(t, ns, "cb", func(td *ecsv1.TaskDefinition) { td.Spec.ContainerDefinitions[0].Image = "cb:fixed" })
	waitForDeployment(t, ns, "cb", func(d *appsv1.Deployment) error {
		if img := d.Spec.Template.Spec.Containers[0].Image; img != "cb:fixed" {
			return fmt.Errorf("image %s", img)
		}
		return nil
	})
	svc = waitForService(t, ns, "cb", func(s *ecsv1.ECSService) error {
		if c := condition(s.Status.Conditions, ecsv1.ConditionStalled); c.Status != "" {
			return fmt.Errorf("still Stalled %+v", c)
		}
		return nil
	})
	if svc.Status.Deployments[0].TaskDefinition != "cb:3" || svc.Status.Deployments[0].RolloutState != rolloutInProgress {
		t.Errorf("new deployment = %+v", svc.Status.Deployments[0])
	}
}

func TestCircuitBreakerCountsFailedTaskStarts(t *testing.T) {
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "crash", taskSpec("crash", "crash:1"))
	spec := serviceSpec("crash", 2)
	spec.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback = false
	createService(t, ns, "crash", spec)
	waitForService(t, ns, "crash", applied)
	dep := waitForDeployment(t, ns, "crash", nil)

	// Two pods of the deployment crash: 3 restarts reach the threshold
	// clamp(ceil(0.5*2), 3, 200) = 3.
	createServicePod(t, dep, "crash-0", crashLooping(2))
	createServicePod(t, dep, "crash-1", crashLooping(1))
	svc := waitForService(t, ns, "crash", func(s *ecsv1.ECSService) error {
		if len(s.Status.Deployments) == 0 || s.Status.Deployments[0].RolloutState != rolloutFailed {
			return fmt.Errorf("deployments %+v", s.Status.Deployments)
		}
		return nil
	})
	primary := svc.Status.Deployments[0]
	if primary.FailedTasks != 3 || primary.PendingCount != 2 || primary.RunningCount != 0 {
		t.Errorf("failed deployment = %+v, want 3 failed tasks, 2 pending", primary)
	}
	if svc.Status.PendingCount != 2 || svc.Status.RunningCount != 0 {
		t.Errorf("counts running %d pending %d", svc.Status.RunningCount, svc.Status.PendingCount)
	}
	// Without rollback the failed template stays applied.
	if img := waitForDeployment(t, ns, "crash", nil).Spec.Template.Spec.Containers[0].Image; img != "crash:1" {
		t.Errorf("image %s", img)
	}
}

func TestServiceReportsUnplaceableTasks(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "big", taskSpec("big", "big:1"))
	createService(t, ns, "big", serviceSpec("big", 1))
	dep := waitForDeployment(t, ns, "big", nil)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "big-0", Labels: dep.Spec.Template.Labels,
			Annotations: map[string]string{AnnotationDeploymentID: dep.Spec.Template.Annotations[AnnotationDeploymentID]}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "big:1"}}},
	}
	if err := k8s.Create(ctx, pod); err != nil {
		t.Fatal(err)
	}
	const reason = "0/3 nodes are available: 3 Insufficient cpu."
	pod.Status = corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: reason,
	}}}
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
	// The node counts are left out, so nodes coming and going do not make
	// new events.
	want := "(service big) was unable to place a task because no container instance met all of its requirements. Reason: Insufficient cpu"
	svc := waitForService(t, ns, "big", func(s *ecsv1.ECSService) error {
		if len(s.Status.Events) == 0 || s.Status.Events[0].Message != want {
			return fmt.Errorf("events %+v", s.Status.Events)
		}
		return nil
	})
	if svc.Status.PendingCount != 1 {
		t.Errorf("pendingCount = %d, want 1", svc.Status.PendingCount)
	}
}

// TestConvergedResyncMakesNoWrites reconciles every object of a converged
// set again, as a periodic resync or an operator restart does, and counts
// the operator's write requests: there must be none.
func TestConvergedResyncMakesNoWrites(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	efs := taskSpec("files", "files:1")
	efs.Volumes = []ecsv1.Volume{{Name: ptr.To("data"), EFSVolumeConfiguration: &ecsv1.EFSVolumeConfiguration{FileSystemID: "fs-0123456789abcdef0"}}}
	efs.ContainerDefinitions[0].MountPoints = []ecsv1.MountPoint{{SourceVolume: ptr.To("data"), ContainerPath: ptr.To("/data")}}
	createTaskDefinition(t, ns, "files", efs)
	createTaskDefinition(t, ns, "web", taskSpec("web", "web:1"))
	createService(t, ns, "files", serviceSpec("files", 2))
	scaled := serviceSpec("web", 2)
	scaled.AutoScaling = &ecsv1.AutoScaling{MinCapacity: 2, MaxCapacity: 4, TargetTrackingScalingPolicies: []ecsv1.TargetTrackingScalingPolicy{{
		TargetValue:                   50,
		PredefinedMetricSpecification: &ecsv1.PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageMemoryUtilization"},
	}}}
	createService(t, ns, "web", scaled)
	for _, name := range []string{"files", "web"} {
		waitForService(t, ns, name, applied)
		completeRollout(t, ns, name)
		waitForService(t, ns, name, ready)
	}
	waitQuiet(t)

	d, err := newDeps(env.mgr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	reconcilers := map[string]reconcile.Reconciler{
		"TaskDefinition": &TaskDefinitionReconciler{deps: d},
		"ECSService":     &ECSServiceReconciler{deps: d, now: time.Now},
	}
	mark := env.writes.mark()
	for _, name := range []string{"files", "web"} {
		for kind, r := range reconcilers {
			res, err := r.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: name}})
			if err != nil || res.RequeueAfter != 0 {
				t.Errorf("reconciling %s %s: %v, %+v", kind, name, err, res)
			}
		}
	}
	if _, err := (&ECSClusterReconciler{deps: d}).Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKey{Name: defaultClusterName}}); err != nil {
		t.Error(err)
	}
	if writes := env.writes.since(mark); len(writes) > 0 {
		t.Errorf("a resync of a converged set made %d write request(s): %v", len(writes), writes)
	}
}

// waitQuiet waits until the operator has made no write for a while.
func waitQuiet(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := env.writes.mark()
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		now := env.writes.mark()
		if now == last {
			return
		}
		last = now
	}
	t.Fatalf("the operator kept writing: %v", env.writes.since(max(0, last-10)))
}
