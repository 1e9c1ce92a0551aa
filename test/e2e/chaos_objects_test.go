//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/translate"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// The fault tests run operators that watch only their test's namespace,
// in a cluster of their own (make chaos uses E2E_CLUSTER_NAME
// ecs-operator-chaos): they kill the API server, and two operators
// reconciling the same objects would fight.

// chaosRoleAccount is the AWS account of the roles chaos task definitions
// assume.
const chaosRoleAccount = "111122223333"

// chaosCluster creates an ECSCluster for one test (cluster-scoped, so
// named after the test's namespace) that allows the task roles
// arn:aws:iam::ACCOUNT:role/chaos-*, and deletes it when the test ends.
func chaosCluster(t *testing.T, ns string) string {
	t.Helper()
	c := &ecsv1.ECSCluster{
		ObjectMeta: metav1.ObjectMeta{Name: ns},
		Spec: ecsv1.ECSClusterSpec{
			Region: "us-east-1",
			IAM: &ecsv1.ClusterIAM{
				Mode:            ecsv1.IAMMode("IRSA"),
				AccountID:       chaosRoleAccount,
				AllowedRoleArns: []ecsv1.AllowedRoles{{Patterns: []string{"arn:aws:iam::" + chaosRoleAccount + ":role/chaos-*"}}},
			},
		},
	}
	if err := cluster.Client.Create(t.Context(), c); err != nil {
		t.Fatalf("creating ECSCluster %s: %v", c.Name, err)
	}
	t.Cleanup(func() {
		if err := cluster.Client.Delete(context.Background(), c); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting ECSCluster %s: %v", c.Name, err)
		}
	})
	return c.Name
}

// chaosTask is a small web task: one container with a port, a task role
// (so the TaskDefinition owns a ServiceAccount) and 50 mCPU, so hundreds
// of them fit on the test bed's nodes.
func chaosTask(name string) ecsv1.TaskDefinitionSpec {
	return ecsv1.TaskDefinitionSpec{
		Family:      ptr.To(name),
		NetworkMode: ptr.To("awsvpc"),
		TaskRoleArn: ptr.To("arn:aws:iam::" + chaosRoleAccount + ":role/chaos-" + name),
		ContainerDefinitions: []ecsv1.ContainerDefinition{{
			Name:              "web",
			Image:             "public.ecr.aws/docker/library/nginx:1.27",
			Essential:         ptr.To(true),
			CPU:               ptr.To[int32](50),
			MemoryReservation: ptr.To[int32](64),
			PortMappings:      []ecsv1.PortMapping{{Name: ptr.To("http"), ContainerPort: ptr.To[int32](80)}},
		}},
	}
}

// chaosService runs desired tasks of family in the test's ECSCluster.
func chaosService(name, clusterName string, desired int32) ecsv1.ECSServiceSpec {
	return ecsv1.ECSServiceSpec{
		ServiceName:    ptr.To(name),
		Cluster:        ptr.To(clusterName),
		TaskDefinition: name,
		DesiredCount:   ptr.To(desired),
		DeploymentConfiguration: &ecsv1.DeploymentConfiguration{
			MinimumHealthyPercent: ptr.To[int32](50),
			MaximumPercent:        ptr.To[int32](200),
		},
		ServiceConnectConfiguration: &ecsv1.ServiceConnectConfiguration{
			Enabled:  true,
			Services: []ecsv1.ServiceConnectService{{PortName: "http", DiscoveryName: ptr.To(name)}},
		},
	}
}

// chaosName is service number i of a test.
func chaosName(i int) string { return fmt.Sprintf("svc-%03d", i) }

// createServices creates n task definitions and services (chaosName(i))
// with workers in parallel; onCreated is called after each pair.
func createServices(t *testing.T, ns, clusterName string, n int, desired int32, onCreated func(done int)) {
	t.Helper()
	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				name := chaosName(i)
				td := &ecsv1.TaskDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: chaosTask(name)}
				svc := &ecsv1.ECSService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: chaosService(name, clusterName, desired)}
				for _, obj := range []client.Object{td, svc} {
					if err := createRetrying(t.Context(), obj); err != nil {
						errs <- fmt.Errorf("creating %T %s: %w", obj, name, err)
						return
					}
				}
				if onCreated != nil {
					onCreated(int(done.Add(1)))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// createRetrying creates obj, retrying while the API server is away (the
// API server restart test) and treating "already exists" (an earlier
// attempt that succeeded without an answer) as done.
func createRetrying(ctx context.Context, obj client.Object) error {
	var err error
	for range 60 {
		err = cluster.Client.Create(ctx, obj)
		if err == nil || apierrors.IsAlreadyExists(err) {
			return nil
		}
		if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Second)
	}
	return err
}

