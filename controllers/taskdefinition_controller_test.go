package controllers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestTaskDefinitionRegistersRevisions(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	spec := taskSpec("web", "nginx:1.27")
	spec.Kubernetes = &ecsv1.TaskDefinitionKubernetes{RevisionHistoryLimit: ptr.To[int32](2)}
	td := createTaskDefinition(t, ns, "web", spec)

	td = waitForTaskDefinition(t, ns, "web", registered(1))
	if td.Status.TaskDefinition != "web:1" {
		t.Errorf("status.taskDefinition = %q, want web:1", td.Status.TaskDefinition)
	}
	if c := condition(td.Status.Conditions, ecsv1.ConditionReady); c.Status != metav1.ConditionTrue {
		t.Errorf("Ready = %+v, want True", c)
	}
	var rev appsv1.ControllerRevision
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web-1"}, &rev); err != nil {
		t.Fatalf("revision snapshot web-1: %v", err)
	}
	if rev.Revision != 1 || rev.Labels[LabelSpecHash] == "" || owned(&rev, td) != nil {
		t.Errorf("revision web-1 = revision %d, labels %v, owners %v", rev.Revision, rev.Labels, rev.OwnerReferences)
	}
	if !strings.Contains(string(rev.Data.Raw), `"image":"nginx:1.27"`) {
		t.Errorf("revision data does not snapshot the spec: %s", rev.Data.Raw)
	}

	// The task role becomes a ServiceAccount bound with IRSA.
	var sa corev1.ServiceAccount
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, &sa); err != nil {
		t.Fatalf("ServiceAccount: %v", err)
	}
	if got := sa.Annotations["eks.amazonaws.com/role-arn"]; got != "arn:aws:iam::123456789012:role/web" {
		t.Errorf("IRSA annotation = %q", got)
	}
	if err := owned(&sa, td); err != nil {
		t.Error(err)
	}

	// Approximations are reported in status and, once, as an Event.
	if !slices.ContainsFunc(td.Status.Warnings, func(w ecsv1.TranslationWarning) bool { return w.Field == "taskRoleArn" }) {
		t.Errorf("status.warnings = %+v, want the IRSA trust policy warning on taskRoleArn", td.Status.Warnings)
	}
	eventually(t, "warnings Event", func() error {
		e, err := eventOf(ns, "TaskDefinition", "TranslationWarnings")
		if err != nil {
			return err
		}
		if e.Regarding.Name != "web" || !strings.Contains(e.Note, "taskRoleArn") {
			return fmt.Errorf("warnings Event about %s: %q, want web's taskRoleArn", e.Regarding.Name, e.Note)
		}
		return nil
	})

	// A metadata-only change registers nothing.
	updateTaskDefinition(t, ns, "web", func(td *ecsv1.TaskDefinition) { td.Labels = map[string]string{"team": "a"} })
	// A spec change registers revision 2, and so on; with a history limit
	// of 2 and no service using them, revision 1 goes away.
	for _, step := range []struct {
		revision int64
		image    string
	}{{2, "nginx:1.28"}, {3, "nginx:1.29"}} {
		updateTaskDefinition(t, ns, "web", func(td *ecsv1.TaskDefinition) { td.Spec.ContainerDefinitions[0].Image = step.image })
		td = waitForTaskDefinition(t, ns, "web", registered(step.revision))
	}
	var revisions []int64
	for _, r := range td.Status.Revisions {
		revisions = append(revisions, r.Revision)
	}
	if !slices.Equal(revisions, []int64{2, 3}) {
		t.Errorf("status.revisions = %v, want [2 3]", revisions)
	}
	eventually(t, "revision 1 pruned", func() error {
		err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web-1"}, &appsv1.ControllerRevision{})
		if err == nil {
			return fmt.Errorf("web-1 still exists")
		}
		return client.IgnoreNotFound(err)
	})
}

