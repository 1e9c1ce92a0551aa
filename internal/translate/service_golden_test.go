package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/report"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// serviceTestdata holds the service cases, the corpus pairings and the
// golden files (go test ./internal/translate -update rewrites them).
var serviceTestdata = filepath.Join("testdata", "services")

// serviceCase is a hand-written, realistic service and task definition
// pair (testdata/services/cases/*.yaml).
type serviceCase struct {
	// Namespace of the TaskDefinition and ECSService objects.
	Namespace string `json:"namespace"`
	// Annotations of the ECSService object.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Nodes is the node inventory (label → values) for =~ placement.
	Nodes   NodeInventory            `json:"nodes,omitempty"`
	Task    ecsv1.TaskDefinitionSpec `json:"task"`
	Service ecsv1.ECSServiceSpec     `json:"service"`
}

// serviceGolden is what a service golden file records.
type serviceGolden struct {
	Source string `json:"source"`
	// Task is the task definition the corpus service is paired with.
	Task              string                     `json:"task,omitempty"`
	DecodeErrors      []string                   `json:"decodeErrors,omitempty"`
	DecodeDiagnostics []string                   `json:"decodeDiagnostics,omitempty"`
	TaskErrors        []string                   `json:"taskErrors,omitempty"`
	Errors            []string                   `json:"errors,omitempty"`
	Warnings          []ecsv1.TranslationWarning `json:"warnings,omitempty"`
	Notes             []ecsv1.TranslationWarning `json:"notes,omitempty"`
	Objects           []map[string]any           `json:"objects,omitempty"`
}

// serviceTestCluster is the ECSCluster of testdata/services/ecscluster.yaml.
func serviceTestCluster(tb testing.TB) *ecsv1.ECSCluster {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(serviceTestdata, "ecscluster.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	var cluster ecsv1.ECSCluster
	if err := yaml.UnmarshalStrict(data, &cluster); err != nil {
		tb.Fatalf("testdata/services/ecscluster.yaml: %v", err)
	}
	return &cluster
}

// serviceCaseFiles lists testdata/services/cases/*.yaml.
func serviceCaseFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(serviceTestdata, "cases", "*.yaml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no service cases: %v", err)
	}
	return files
}

// serviceCorpusFiles lists the shared corpus services, skipping the test
// when ../shared is absent.
func serviceCorpusFiles(tb testing.TB) []string {
	tb.Helper()
	shared, ok := testenv.SharedDir()
	if !ok {
		tb.Skip("skipping: the shared ECS corpus (../shared/corpus/ecs) is absent; set ECS_OPERATOR_SHARED to run corpus tests")
	}
	files, err := filepath.Glob(filepath.Join(shared, "corpus", "ecs", "services", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus services found under %s: %v", shared, err)
	}
	return files
}

// translateServicePair translates a task definition and a service on top
// of it into golden form. name stands in for the ECSService object name.
func translateServicePair(tb testing.TB, golden *serviceGolden, name, namespace string, annotations map[string]string, nodes NodeInventory,
	task *ecsv1.TaskDefinitionSpec, service *ecsv1.ECSServiceSpec, cluster *ecsv1.ECSCluster) *ServiceResult {
	tb.Helper()
	taskRes, err := TranslateTask(TaskInput{
		Namespace: namespace, Name: ptr.Deref(task.Family, name), Revision: 1, Spec: task,
		ClusterName: cluster.Name, Cluster: &cluster.Spec, Capabilities: AllCapabilities(), Workload: WorkloadService,
	})
	if err != nil {
		golden.TaskErrors = serviceErrorStrings(tb, err)
		return nil
	}
	if ptr.Deref(service.ServiceName, "") != "" {
		name = *service.ServiceName
	}
	in := ServiceInput{
		Namespace: namespace, Name: name, Annotations: annotations, Spec: service, TaskSpec: task, Task: taskRes,
		Revision: 1, ClusterName: cluster.Name, Cluster: &cluster.Spec, Nodes: nodes, Capabilities: AllCapabilities(),
	}
	res, err := TranslateService(in)
	if err != nil {
		if res != nil {
			tb.Fatalf("%s: TranslateService returned objects with its error", name)
		}
		golden.Errors = serviceErrorStrings(tb, err)
		return nil
	}
	golden.Warnings, golden.Notes = res.Warnings, res.Notes
	for _, obj := range res.Objects() {
		golden.Objects = append(golden.Objects, serviceGoldenObject(tb, obj))
	}
	return res
}

func serviceErrorStrings(tb testing.TB, err error) []string {
	tb.Helper()
	var errs report.Errors
	if !errors.As(err, &errs) {
		tb.Fatalf("error is %T, want report.Errors: %v", err, err)
	}
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

// serviceGoldenObject is obj as a map without the status (a translation
// never sets one; typed objects serialise their zero status) and the zero
// creationTimestamps.
func serviceGoldenObject(tb testing.TB, obj runtime.Object) map[string]any {
	tb.Helper()
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		tb.Fatal(err)
	}
	delete(content, "status")
	serviceDropEmpty(content)
	return content
}

func serviceDropEmpty(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			if k == "creationTimestamp" {
				delete(m, k)
			}
		case map[string]any:
			serviceDropEmpty(v)
			if len(v) == 0 && (k == "status" || k == "metadata" || k == "resources") {
				delete(m, k)
			}
		case []any:
			for _, item := range v {
				if item, ok := item.(map[string]any); ok {
					serviceDropEmpty(item)
				}
			}
		}
	}
}