// waitAllReady waits until n services of the namespace are Ready with
// every task running, and their Deployments Available.
func waitAllReady(t *testing.T, ns string, n int, timeout time.Duration) {
	t.Helper()
	framework.Eventually(t, timeout, fmt.Sprintf("%d ECSServices Ready and Deployments Available in %s", n, ns), func(ctx context.Context) (bool, string, error) {
		var services ecsv1.ECSServiceList
		if err := cluster.Client.List(ctx, &services, client.InNamespace(ns)); err != nil {
			return false, "", err
		}
		ready := 0
		var notReady []string
		for i := range services.Items {
			s := &services.Items[i]
			if serviceReady(s) && s.Status.RunningCount == ptr.Deref(s.Spec.DesiredCount, 0) {
				ready++
			} else if len(notReady) < 3 {
				notReady = append(notReady, s.Name+": "+readyMessage(s))
			}
		}
		var deployments appsv1.DeploymentList
		if err := cluster.Client.List(ctx, &deployments, client.InNamespace(ns)); err != nil {
			return false, "", err
		}
		available := 0
		for i := range deployments.Items {
			if framework.DeploymentAvailable(&deployments.Items[i]) {
				available++
			}
		}
		state := fmt.Sprintf("%d/%d services ready, %d/%d Deployments available; e.g. %s", ready, n, available, n, strings.Join(notReady, "; "))
		return ready == n && len(services.Items) == n && available == n, state, nil
	})
}

func readyMessage(s *ecsv1.ECSService) string {
	if c := meta.FindStatusCondition(s.Status.Conditions, ecsv1.ConditionReady); c != nil {
		return c.Reason + ": " + c.Message
	}
	return "no Ready condition"
}

