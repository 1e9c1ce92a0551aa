package controllers

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func getTargetGroupBinding(ctx context.Context, ns, name string) (*unstructured.Unstructured, error) {
	tgb := &unstructured.Unstructured{}
	tgb.SetGroupVersionKind(targetGroupBindingKind.gvk)
	err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, tgb)
	return tgb, err
}

// applied checks that the service's current generation has been applied
// (status names the task definition it runs).
func applied(s *ecsv1.ECSService) error {
	if s.Status.ObservedGeneration != s.Generation || s.Status.TaskDefinition == "" {
		return fmt.Errorf("generation %d not applied (observed %d, taskDefinition %q)", s.Generation, s.Status.ObservedGeneration, s.Status.TaskDefinition)
	}
	return nil
}

func TestServiceAppliesChildrenAndPrunesRemovedOnes(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "web", taskSpec("web", "nginx:1.27"))
	svc := createService(t, ns, "web", serviceSpec("web", 2))

	dep := waitForDeployment(t, ns, "web", nil)
	// The service reports once everything is applied.
	waitForService(t, ns, "web", applied)
	if ptr.Deref(dep.Spec.Replicas, 0) != 2 {
		t.Errorf("replicas = %v, want 2", dep.Spec.Replicas)
	}
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "nginx:1.27" {
		t.Errorf("image = %s", img)
	}
	if id := dep.Spec.Template.Annotations[AnnotationDeploymentID]; !strings.HasPrefix(id, "ecs-svc/") {
		t.Errorf("pod template deployment id = %q", id)
	}
	var service corev1.Service
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &service); err != nil {
		t.Fatalf("Service: %v", err)
	}
	var pdb policyv1.PodDisruptionBudget
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &pdb); err != nil {
		t.Fatalf("PodDisruptionBudget: %v", err)
	}
	tgb, err := getTargetGroupBinding(ctx, ns, "web-0")
	if err != nil {
		t.Fatalf("TargetGroupBinding: %v", err)
	}
	if arn, _, _ := unstructured.NestedString(tgb.Object, "spec", "targetGroupARN"); !strings.Contains(arn, "targetgroup/web/") {
		t.Errorf("TargetGroupBinding targetGroupARN = %q", arn)
	}
	// Every child is controlled by the service (deletion cascades through
	// the garbage collector) and labelled for pruning.
	for _, obj := range []metav1.Object{dep, &service, &pdb, tgb} {
		if err := owned(obj, svc); err != nil {
			t.Error(err)
		}
		if obj.GetLabels()[ecsv1.LabelManagedBy] != ecsv1.ManagedByValue || obj.GetLabels()[ecsv1.LabelService] != "web" {
			t.Errorf("%s labels = %v", obj.GetName(), obj.GetLabels())
		}
	}

	st := waitForService(t, ns, "web", func(s *ecsv1.ECSService) error {
		if s.Status.TaskDefinition != "web:1" || s.Status.DesiredCount != 2 || len(s.Status.Deployments) != 1 {
			return fmt.Errorf("status %+v", s.Status)
		}
		return nil
	})
	if d := st.Status.Deployments[0]; d.Status != deploymentPrimary || d.RolloutState != rolloutInProgress || d.ID != dep.Spec.Template.Annotations[AnnotationDeploymentID] {
		t.Errorf("deployments[0] = %+v", d)
	}
	if c := condition(st.Status.Conditions, ecsv1.ConditionIntegrationsAvailable); c.Status != metav1.ConditionTrue {
		t.Errorf("IntegrationsAvailable = %+v", c)
	}

	// Removing loadBalancers removes the TargetGroupBinding.
	updateService(t, ns, "web", func(s *ecsv1.ECSService) { s.Spec.LoadBalancers = nil })
	eventually(t, "TargetGroupBinding pruned", func() error {
		_, err := getTargetGroupBinding(ctx, ns, "web-0")
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (err %v)", err)
	})
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &appsv1.Deployment{}); err != nil {
		t.Errorf("Deployment after pruning: %v", err)
	}
}

