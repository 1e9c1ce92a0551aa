package controllers

import (
	"context"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
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

// failRollout plays kube-controller-manager for a Deployment whose new
// pods never become available: the progress deadline passes.
func failRollout(t *testing.T, ns, name string) {
	t.Helper()
	eventually(t, "failing the rollout of "+name, func() error {
		var dep appsv1.Deployment
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &dep); err != nil {
			return err
		}
		replicas := ptr.Deref(dep.Spec.Replicas, 1)
		dep.Status = appsv1.DeploymentStatus{
			ObservedGeneration: dep.Generation, Replicas: replicas + 1, UpdatedReplicas: 1,
			ReadyReplicas: replicas, AvailableReplicas: replicas, UnavailableReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{{
				Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
				Message:        fmt.Sprintf("ReplicaSet %q has timed out progressing.", name),
				LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now(),
			}},
		}
		return k8s.Status().Update(context.Background(), &dep)
	})
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