// serviceCheckGolden compares golden with testdata/services/<name>.golden.yaml
// (or writes it with -update), and checks that a second translation gives
// the same bytes.
func serviceCheckGolden(t *testing.T, name string, golden serviceGolden, again func() serviceGolden) {
	t.Helper()
	got, err := yaml.Marshal(golden)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(serviceTestdata, name+".golden.yaml")
	if !checkGoldenFile(t, path, got) {
		return
	}
	if second, _ := yaml.Marshal(again()); !bytes.Equal(got, second) {
		t.Errorf("%s: two translations differ", name)
	}
}

// loadServiceCase reads one case file.
func loadServiceCase(tb testing.TB, file string) serviceCase {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	var c serviceCase
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	return c
}

// translateServiceCase translates one case file into golden form.
func translateServiceCase(tb testing.TB, file string, cluster *ecsv1.ECSCluster) (serviceGolden, *ServiceResult) {
	tb.Helper()
	c := loadServiceCase(tb, file)
	name := strings.TrimSuffix(filepath.Base(file), ".yaml")
	golden := serviceGolden{Source: "cases/" + filepath.Base(file)}
	res := translateServicePair(tb, &golden, name, c.Namespace, c.Annotations, c.Nodes, &c.Task, &c.Service, cluster)
	return golden, res
}

// serviceCorpusNamespace is the namespace corpus services are translated
// for.
const serviceCorpusNamespace = "corpus"

// translateServiceCorpusFile decodes a corpus service file and translates
// it on top of the task definition it is paired with
// (testdata/services/corpus/<file>.task.json).
func translateServiceCorpusFile(tb testing.TB, file string, cluster *ecsv1.ECSCluster) (serviceGolden, *ServiceResult) {
	tb.Helper()
	base := strings.TrimSuffix(filepath.Base(file), ".json")
	taskFile := filepath.Join(serviceTestdata, "corpus", base+".task.json")
	golden := serviceGolden{Source: "corpus/ecs/services/" + filepath.Base(file), Task: "corpus/" + base + ".task.json"}
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	docs, err := ecsjson.Decode(data)
	if err != nil {
		var errs ecsjson.Errors
		if !errors.As(err, &errs) {
			tb.Fatalf("%s: decode returned %T, want ecsjson.Errors: %v", file, err, err)
		}
		for _, e := range errs {
			golden.DecodeErrors = append(golden.DecodeErrors, e.Error())
		}
		return golden, nil
	}
	taskData, err := os.ReadFile(taskFile)
	if err != nil {
		tb.Fatalf("%s has no paired task definition: %v", base, err)
	}
	var task ecsv1.TaskDefinitionSpec
	if err := json.Unmarshal(taskData, &task); err != nil {
		tb.Fatalf("%s: %v", taskFile, err)
	}
	var res *ServiceResult
	for _, doc := range docs {
		if doc.Kind != ecsjson.KindService {
			continue
		}
		for _, d := range doc.Diagnostics {
			golden.DecodeDiagnostics = append(golden.DecodeDiagnostics, string(d.Severity)+": "+d.Path+": "+d.Message)
		}
		res = translateServicePair(tb, &golden, base, serviceCorpusNamespace, nil, nil, task.DeepCopy(), doc.Service, cluster)
	}
	return golden, res
}

// TestServiceCasesGolden translates every hand-written case and compares
// the objects, warnings and notes (or errors) with its golden file.
func TestServiceCasesGolden(t *testing.T) {
	cluster := serviceTestCluster(t)
	for _, file := range serviceCaseFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			golden, _ := translateServiceCase(t, file, cluster)
			serviceCheckGolden(t, name, golden, func() serviceGolden {
				again, _ := translateServiceCase(t, file, cluster)
				return again
			})
		})
	}
}

// TestServiceCorpusGolden translates every corpus service with its paired
// task definition; corpus files that are not valid ECS give an error
// golden.
func TestServiceCorpusGolden(t *testing.T) {
	cluster := serviceTestCluster(t)
	for _, file := range serviceCorpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			golden, _ := translateServiceCorpusFile(t, file, cluster)
			serviceCheckGolden(t, "corpus-"+name, golden, func() serviceGolden {
				again, _ := translateServiceCorpusFile(t, file, cluster)
				return again
			})
		})
	}
}