func TestServiceResolvesPinnedRevisionsAndARNs(t *testing.T) {
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "shop", taskSpec("shop", "shop:1"))
	waitForTaskDefinition(t, ns, "shop", registered(1))
	updateTaskDefinition(t, ns, "shop", func(td *ecsv1.TaskDefinition) { td.Spec.ContainerDefinitions[0].Image = "shop:2" })
	waitForTaskDefinition(t, ns, "shop", registered(2))

	for name, ref := range map[string]string{
		"latest": "shop",
		"pinned": "shop:1",
		"arn":    "arn:aws:ecs:us-east-1:123456789012:task-definition/shop:1",
	} {
		createService(t, ns, name, serviceSpec(ref, 1))
	}
	for name, want := range map[string]string{"latest": "shop:2", "pinned": "shop:1", "arn": "shop:1"} {
		dep := waitForDeployment(t, ns, name, nil)
		if img := dep.Spec.Template.Spec.Containers[0].Image; img != want {
			t.Errorf("%s runs %s, want %s", name, img, want)
		}
		svc := waitForService(t, ns, name, func(s *ecsv1.ECSService) error {
			if s.Status.TaskDefinition == "" {
				return fmt.Errorf("no taskDefinition in status")
			}
			return nil
		})
		if svc.Status.TaskDefinition != want {
			t.Errorf("%s status.taskDefinition = %s, want %s", name, svc.Status.TaskDefinition, want)
		}
	}
}

func TestServiceReportsMissingReferencesThenRecovers(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	clusterName := "prod-" + ns
	spec := serviceSpec("orders", 1)
	spec.Cluster = ptr.To("arn:aws:ecs:us-east-1:123456789012:cluster/" + clusterName)
	createService(t, ns, "orders", spec)

	stalledWith := func(reason, text string) func(*ecsv1.ECSService) error {
		return func(s *ecsv1.ECSService) error {
			c := condition(s.Status.Conditions, ecsv1.ConditionStalled)
			if c.Status != metav1.ConditionTrue || c.Reason != reason || !strings.Contains(c.Message, text) {
				return fmt.Errorf("Stalled = %+v, want %s mentioning %q", c, reason, text)
			}
			return nil
		}
	}
	waitForService(t, ns, "orders", stalledWith(reasonClusterNotFound, clusterName))
	if err := k8s.Create(ctx, &ecsv1.ECSCluster{ObjectMeta: metav1.ObjectMeta{Name: clusterName}}); err != nil {
		t.Fatal(err)
	}
	waitForService(t, ns, "orders", stalledWith(reasonTaskDefNotFound, `family "orders"`))
	createTaskDefinition(t, ns, "orders", taskSpec("orders", "orders:1"))
	waitForDeployment(t, ns, "orders", nil)
	svc := waitForService(t, ns, "orders", func(s *ecsv1.ECSService) error {
		if c := condition(s.Status.Conditions, ecsv1.ConditionStalled); c.Status != "" {
			return fmt.Errorf("still Stalled: %+v", c)
		}
		return applied(s)
	})
	if svc.Status.TaskDefinition != "orders:1" {
		t.Errorf("status.taskDefinition = %q", svc.Status.TaskDefinition)
	}
}

