package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// TestMissingIntegrationIsReportedAndTheRestApplied runs the operator
// against an API server without any integration CRD: a service with a
// target group gets everything but the TargetGroupBinding, and a
// condition naming the missing CRD.
func TestMissingIntegrationIsReportedAndTheRestApplied(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second API server")
	}
	bare, err := startOperator(testenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer bare.stop()
	c := bare.env.Client
	ctx := context.Background()
	ns := newNamespace(t, c)
	td := &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"}, Spec: taskSpec("web", "web:1")}
	if err := c.Create(ctx, td); err != nil {
		t.Fatal(err)
	}
	svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"}, Spec: serviceSpec("web", 2)}
	if err := c.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(30 * time.Second)
	var cond metav1.Condition
	for time.Now().Before(deadline) {
		if err := c.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil {
			t.Fatal(err)
		}
		cond = condition(svc.Status.Conditions, ecsv1.ConditionIntegrationsAvailable)
		if cond.Status == metav1.ConditionFalse && applied(svc) == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if cond.Status != metav1.ConditionFalse || cond.Reason != reasonIntegrationsMissing ||
		!strings.Contains(cond.Message, "targetgroupbindings.elbv2.k8s.aws (AWS Load Balancer Controller)") {
		t.Fatalf("IntegrationsAvailable = %+v, want False naming targetgroupbindings.elbv2.k8s.aws", cond)
	}
	for _, obj := range []client.Object{&appsv1.Deployment{}, &corev1.Service{}} {
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, obj); err != nil {
			t.Errorf("%T not applied although only an integration is missing: %v", obj, err)
		}
	}
	if svc.Status.TaskDefinition != "web:1" || condition(svc.Status.Conditions, ecsv1.ConditionStalled).Status != "" {
		t.Errorf("status = %+v", svc.Status)
	}
}

func TestRegexPlacementFollowsTheNodeInventory(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	addNode := func(name, instanceType string) {
		t.Helper()
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name + "-" + ns, Labels: map[string]string{
			"node.kubernetes.io/instance-type": instanceType, "kubernetes.io/hostname": name + "-" + ns,
		}}}
		if err := k8s.Create(ctx, node); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k8s.Delete(context.Background(), node) })
	}
	addNode("a", "m5.large")
	createTaskDefinition(t, ns, "regex", taskSpec("regex", "regex:1"))
	spec := serviceSpec("regex", 1)
	spec.PlacementConstraints = []ecsv1.PlacementConstraint{{Type: ptr.To("memberOf"), Expression: ptr.To("attribute:ecs.instance-type =~ m5.*")}}
	createService(t, ns, "regex", spec)

	instanceTypes := func(d *appsv1.Deployment) []string {
		var values []string
		if a := d.Spec.Template.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
			for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
				for _, req := range term.MatchExpressions {
					if req.Key == "node.kubernetes.io/instance-type" {
						values = append(values, req.Values...)
					}
				}
			}
		}
		return values
	}
	waitForDeployment(t, ns, "regex", func(d *appsv1.Deployment) error {
		if got := instanceTypes(d); !equalSets(got, []string{"m5.large"}) {
			return fmt.Errorf("instance types %v, want [m5.large]", got)
		}
		return nil
	})
	addNode("b", "m5.xlarge")
	addNode("c", "c5.large")
	waitForDeployment(t, ns, "regex", func(d *appsv1.Deployment) error {
		if got := instanceTypes(d); !equalSets(got, []string{"m5.large", "m5.xlarge"}) {
			return fmt.Errorf("instance types %v, want [m5.large m5.xlarge]", got)
		}
		return nil
	})
}

