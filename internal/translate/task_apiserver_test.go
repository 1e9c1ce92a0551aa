package translate

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// taskResultObjects lists every object of a translation, the pod template
// wrapped in a Deployment (a Job for job pod templates).
func taskResultObjects(res *TaskResult, namespace string) []runtime.Object {
	template := res.PodTemplate.DeepCopy()
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: names.Object(res.Family), Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{
				ecsv1.LabelFamily: template.Labels[ecsv1.LabelFamily],
			}},
			Template: *template,
		},
	}
	var objects []runtime.Object
	if template.Spec.RestartPolicy == corev1.RestartPolicyNever {
		// A job's pod template (field-map §8): run once, never retried.
		objects = append(objects, &batchv1.Job{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
			ObjectMeta: deployment.ObjectMeta,
			Spec:       batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: *template},
		})
	} else {
		objects = append(objects, deployment)
	}
	if res.ServiceAccount != nil {
		objects = append(objects, res.ServiceAccount)
	}
	if res.PodIdentityAssociation != nil {
		objects = append(objects, res.PodIdentityAssociation)
	}
	for _, o := range res.ExternalSecrets {
		objects = append(objects, o)
	}
	for _, o := range res.PersistentVolumes {
		objects = append(objects, o)
	}
	for _, o := range res.PersistentVolumeClaims {
		objects = append(objects, o)
	}
	for _, o := range res.ConfigMaps {
		objects = append(objects, o)
	}
	if res.NetworkPolicy != nil {
		objects = append(objects, res.NetworkPolicy)
	}
	return objects
}

// dryRunApply server-side-applies obj without persisting it.
func dryRunApply(ctx context.Context, c client.Client, obj runtime.Object) error {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: content}
	return c.Patch(ctx, u, client.Apply, client.DryRunAll, client.FieldOwner(ecsv1.FieldManager), client.ForceOwnership)
}

// TestTaskCorpusAcceptedByAPIServer server-side-dry-run applies every
// translated corpus task definition to a real API server with the
// integration CRDs installed: every object must be accepted.
func TestTaskCorpusAcceptedByAPIServer(t *testing.T) {
	files := taskCorpusFiles(t)
	env := integrationAPIServer(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: taskCorpusNamespace}}
	if err := env.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	cluster := taskTestCluster(t)
	translated := 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		_, res := translateCorpusFile(t, file, cluster)
		if res == nil {
			continue
		}
		translated++
		t.Run(name, func(t *testing.T) {
			for _, obj := range taskResultObjects(res, taskCorpusNamespace) {
				if err := dryRunApply(ctx, env.Client, obj); err != nil {
					t.Errorf("%s rejected: %v", obj.GetObjectKind().GroupVersionKind().Kind, err)
				}
			}
		})
	}
	if translated < 30 {
		t.Errorf("only %d corpus files translated; expected most of them to", translated)
	}
}