func TestServiceBadSpecLeavesChildrenUntouched(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "cart", taskSpec("cart", "cart:1"))
	createService(t, ns, "cart", serviceSpec("cart", 2))
	waitForService(t, ns, "cart", applied)
	before := waitForDeployment(t, ns, "cart", nil)

	// containerPort 9999 is not a port of container app: the service
	// cannot be translated.
	updateService(t, ns, "cart", func(s *ecsv1.ECSService) {
		s.Spec.DesiredCount = ptr.To[int32](5)
		s.Spec.LoadBalancers[0].ContainerPort = ptr.To[int32](9999)
	})
	svc := waitForService(t, ns, "cart", func(s *ecsv1.ECSService) error {
		c := condition(s.Status.Conditions, ecsv1.ConditionStalled)
		if c.Status != metav1.ConditionTrue || s.Status.ObservedGeneration != s.Generation {
			return fmt.Errorf("Stalled = %+v", c)
		}
		return nil
	})
	c := condition(svc.Status.Conditions, ecsv1.ConditionStalled)
	if c.Reason != reasonInvalidSpec || !strings.Contains(c.Message, "loadBalancers[0]") {
		t.Errorf("Stalled = %s: %q, want %s naming loadBalancers[0]", c.Reason, c.Message, reasonInvalidSpec)
	}
	after := waitForDeployment(t, ns, "cart", nil)
	if after.ResourceVersion != before.ResourceVersion || ptr.Deref(after.Spec.Replicas, 0) != 2 {
		t.Errorf("Deployment changed by a refused spec: replicas %v, resourceVersion %s → %s",
			after.Spec.Replicas, before.ResourceVersion, after.ResourceVersion)
	}
	if _, err := getTargetGroupBinding(ctx, ns, "cart-0"); err != nil {
		t.Errorf("TargetGroupBinding after a refused spec: %v", err)
	}
}

func TestServiceRevertsManualEdits(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "edit", taskSpec("edit", "edit:1"))
	createService(t, ns, "edit", serviceSpec("edit", 3))
	dep := waitForDeployment(t, ns, "edit", nil)

	dep.Spec.Template.Spec.Containers[0].Image = "edit:hacked"
	dep.Spec.Replicas = ptr.To[int32](1)
	delete(dep.Labels, ecsv1.LabelService)
	if err := k8s.Update(ctx, dep); err != nil {
		t.Fatal(err)
	}
	waitForDeployment(t, ns, "edit", func(d *appsv1.Deployment) error {
		if img := d.Spec.Template.Spec.Containers[0].Image; img != "edit:1" || ptr.Deref(d.Spec.Replicas, 0) != 3 || d.Labels[ecsv1.LabelService] != "edit" {
			return fmt.Errorf("image %s, replicas %v, labels %v", img, d.Spec.Replicas, d.Labels)
		}
		return nil
	})
	// Deleting a child brings it back.
	var service corev1.Service
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "edit"}, &service); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, &service); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Service recreated", func() error {
		var again corev1.Service
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "edit"}, &again); err != nil {
			return err
		}
		if again.UID == service.UID {
			return fmt.Errorf("not deleted yet")
		}
		return nil
	})
}

func TestServiceWithAutoScalingLeavesReplicasToTheHPA(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "scaled", taskSpec("scaled", "scaled:1"))
	spec := serviceSpec("scaled", 2)
	spec.AutoScaling = &ecsv1.AutoScaling{MinCapacity: 2, MaxCapacity: 6, TargetTrackingScalingPolicies: []ecsv1.TargetTrackingScalingPolicy{{
		TargetValue:                   60,
		PredefinedMetricSpecification: &ecsv1.PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageCPUUtilization"},
	}}}
	createService(t, ns, "scaled", spec)
	dep := waitForDeployment(t, ns, "scaled", nil)
	for _, mf := range dep.ManagedFields {
		if mf.Manager == ecsv1.FieldManager && strings.Contains(string(mf.FieldsV1.Raw), `"f:replicas"`) {
			t.Errorf("the operator manages spec.replicas although an HPA scales the service: %s", mf.FieldsV1.Raw)
		}
	}
	// The HPA scales the Deployment; the operator leaves that alone.
	scale := &autoscalingv1.Scale{}
	if err := k8s.SubResource("scale").Get(ctx, dep, scale); err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 5
	if err := k8s.SubResource("scale").Update(ctx, dep, client.WithSubResourceBody(scale)); err != nil {
		t.Fatal(err)
	}
	updateService(t, ns, "scaled", func(s *ecsv1.ECSService) { s.Spec.HealthCheckGracePeriodSeconds = ptr.To[int32](30) })
	waitForService(t, ns, "scaled", func(s *ecsv1.ECSService) error {
		if s.Status.ObservedGeneration != s.Generation || s.Status.DesiredCount != 5 {
			return fmt.Errorf("observed %d/%d, desiredCount %d", s.Status.ObservedGeneration, s.Generation, s.Status.DesiredCount)
		}
		return nil
	})
	if got := ptr.Deref(waitForDeployment(t, ns, "scaled", nil).Spec.Replicas, 0); got != 5 {
		t.Errorf("replicas = %d after a reconcile, want the HPA's 5", got)
	}
}

