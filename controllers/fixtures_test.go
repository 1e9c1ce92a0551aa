package controllers

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// taskSpec is a small awsvpc task: one web container with a named port.
func taskSpec(family, image string) ecsv1.TaskDefinitionSpec {
	return ecsv1.TaskDefinitionSpec{
		Family:      ptr.To(family),
		NetworkMode: ptr.To("awsvpc"),
		CPU:         ptr.To(intstr.FromString("256")),
		Memory:      ptr.To(intstr.FromString("512")),
		TaskRoleArn: ptr.To("arn:aws:iam::123456789012:role/" + family),
		ContainerDefinitions: []ecsv1.ContainerDefinition{{
			Name:  "app",
			Image: image,
			PortMappings: []ecsv1.PortMapping{{
				Name: ptr.To("http"), ContainerPort: ptr.To[int32](8080),
			}},
		}},
	}
}

func createTaskDefinition(t *testing.T, ns, name string, spec ecsv1.TaskDefinitionSpec) *ecsv1.TaskDefinition {
	t.Helper()
	td := &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	if err := k8s.Create(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	return td
}

// serviceSpec runs desired tasks of taskDefinition behind one target
// group, with the circuit breaker and rollback on.
func serviceSpec(taskDefinition string, desired int32) ecsv1.ECSServiceSpec {
	return ecsv1.ECSServiceSpec{
		TaskDefinition: taskDefinition,
		DesiredCount:   ptr.To(desired),
		LoadBalancers: []ecsv1.LoadBalancer{{
			TargetGroupArn: ptr.To("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"),
			ContainerName:  ptr.To("app"),
			ContainerPort:  ptr.To[int32](8080),
		}},
		DeploymentConfiguration: &ecsv1.DeploymentConfiguration{
			DeploymentCircuitBreaker: &ecsv1.DeploymentCircuitBreaker{Enable: true, Rollback: true},
		},
	}
}

func createService(t *testing.T, ns, name string, spec ecsv1.ECSServiceSpec) *ecsv1.ECSService {
	t.Helper()
	svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	if err := k8s.Create(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	return svc
}

func getTaskDefinition(t *testing.T, ns, name string) *ecsv1.TaskDefinition {
	t.Helper()
	var td ecsv1.TaskDefinition
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &td); err != nil {
		t.Fatal(err)
	}
	return &td
}

func getService(t *testing.T, ns, name string) *ecsv1.ECSService {
	t.Helper()
	var svc ecsv1.ECSService
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &svc); err != nil {
		t.Fatal(err)
	}
	return &svc
}

// updateTaskDefinition changes a TaskDefinition's spec, retrying on
// conflicts with the operator's status writes.
func updateTaskDefinition(t *testing.T, ns, name string, change func(*ecsv1.TaskDefinition)) {
	t.Helper()
	eventually(t, "updating TaskDefinition "+name, func() error {
		var td ecsv1.TaskDefinition
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &td); err != nil {
			return err
		}
		change(&td)
		return k8s.Update(context.Background(), &td)
	})
}

func updateService(t *testing.T, ns, name string, change func(*ecsv1.ECSService)) {
	t.Helper()
	eventually(t, "updating ECSService "+name, func() error {
		var svc ecsv1.ECSService
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &svc); err != nil {
			return err
		}
		change(&svc)
		return k8s.Update(context.Background(), &svc)
	})
}

// condition returns a condition of an object's status ("" status when
// absent).
func condition(conditions []metav1.Condition, conditionType string) metav1.Condition {
	if c := meta.FindStatusCondition(conditions, conditionType); c != nil {
		return *c
	}
	return metav1.Condition{Type: conditionType}
}

// waitForDeployment waits until the Deployment exists and check passes.
func waitForDeployment(t *testing.T, ns, name string, check func(*appsv1.Deployment) error) *appsv1.Deployment {
	t.Helper()
	var dep appsv1.Deployment
	eventually(t, "Deployment "+name, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &dep); err != nil {
			return err
		}
		if check == nil {
			return nil
		}
		return check(&dep)
	})
	return &dep
}