func TestTaskDefinitionKeepsRevisionsServicesUse(t *testing.T) {
	ns := newNamespace(t, k8s)
	spec := taskSpec("api", "api:1")
	spec.Kubernetes = &ecsv1.TaskDefinitionKubernetes{RevisionHistoryLimit: ptr.To[int32](1)}
	createTaskDefinition(t, ns, "api", spec)
	waitForTaskDefinition(t, ns, "api", registered(1))
	createService(t, ns, "pinned", serviceSpec("api:1", 1))
	waitForDeployment(t, ns, "pinned", nil)

	for i, image := range []string{"api:2", "api:3"} {
		updateTaskDefinition(t, ns, "api", func(td *ecsv1.TaskDefinition) { td.Spec.ContainerDefinitions[0].Image = image })
		waitForTaskDefinition(t, ns, "api", registered(int64(i+2)))
	}
	td := waitForTaskDefinition(t, ns, "api", func(td *ecsv1.TaskDefinition) error {
		var got []int64
		for _, r := range td.Status.Revisions {
			got = append(got, r.Revision)
		}
		if !slices.Equal(got, []int64{1, 3}) {
			return fmt.Errorf("revisions %v, want [1 3] (1 pinned by a service, 3 the latest)", got)
		}
		return nil
	})
	// The pinned service still runs revision 1's image after the edits.
	dep := waitForDeployment(t, ns, "pinned", nil)
	if img := dep.Spec.Template.Spec.Containers[0].Image; img != "api:1" {
		t.Errorf("pinned service runs %s, want api:1 (td %s)", img, td.Status.TaskDefinition)
	}
}