func TestDaemonServiceRunsADaemonSetAndSwitchingPrunesTheDeployment(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "agent", taskSpec("agent", "agent:1"))
	spec := serviceSpec("agent", 1)
	spec.LoadBalancers = nil
	createService(t, ns, "agent", spec)
	waitForDeployment(t, ns, "agent", nil)

	updateService(t, ns, "agent", func(s *ecsv1.ECSService) {
		s.Spec.SchedulingStrategy = ptr.To("DAEMON")
		s.Spec.DesiredCount = nil
	})
	eventually(t, "DaemonSet", func() error {
		var ds appsv1.DaemonSet
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "agent"}, &ds); err != nil {
			return err
		}
		if ds.Spec.Template.Annotations[AnnotationDeploymentID] == "" || ds.Spec.Template.Spec.Containers[0].Image != "agent:1" {
			return fmt.Errorf("template %+v", ds.Spec.Template.ObjectMeta)
		}
		return nil
	})
	eventually(t, "Deployment pruned", func() error {
		err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "agent"}, &appsv1.Deployment{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("Deployment still there (err %v)", err)
	})
	// The DaemonSet controller's view drives the rollout state.
	eventually(t, "DaemonSet rolled out", func() error {
		var ds appsv1.DaemonSet
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "agent"}, &ds); err != nil {
			return err
		}
		ds.Status = appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, DesiredNumberScheduled: 3,
			CurrentNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3, NumberReady: 3}
		return k8s.Status().Update(ctx, &ds)
	})
	svc := waitForService(t, ns, "agent", ready)
	if svc.Status.DesiredCount != 3 || svc.Status.Deployments[0].RolloutState != rolloutCompleted {
		t.Errorf("status %+v", svc.Status)
	}
}

// Adding autoScaling to a running service must not drop its Deployment to
// one replica while the operator lets go of spec.replicas.
func TestAddingAutoScalingKeepsTheRunningReplicaCount(t *testing.T) {
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "grow", taskSpec("grow", "grow:1"))
	createService(t, ns, "grow", serviceSpec("grow", 4))
	waitForDeployment(t, ns, "grow", func(d *appsv1.Deployment) error {
		if ptr.Deref(d.Spec.Replicas, 0) != 4 {
			return fmt.Errorf("replicas %v", d.Spec.Replicas)
		}
		return nil
	})

	updateService(t, ns, "grow", func(s *ecsv1.ECSService) {
		s.Spec.AutoScaling = &ecsv1.AutoScaling{MinCapacity: 2, MaxCapacity: 8, TargetTrackingScalingPolicies: []ecsv1.TargetTrackingScalingPolicy{{
			TargetValue:                   50,
			PredefinedMetricSpecification: &ecsv1.PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageCPUUtilization"},
		}}}
	})
	dep := waitForDeployment(t, ns, "grow", func(d *appsv1.Deployment) error {
		for _, mf := range d.ManagedFields {
			if mf.Manager == ecsv1.FieldManager && strings.Contains(string(mf.FieldsV1.Raw), `"f:replicas"`) {
				return fmt.Errorf("the operator still owns spec.replicas")
			}
		}
		return nil
	})
	if got := ptr.Deref(dep.Spec.Replicas, 0); got != 4 {
		t.Errorf("replicas = %d after autoScaling was added, want the running 4 kept", got)
	}
	eventually(t, "HorizontalPodAutoscaler grow", func() error {
		var hpa autoscalingv2.HorizontalPodAutoscaler
		return k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "grow"}, &hpa)
	})
}