func equalSets(a, b []string) bool {
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func TestClusterCountsServicesTasksAndInstances(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	name := "counts-" + ns
	cluster := &ecsv1.ECSCluster{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: ecsv1.ECSClusterSpec{CapacityProviders: []ecsv1.CapacityProvider{
			{Name: "EC2", NodeSelector: map[string]string{"pool-" + ns: "general"}},
			{Name: "gpu", NodeLabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"pool-" + ns: "gpu"}}},
		}},
	}
	if err := k8s.Create(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	for i, pool := range []string{"general", "general", "gpu", "other"} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", name, i), Labels: map[string]string{"pool-" + ns: pool}}}
		if err := k8s.Create(ctx, node); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k8s.Delete(context.Background(), node) })
		ready := corev1.ConditionTrue
		if i == 1 {
			ready = corev1.ConditionFalse
		}
		node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
		if err := k8s.Status().Update(ctx, node); err != nil {
			t.Fatal(err)
		}
	}
	createTaskDefinition(t, ns, "counted", taskSpec("counted", "counted:1"))
	spec := serviceSpec("counted", 2)
	spec.Cluster = ptr.To(name)
	createService(t, ns, "counted", spec)
	dep := waitForDeployment(t, ns, "counted", nil)
	for i, readyStatus := range []corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse} {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("counted-%d", i), Labels: dep.Spec.Template.Labels,
				Annotations: map[string]string{AnnotationDeploymentID: dep.Spec.Template.Annotations[AnnotationDeploymentID]}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "counted:1"}}},
		}
		if err := k8s.Create(ctx, pod); err != nil {
			t.Fatal(err)
		}
		pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: readyStatus}}}
		if err := k8s.Status().Update(ctx, pod); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "cluster counts", func() error {
		var got ecsv1.ECSCluster
		if err := k8s.Get(ctx, client.ObjectKey{Name: name}, &got); err != nil {
			return err
		}
		st := got.Status
		// Ready nodes of EC2 (general: 1 of 2 Ready) and gpu (1); "other"
		// belongs to no provider.
		if st.ActiveServicesCount != 1 || st.RunningTasksCount != 1 || st.PendingTasksCount != 1 || st.RegisteredContainerInstancesCount != 2 {
			return fmt.Errorf("status %+v", st)
		}
		return nil
	})
}

func TestTaskDefinitionDeletionReleasesPersistentVolumes(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	spec := taskSpec("shared", "shared:1")
	spec.Volumes = []ecsv1.Volume{{Name: ptr.To("data"), EFSVolumeConfiguration: &ecsv1.EFSVolumeConfiguration{FileSystemID: "fs-0123456789abcdef0"}}}
	spec.ContainerDefinitions[0].MountPoints = []ecsv1.MountPoint{{SourceVolume: ptr.To("data"), ContainerPath: ptr.To("/data")}}
	td := createTaskDefinition(t, ns, "shared", spec)
	td = waitForTaskDefinition(t, ns, "shared", registered(1))

	pvs := func() ([]corev1.PersistentVolume, error) {
		var list corev1.PersistentVolumeList
		err := k8s.List(ctx, &list, client.MatchingLabels{LabelOwnerUID: string(td.UID)})
		return list.Items, err
	}
	var pvcs corev1.PersistentVolumeClaimList
	eventually(t, "EFS volume objects", func() error {
		list, err := pvs()
		if err != nil || len(list) != 1 {
			return fmt.Errorf("%d PersistentVolumes (%v)", len(list), err)
		}
		if err := k8s.List(ctx, &pvcs, client.InNamespace(ns)); err != nil || len(pvcs.Items) != 1 {
			return fmt.Errorf("%d PersistentVolumeClaims (%v)", len(pvcs.Items), err)
		}
		return nil
	})
	if err := owned(&pvcs.Items[0], td); err != nil {
		t.Error(err)
	}
	if !slices.Contains(getTaskDefinition(t, ns, "shared").Finalizers, finalizerClusterScoped) {
		t.Errorf("no %s finalizer: PersistentVolumes would outlive the TaskDefinition", finalizerClusterScoped)
	}

	// Owner references cascade namespaced children (the garbage collector,
	// absent in envtest, does that); the cluster-scoped volume is deleted
	// by the operator before the TaskDefinition goes.
	if err := k8s.Delete(ctx, td, client.PropagationPolicy(metav1.DeletePropagationForeground)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "PersistentVolume deleted", func() error {
		list, err := pvs()
		if err != nil {
			return err
		}
		for _, pv := range list {
			if pv.DeletionTimestamp == nil {
				return fmt.Errorf("PersistentVolume %s still there", pv.Name)
			}
		}
		return nil
	})
	eventually(t, "finalizer removed", func() error {
		var got ecsv1.TaskDefinition
		err := k8s.Get(ctx, client.ObjectKeyFromObject(td), &got)
		if err != nil {
			return client.IgnoreNotFound(err)
		}
		if slices.Contains(got.Finalizers, finalizerClusterScoped) {
			return fmt.Errorf("finalizers %v", got.Finalizers)
		}
		return nil
	})
}