func TestTaskDefinitionDisallowedRoleStallsAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	cluster := &ecsv1.ECSCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "restricted-" + ns},
		Spec: ecsv1.ECSClusterSpec{IAM: &ecsv1.ClusterIAM{AllowedRoleArns: []ecsv1.AllowedRoles{{
			Patterns: []string{"arn:aws:iam::123456789012:role/allowed-*"},
		}}}},
	}
	if err := k8s.Create(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	spec := taskSpec("secure", "app:1")
	spec.TaskRoleArn = ptr.To("arn:aws:iam::123456789012:role/allowed-app")
	td := &ecsv1.TaskDefinition{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "secure", Labels: map[string]string{ecsv1.LabelCluster: cluster.Name}},
		Spec:       spec,
	}
	if err := k8s.Create(ctx, td); err != nil {
		t.Fatal(err)
	}
	waitForTaskDefinition(t, ns, "secure", registered(1))
	var before corev1.ServiceAccount
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secure"}, &before); err != nil {
		t.Fatal(err)
	}

	updateTaskDefinition(t, ns, "secure", func(td *ecsv1.TaskDefinition) {
		td.Spec.TaskRoleArn = ptr.To("arn:aws:iam::123456789012:role/admin")
	})
	stalled := waitForTaskDefinition(t, ns, "secure", func(td *ecsv1.TaskDefinition) error {
		c := condition(td.Status.Conditions, ecsv1.ConditionStalled)
		if c.Status != metav1.ConditionTrue || td.Status.ObservedGeneration != td.Generation {
			return fmt.Errorf("Stalled = %+v", c)
		}
		return nil
	})
	c := condition(stalled.Status.Conditions, ecsv1.ConditionStalled)
	if c.Reason != reasonInvalidSpec || !strings.Contains(c.Message, "taskRoleArn") {
		t.Errorf("Stalled = %s: %s, want %s naming taskRoleArn", c.Reason, c.Message, reasonInvalidSpec)
	}
	if ready := condition(stalled.Status.Conditions, ecsv1.ConditionReady); ready.Status != metav1.ConditionFalse {
		t.Errorf("Ready = %+v, want False", ready)
	}
	if stalled.Status.Revision != 1 {
		t.Errorf("revision = %d: a refused spec must not register a revision", stalled.Status.Revision)
	}
	var after corev1.ServiceAccount
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secure"}, &after); err != nil {
		t.Fatal(err)
	}
	if after.ResourceVersion != before.ResourceVersion || after.Annotations["eks.amazonaws.com/role-arn"] != "arn:aws:iam::123456789012:role/allowed-app" {
		t.Errorf("ServiceAccount changed: %v", after.Annotations)
	}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "secure-2"}, &appsv1.ControllerRevision{}); client.IgnoreNotFound(err) != nil || err == nil {
		t.Errorf("a revision secure-2 was registered (err %v)", err)
	}

	// Back to an allowed role; then the cluster's policy changes and the
	// TaskDefinition is judged again without being touched.
	updateTaskDefinition(t, ns, "secure", func(td *ecsv1.TaskDefinition) {
		td.Spec.TaskRoleArn = ptr.To("arn:aws:iam::123456789012:role/allowed-app")
	})
	waitForTaskDefinition(t, ns, "secure", func(td *ecsv1.TaskDefinition) error {
		if c := condition(td.Status.Conditions, ecsv1.ConditionReady); c.Status != metav1.ConditionTrue || td.Status.ObservedGeneration != td.Generation {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	eventually(t, "tightening the cluster policy", func() error {
		var current ecsv1.ECSCluster
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(cluster), &current); err != nil {
			return err
		}
		current.Spec.IAM.AllowedRoleArns[0].Patterns = []string{"arn:aws:iam::123456789012:role/other-*"}
		return k8s.Update(ctx, &current)
	})
	waitForTaskDefinition(t, ns, "secure", func(td *ecsv1.TaskDefinition) error {
		if c := condition(td.Status.Conditions, ecsv1.ConditionStalled); c.Status != metav1.ConditionTrue || !strings.Contains(c.Message, "taskRoleArn") {
			return fmt.Errorf("Stalled = %+v after the cluster refused the role", c)
		}
		return nil
	})
}

// allowedRoleArns select namespaces by label: labelling a namespace into
// an entry's selector allows the roles it lists there, without touching
// the TaskDefinition.
func TestNamespaceLabelsDecideAllowedRoles(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, k8s)
	cluster := &ecsv1.ECSCluster{
		ObjectMeta: metav1.ObjectMeta{Name: "roles-by-team-" + ns},
		Spec: ecsv1.ECSClusterSpec{IAM: &ecsv1.ClusterIAM{AllowedRoleArns: []ecsv1.AllowedRoles{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "payments"}},
			Patterns:          []string{"arn:aws:iam::123456789012:role/payments-*"},
		}}}},
	}
	if err := k8s.Create(ctx, cluster); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8s.Delete(ctx, cluster) })
	spec := taskSpec("charge", "app:1")
	spec.TaskRoleArn = ptr.To("arn:aws:iam::123456789012:role/payments-charge")
	td := &ecsv1.TaskDefinition{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "charge", Labels: map[string]string{ecsv1.LabelCluster: cluster.Name}},
		Spec:       spec,
	}
	if err := k8s.Create(ctx, td); err != nil {
		t.Fatal(err)
	}
	waitForTaskDefinition(t, ns, "charge", func(td *ecsv1.TaskDefinition) error {
		if c := condition(td.Status.Conditions, ecsv1.ConditionStalled); c.Status != metav1.ConditionTrue || !strings.Contains(c.Message, "taskRoleArn") {
			return fmt.Errorf("Stalled = %+v: the namespace is not in the payments team yet", c)
		}
		return nil
	})
	eventually(t, "labelling the namespace", func() error {
		var namespace corev1.Namespace
		if err := k8s.Get(ctx, client.ObjectKey{Name: ns}, &namespace); err != nil {
			return err
		}
		namespace.Labels["team"] = "payments"
		return k8s.Update(ctx, &namespace)
	})
	waitForTaskDefinition(t, ns, "charge", registered(1))
}