// A child the API server refuses until someone acts (here a quota that
// allows no Services, as a full Service IP range would) is reported in
// status and retried; once the refusal is lifted the service converges.
func TestServiceReportsRefusedChildThenRecovers(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	quota := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "no-services"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceServices: resource.MustParse("0")}},
	}
	if err := k8s.Create(ctx, quota); err != nil {
		t.Fatal(err)
	}
	// No quota controller runs here: publish the quota's usage as it would.
	quota.Status = corev1.ResourceQuotaStatus{
		Hard: quota.Spec.Hard,
		Used: corev1.ResourceList{corev1.ResourceServices: resource.MustParse("0")},
	}
	if err := k8s.Status().Update(ctx, quota); err != nil {
		t.Fatal(err)
	}
	createTaskDefinition(t, ns, "cart", taskSpec("cart", "cart:1"))
	createService(t, ns, "cart", serviceSpec("cart", 1))

	svc := waitForService(t, ns, "cart", func(s *ecsv1.ECSService) error {
		c := condition(s.Status.Conditions, ecsv1.ConditionStalled)
		if c.Status != metav1.ConditionTrue || c.Reason != reasonApplyFailed ||
			!strings.Contains(c.Message, "applying Service cart") || !strings.Contains(c.Message, "exceeded quota") {
			return fmt.Errorf("Stalled = %+v, want %s naming the refused Service", c, reasonApplyFailed)
		}
		return nil
	})
	if ready := condition(svc.Status.Conditions, ecsv1.ConditionReady); ready.Status != metav1.ConditionFalse || ready.Reason != reasonApplyFailed {
		t.Errorf("Ready = %+v, want False %s", ready, reasonApplyFailed)
	}
	if svc.Status.ObservedGeneration != svc.Generation {
		t.Errorf("observedGeneration = %d, want %d", svc.Status.ObservedGeneration, svc.Generation)
	}

	if err := k8s.Delete(ctx, quota); err != nil {
		t.Fatal(err)
	}
	waitForService(t, ns, "cart", func(s *ecsv1.ECSService) error {
		if c := condition(s.Status.Conditions, ecsv1.ConditionStalled); c.Status != "" {
			return fmt.Errorf("still Stalled: %+v", c)
		}
		return applied(s)
	})
	var service corev1.Service
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "cart"}, &service); err != nil {
		t.Fatalf("Service after the quota was lifted: %v", err)
	}
}

// A service's warnings Event names its own approximated fields; those of
// its task definition are in status.warnings and the TaskDefinition's
// own Event.
func TestServiceWarningsEventNamesServiceFields(t *testing.T) {
	ns := newNamespace(t, k8s)
	createTaskDefinition(t, ns, "shell", taskSpec("shell", "shell:1"))
	// The emulated circuit breaker is a warning about the service's own
	// deploymentConfiguration; the task role one is the task's.
	createService(t, ns, "shell", serviceSpec("shell", 1))

	svc := waitForService(t, ns, "shell", applied)
	fields := map[string]bool{}
	for _, w := range svc.Status.Warnings {
		fields[w.Field] = true
	}
	const serviceField = "deploymentConfiguration.deploymentCircuitBreaker.enable"
	if !fields[serviceField] || !fields["taskRoleArn"] {
		t.Errorf("status.warnings = %+v, want the service's %s and the task's taskRoleArn", svc.Status.Warnings, serviceField)
	}
	eventually(t, "the service's warnings Event", func() error {
		e, err := eventOf(ns, "ECSService", "TranslationWarnings")
		if err != nil {
			return err
		}
		if !strings.Contains(e.Note, serviceField) || strings.Contains(e.Note, "taskRoleArn") {
			return fmt.Errorf("service warnings Event %q: want %s only", e.Note, serviceField)
		}
		return nil
	})
}
