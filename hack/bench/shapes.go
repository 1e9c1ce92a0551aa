package main

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/controllers"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/placement"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
	"github.com/ecs-operator/ecs-operator/internal/translate"
)

// testdata holds the service shapes (NAME.task.json + NAME.service.json,
// ECS JSON as users write it, modelled on the ECS corpus) and the
// ECSCluster every service runs in.
//
//go:embed testdata
var testdata embed.FS

// benchClusterName is the ECSCluster of every benchmark service.
const benchClusterName = "bench"

// shape is one realistic ECS service with its task definition.
type shape struct {
	name    string
	task    *ecsv1.TaskDefinitionSpec
	service *ecsv1.ECSServiceSpec
}

// loadShapes reads the embedded shapes, sorted by name, and the cluster
// spec.
func loadShapes() ([]shape, *ecsv1.ECSClusterSpec, error) {
	entries, err := testdata.ReadDir("testdata")
	if err != nil {
		return nil, nil, err
	}
	var shapes []shape
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".task.json")
		if !ok {
			continue
		}
		task, err := decodeDocument(path.Join("testdata", e.Name()), ecsjson.KindTaskDefinition)
		if err != nil {
			return nil, nil, err
		}
		service, err := decodeDocument(path.Join("testdata", name+".service.json"), ecsjson.KindService)
		if err != nil {
			return nil, nil, err
		}
		shapes = append(shapes, shape{name: name, task: task.TaskDefinition, service: service.Service})
	}
	if len(shapes) == 0 {
		return nil, nil, fmt.Errorf("no shapes in testdata")
	}
	slices.SortFunc(shapes, func(a, b shape) int { return strings.Compare(a.name, b.name) })

	data, err := testdata.ReadFile("testdata/cluster.yaml")
	if err != nil {
		return nil, nil, err
	}
	var cluster ecsv1.ECSClusterSpec
	if err := yaml.UnmarshalStrict(data, &cluster); err != nil {
		return nil, nil, fmt.Errorf("testdata/cluster.yaml: %w", err)
	}
	return shapes, &cluster, nil
}

// decodeDocument reads one ECS document of the given kind; a shape that
// draws a diagnostic is a mistake in the testdata.
func decodeDocument(file string, kind ecsjson.Kind) (*ecsjson.Document, error) {
	data, err := testdata.ReadFile(file)
	if err != nil {
		return nil, err
	}
	docs, err := ecsjson.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(docs) != 1 || docs[0].Kind != kind {
		return nil, fmt.Errorf("%s: want one %s document", file, kind)
	}
	for _, d := range docs[0].Diagnostics {
		return nil, fmt.Errorf("%s: %s: %s", file, d.Path, d.Message)
	}
	if errs := ecsjson.Validate(docs[0]); len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", file, errs)
	}
	return &docs[0], nil
}

// instance is service number i of a benchmark run: a copy of shape
// i mod len(shapes) under its own name (the family, the ECS service name
// and both object names), so that instances never share a child.
type instance struct {
	name    string
	task    *ecsv1.TaskDefinitionSpec
	service *ecsv1.ECSServiceSpec
}

func newInstance(shapes []shape, i int) instance {
	s := shapes[i%len(shapes)]
	name := fmt.Sprintf("%s-%04d", s.name, i)
	task := s.task.DeepCopy()
	task.Family = ptr.To(name)
	svc := s.service.DeepCopy()
	svc.ServiceName = ptr.To(name)
	svc.TaskDefinition = name
	svc.Cluster = ptr.To(benchClusterName)
	// Service Connect endpoints are named after the port by default; in
	// one namespace every copy needs its own.
	if sc := svc.ServiceConnectConfiguration; sc != nil {
		for j := range sc.Services {
			sc.Services[j].DiscoveryName = ptr.To(name + "-" + sc.Services[j].PortName)
			for k := range sc.Services[j].ClientAliases {
				sc.Services[j].ClientAliases[k].DNSName = ptr.To(name)
			}
		}
	}
	return instance{name: name, task: task, service: svc}
}

// objects are the TaskDefinition and the ECSService a user would apply.
func (in instance) objects(namespace string) (*ecsv1.TaskDefinition, *ecsv1.ECSService) {
	td := &ecsv1.TaskDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: in.name, Namespace: namespace},
		Spec:       *in.task.DeepCopy(),
	}
	svc := &ecsv1.ECSService{
		ObjectMeta: metav1.ObjectMeta{Name: in.name, Namespace: namespace},
		Spec:       *in.service.DeepCopy(),
	}
	return td, svc
}

// renderInput is what the operator would observe when reconciling the
// instance: the cluster policy, the namespace's labels, the nodes.
type renderInput struct {
	namespace       string
	namespaceLabels map[string]string
	cluster         *ecsv1.ECSClusterSpec
	nodes           []corev1.Node
}

// render translates the instance exactly as the operator's reconcilers
// do (revision 1 of the task definition, then the service on top of it)
// and returns the objects as server-side apply documents: task objects
// first, as the operator applies them before the service can resolve
// the revision.
func (in instance) render(ri renderInput) ([]*unstructured.Unstructured, error) {
	// The test bed runs Kubernetes v1.37, which has every optional
	// feature the operator detects from the server version.
	caps := translate.AllCapabilities()
	task, err := translate.TranslateTask(translate.TaskInput{
		Namespace: ri.namespace, Name: in.name, Revision: 1, Spec: in.task,
		ClusterName: benchClusterName, Cluster: ri.cluster, NamespaceLabels: ri.namespaceLabels,
		Capabilities: caps, Workload: translate.WorkloadService,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: task: %w", in.name, err)
	}
	res, err := translate.TranslateService(translate.ServiceInput{
		Namespace: ri.namespace, Name: in.name, Spec: in.service, TaskSpec: in.task, Task: task,
		Revision: 1, ClusterName: benchClusterName, Cluster: ri.cluster,
		Nodes: placement.InventoryFromNodes(ri.nodes), Capabilities: caps,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: service: %w", in.name, err)
	}
	objs := append(task.Objects(), res.Objects()...)
	if len(task.ExternalSecrets) > 0 || task.PodIdentityAssociation != nil || len(task.PersistentVolumes) > 0 ||
		len(res.TargetGroupBindings) > 0 || res.ScaledObject != nil || res.SecurityGroupPolicy != nil || len(res.StorageClasses) > 0 {
		// The bench cluster has no integration CRDs, and cluster-scoped
		// children would outlive the baseline namespace.
		return nil, fmt.Errorf("%s: the shape needs integration CRDs or cluster-scoped objects; keep benchmark shapes to core kinds", in.name)
	}
	docs := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		u, err := controllers.ApplyDocument(o, testenv.Scheme())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.name, err)
		}
		docs = append(docs, u)
	}
	return docs, nil
}