// completeRollout plays kube-controller-manager for a Deployment: every
// replica is updated and available (envtest runs no controllers).
func completeRollout(t *testing.T, ns, name string) {
	t.Helper()
	eventually(t, "completing the rollout of "+name, func() error {
		var dep appsv1.Deployment
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &dep); err != nil {
			return err
		}
		replicas := ptr.Deref(dep.Spec.Replicas, 1)
		dep.Status = appsv1.DeploymentStatus{
			ObservedGeneration: dep.Generation, Replicas: replicas, UpdatedReplicas: replicas,
			ReadyReplicas: replicas, AvailableReplicas: replicas,
			Conditions: []appsv1.DeploymentCondition{{
				Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable",
				LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now(),
			}},
		}
		return k8s.Status().Update(context.Background(), &dep)
	})
}

// createServicePod plays the ReplicaSet controller and kubelet: a pod of
// the Deployment's current template with the given status.
func createServicePod(t *testing.T, dep *appsv1.Deployment, name string, status corev1.PodStatus) {
	t.Helper()
	ctx := context.Background()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: dep.Namespace, Name: name,
			Labels:      dep.Spec.Template.Labels,
			Annotations: map[string]string{AnnotationDeploymentID: dep.Spec.Template.Annotations[AnnotationDeploymentID]},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: dep.Spec.Template.Spec.Containers[0].Image}}},
	}
	if err := k8s.Create(ctx, pod); err != nil {
		t.Fatal(err)
	}
	pod.Status = status
	if err := k8s.Status().Update(ctx, pod); err != nil {
		t.Fatal(err)
	}
}

// crashLooping is the status of a pod whose container keeps exiting.
func crashLooping(restarts int32) corev1.PodStatus {
	return corev1.PodStatus{
		Phase:     corev1.PodRunning,
		StartTime: ptr.To(metav1.Now()),
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady"},
		},
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: "app", RestartCount: restarts,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		}},
	}
}

// waitForService waits until the ECSService's status passes check.
func waitForService(t *testing.T, ns, name string, check func(*ecsv1.ECSService) error) *ecsv1.ECSService {
	t.Helper()
	var svc ecsv1.ECSService
	eventually(t, "ECSService "+name, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &svc); err != nil {
			return err
		}
		return check(&svc)
	})
	return &svc
}

func waitForTaskDefinition(t *testing.T, ns, name string, check func(*ecsv1.TaskDefinition) error) *ecsv1.TaskDefinition {
	t.Helper()
	var td ecsv1.TaskDefinition
	eventually(t, "TaskDefinition "+name, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &td); err != nil {
			return err
		}
		return check(&td)
	})
	return &td
}

// registered checks that a TaskDefinition has reconciled its spec into
// revision n.
func registered(n int64) func(*ecsv1.TaskDefinition) error {
	return func(td *ecsv1.TaskDefinition) error {
		if td.Status.ObservedGeneration != td.Generation || td.Status.Revision != n {
			return fmt.Errorf("revision %d at generation %d/%d, want revision %d", td.Status.Revision, td.Status.ObservedGeneration, td.Generation, n)
		}
		return nil
	}
}

// owned checks that obj is controlled by owner, with blockOwnerDeletion
// so foreground deletion waits for it.
func owned(obj metav1.Object, owner metav1.Object) error {
	for _, ref := range obj.GetOwnerReferences() {
		if ref.UID == owner.GetUID() && ptr.Deref(ref.Controller, false) && ptr.Deref(ref.BlockOwnerDeletion, false) {
			return nil
		}
	}
	return fmt.Errorf("%s is not controlled by %s: %v", obj.GetName(), owner.GetName(), obj.GetOwnerReferences())
}

// eventOf returns the first Event of the namespace about an object of
// kind with reason, or an error saying there is none.
func eventOf(ns, kind, reason string) (*eventsv1.Event, error) {
	var list eventsv1.EventList
	if err := k8s.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	for i, e := range list.Items {
		if e.Regarding.Kind == kind && e.Reason == reason {
			return &list.Items[i], nil
		}
	}
	return nil, fmt.Errorf("no %s Event of a %s among %d", reason, kind, len(list.Items))
}
