package translate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
)

// everythingVariant is one way to translate testdata/everything-task.json,
// a task definition that uses nearly every field, against
// testdata/everything-cluster.yaml.
type everythingVariant struct {
	name     string
	workload WorkloadKind
	caps     Capabilities
}

var everythingVariants = []everythingVariant{
	{"service", WorkloadService, AllCapabilities()},
	{"job", WorkloadJob, AllCapabilities()},
	{"service-1.33", WorkloadService, Capabilities{RelaxedEnvironmentVariableValidation: true}},
}

func translateEverything(tb testing.TB, v everythingVariant) *TaskResult {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "everything-task.json"))
	if err != nil {
		tb.Fatal(err)
	}
	docs, err := ecsjson.Decode(data)
	if err != nil {
		tb.Fatal(err)
	}
	c := readTestCluster(tb, "everything-cluster.yaml")
	res, err := TranslateTask(TaskInput{
		Namespace:       taskCorpusNamespace,
		Name:            "everything",
		Revision:        7,
		Spec:            docs[0].TaskDefinition,
		ClusterName:     c.Name,
		Cluster:         &c.Spec,
		NamespaceLabels: map[string]string{"team": "platform"},
		Capabilities:    v.caps,
		Workload:        v.workload,
	})
	if err != nil {
		tb.Fatalf("%s: %v", v.name, err)
	}
	return res
}

// TestEverythingTaskGolden keeps the translation of the everything task
// definition in testdata/everything-task.<variant>.golden.yaml.
func TestEverythingTaskGolden(t *testing.T) {
	for _, v := range everythingVariants {
		t.Run(v.name, func(t *testing.T) {
			res := translateEverything(t, v)
			golden := taskGolden{Source: "testdata/everything-task.json", Family: res.Family, Warnings: res.Warnings, Notes: res.Notes,
				PodTemplate: &res.PodTemplate, ServiceAccount: res.ServiceAccount, PodIdentityAssociation: res.PodIdentityAssociation,
				ExternalSecrets: res.ExternalSecrets, PersistentVolumes: res.PersistentVolumes, PersistentVolumeClaims: res.PersistentVolumeClaims,
				ConfigMaps: res.ConfigMaps, NetworkPolicy: res.NetworkPolicy}
			for _, p := range res.Ports {
				golden.Ports = append(golden.Ports, taskGoldenPort(p))
			}
			got, err := yaml.Marshal(golden)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "everything-task."+v.name+".golden.yaml")
			checkGoldenFile(t, path, got)
		})
	}
}

// TestEverythingTaskAcceptedByAPIServer dry-run applies every variant's
// objects, so that the rarely used mappings (restart rules, hostname
// override, AppArmor and SELinux options, EFS and NFS volumes, the ECR
// token generator, Pod Identity) meet the real schemas.
func TestEverythingTaskAcceptedByAPIServer(t *testing.T) {
	env := integrationAPIServer(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: taskCorpusNamespace}}
	if err := env.Client.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	for _, v := range everythingVariants {
		t.Run(v.name, func(t *testing.T) {
			res := translateEverything(t, v)
			for _, obj := range taskResultObjects(res, taskCorpusNamespace) {
				if err := dryRunApply(ctx, env.Client, obj); err != nil {
					t.Errorf("%s rejected: %v", obj.GetObjectKind().GroupVersionKind().Kind, err)
				}
			}
		})
	}
}