// ownedKinds are the kinds whose objects the operator creates for a
// service and its task definition.
var ownedKinds = []schema.GroupVersionKind{
	{Group: "apps", Version: "v1", Kind: "Deployment"},
	{Group: "apps", Version: "v1", Kind: "ControllerRevision"},
	{Version: "v1", Kind: "Service"},
	{Version: "v1", Kind: "ServiceAccount"},
	{Version: "v1", Kind: "ConfigMap"},
	{Version: "v1", Kind: "PersistentVolumeClaim"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
}

// expectedChildren is how many objects of each kind one chaos service
// and its task definition should own: what internal/translate renders
// for them, plus the revision's ControllerRevision.
func expectedChildren(t *testing.T, ns, clusterName string) map[string]int {
	t.Helper()
	var c ecsv1.ECSCluster
	if err := cluster.Client.Get(t.Context(), client.ObjectKey{Name: clusterName}, &c); err != nil {
		t.Fatal(err)
	}
	name := chaosName(0)
	task := chaosTask(name)
	svc := chaosService(name, clusterName, 1)
	tr, err := translate.TranslateTask(translate.TaskInput{Namespace: ns, Name: name, Revision: 1, Spec: &task,
		ClusterName: clusterName, Cluster: &c.Spec, Capabilities: translate.AllCapabilities()})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := translate.TranslateService(translate.ServiceInput{Namespace: ns, Name: name, Spec: &svc, TaskSpec: &task, Task: tr,
		Revision: 1, ClusterName: clusterName, Cluster: &c.Spec, Capabilities: translate.AllCapabilities()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"ControllerRevision": 1, "Deployment": 1, "Service": len(sr.Services)}
	if tr.ServiceAccount != nil {
		want["ServiceAccount"] = 1
	}
	if sr.PodDisruptionBudget != nil {
		want["PodDisruptionBudget"] = 1
	}
	if sr.HorizontalPodAutoscaler != nil {
		want["HorizontalPodAutoscaler"] = 1
	}
	if sr.Ingress != nil {
		want["Ingress"] = 1
	}
	want["ConfigMap"] = len(tr.ConfigMaps)
	want["PersistentVolumeClaim"] = len(tr.PersistentVolumeClaims)
	if tr.NetworkPolicy != nil {
		want["NetworkPolicy"] = 1
	}
	return want
}

// checkChildren asserts that every service and task definition of the
// namespace owns exactly the expected children (nothing lost, nothing
// duplicated), that every object the operator manages names a live owner
// as its controller (nothing orphaned), that each Deployment rolled out
// exactly one ReplicaSet and that each task definition registered exactly
// one revision.
func checkChildren(t *testing.T, ns string, n int, perOwner map[string]int) {
	t.Helper()
	t.Logf("checking that each of %d services and task definitions owns exactly %v", n, perOwner)
	ctx := t.Context()
	owners := map[string]string{} // UID → "Kind/name"
	var services ecsv1.ECSServiceList
	if err := cluster.Client.List(ctx, &services, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, s := range services.Items {
		owners[string(s.UID)] = "ECSService/" + s.Name
	}
	var tds ecsv1.TaskDefinitionList
	if err := cluster.Client.List(ctx, &tds, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, td := range tds.Items {
		owners[string(td.UID)] = "TaskDefinition/" + td.Name
		if td.Status.Revision != 1 || len(td.Status.Revisions) != 1 {
			t.Errorf("TaskDefinition %s: revision %d, revisions %+v; want exactly revision 1 (the spec never changed)", td.Name, td.Status.Revision, td.Status.Revisions)
		}
	}
	if len(services.Items) != n || len(tds.Items) != n {
		t.Fatalf("%d ECSServices and %d TaskDefinitions, want %d each", len(services.Items), len(tds.Items), n)
	}

	for _, gvk := range ownedKinds {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := cluster.Client.List(ctx, list, client.InNamespace(ns)); err != nil {
			t.Fatalf("listing %s: %v", gvk.Kind, err)
		}
		perOwnerCount := map[string]int{}
		for _, obj := range list.Items {
			managed := obj.Labels[ecsv1.LabelManagedBy] == ecsv1.ManagedByValue
			ref := metav1.GetControllerOf(&obj)
			if ref == nil {
				if managed {
					t.Errorf("%s %s is labelled managed-by %s but has no controller: orphaned", gvk.Kind, obj.Name, ecsv1.ManagedByValue)
				}
				continue
			}
			owner, ok := owners[string(ref.UID)]
			if !ok {
				if managed {
					t.Errorf("%s %s: its controller %s/%s (uid %s) does not exist: orphaned", gvk.Kind, obj.Name, ref.Kind, ref.Name, ref.UID)
				}
				continue
			}
			perOwnerCount[owner]++
		}
		want := perOwner[gvk.Kind]
		for uid, owner := range owners {
			isService := strings.HasPrefix(owner, "ECSService/")
			kindOfService := slices.Contains([]string{"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress"}, gvk.Kind)
			if isService != kindOfService {
				continue
			}
			if got := perOwnerCount[owner]; got != want {
				t.Errorf("%s (uid %s) owns %d %s objects, want %d", owner, uid, got, gvk.Kind, want)
			}
		}
	}

	var rsList appsv1.ReplicaSetList
	if err := cluster.Client.List(ctx, &rsList, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	perDeployment := map[string]int{}
	for _, rs := range rsList.Items {
		if ref := metav1.GetControllerOf(&rs); ref != nil && ref.Kind == "Deployment" {
			perDeployment[ref.Name]++
		}
	}
	for _, s := range services.Items {
		if perDeployment[s.Name] != 1 {
			t.Errorf("Deployment %s has %d ReplicaSets, want 1: its pod template changed although the spec did not", s.Name, perDeployment[s.Name])
		}
	}
}

// checkNoPanic fails the test when an operator log shows a panic (a
// recovered one included: controller-runtime recovers reconciler panics
// and logs them).
func checkNoPanic(t *testing.T, ops ...*framework.Operator) {
	t.Helper()
	for _, op := range ops {
		logs := op.Logs()
		if i := strings.Index(strings.ToLower(logs), "panic"); i >= 0 {
			start := max(0, i-500)
			end := min(len(logs), i+1500)
			t.Errorf("operator log %s mentions a panic:\n%s", op.LogPath, logs[start:end])
		}
	}
}
