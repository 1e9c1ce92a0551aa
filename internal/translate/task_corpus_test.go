package translate

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/report"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// updateGolden rewrites the golden files of this package's golden tests
// (go test ./internal/translate -update).
var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden.yaml")

// taskCorpusNamespace is the namespace corpus translations are made for.
const taskCorpusNamespace = "corpus"

// taskCorpusFiles lists the shared corpus task definitions, skipping the
// test when ../shared is absent.
func taskCorpusFiles(tb testing.TB) []string {
	tb.Helper()
	shared, ok := testenv.SharedDir()
	if !ok {
		tb.Skip("skipping: the shared ECS corpus (../shared/corpus/ecs) is absent; set ECS_OPERATOR_SHARED to run corpus tests")
	}
	files, err := filepath.Glob(filepath.Join(shared, "corpus", "ecs", "taskdefs", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus task definitions found under %s: %v", shared, err)
	}
	return files
}

// taskTestCluster is the ECSCluster of testdata/ecscluster.yaml.
func taskTestCluster(tb testing.TB) *ecsv1.ECSCluster {
	tb.Helper()
	return readTestCluster(tb, "ecscluster.yaml")
}

// readTestCluster reads an ECSCluster manifest from testdata.
func readTestCluster(tb testing.TB, name string) *ecsv1.ECSCluster {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var cluster ecsv1.ECSCluster
	if err := yaml.UnmarshalStrict(data, &cluster); err != nil {
		tb.Fatalf("testdata/%s: %v", name, err)
	}
	return &cluster
}

// taskCorpusInput is the TaskInput a corpus document is translated with.
func taskCorpusInput(file string, doc ecsjson.Document, cluster *ecsv1.ECSCluster) TaskInput {
	name := strings.TrimSuffix(filepath.Base(file), ".json")
	revision := int64(1)
	if doc.SourceRevision != nil && *doc.SourceRevision > 0 {
		revision = *doc.SourceRevision
	}
	return TaskInput{
		Namespace:    taskCorpusNamespace,
		Name:         name,
		Revision:     revision,
		Spec:         doc.TaskDefinition,
		ClusterName:  cluster.Name,
		Cluster:      &cluster.Spec,
		Capabilities: AllCapabilities(),
	}
}

// taskGolden is what a golden file records for one corpus file.
type taskGolden struct {
	Source                 string                          `json:"source"`
	DecodeErrors           []string                        `json:"decodeErrors,omitempty"`
	DecodeDiagnostics      []string                        `json:"decodeDiagnostics,omitempty"`
	Errors                 []string                        `json:"errors,omitempty"`
	Family                 string                          `json:"family,omitempty"`
	Warnings               []ecsv1.TranslationWarning      `json:"warnings,omitempty"`
	Notes                  []ecsv1.TranslationWarning      `json:"notes,omitempty"`
	Ports                  []taskGoldenPort                `json:"ports,omitempty"`
	PodTemplate            *corev1.PodTemplateSpec         `json:"podTemplate,omitempty"`
	ServiceAccount         *corev1.ServiceAccount          `json:"serviceAccount,omitempty"`
	PodIdentityAssociation *unstructured.Unstructured      `json:"podIdentityAssociation,omitempty"`
	ExternalSecrets        []*unstructured.Unstructured    `json:"externalSecrets,omitempty"`
	PersistentVolumes      []*corev1.PersistentVolume      `json:"persistentVolumes,omitempty"`
	PersistentVolumeClaims []*corev1.PersistentVolumeClaim `json:"persistentVolumeClaims,omitempty"`
	ConfigMaps             []*corev1.ConfigMap             `json:"configMaps,omitempty"`
	NetworkPolicy          *networkingv1.NetworkPolicy     `json:"networkPolicy,omitempty"`
}

type taskGoldenPort struct {
	Container     string          `json:"container"`
	Name          string          `json:"name,omitempty"`
	ECSName       string          `json:"ecsName,omitempty"`
	ContainerPort int32           `json:"containerPort"`
	HostPort      int32           `json:"hostPort,omitempty"`
	Protocol      corev1.Protocol `json:"protocol"`
	AppProtocol   string          `json:"appProtocol,omitempty"`
}

// translateCorpusFile decodes and translates one corpus file.
func translateCorpusFile(tb testing.TB, file string, cluster *ecsv1.ECSCluster) (taskGolden, *TaskResult) {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	golden := taskGolden{Source: "corpus/ecs/taskdefs/" + filepath.Base(file)}
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
	var result *TaskResult
	for _, doc := range docs {
		if doc.Kind != ecsjson.KindTaskDefinition {
			continue
		}
		for _, d := range doc.Diagnostics {
			golden.DecodeDiagnostics = append(golden.DecodeDiagnostics, string(d.Severity)+": "+d.Path+": "+d.Message)
		}
		res, err := TranslateTask(taskCorpusInput(file, doc, cluster))
		if err != nil {
			var errs report.Errors
			if !errors.As(err, &errs) {
				tb.Fatalf("%s: TranslateTask returned %T, want report.Errors: %v", file, err, err)
			}
			if res != nil {
				tb.Fatalf("%s: TranslateTask returned objects with an error", file)
			}
			for _, e := range errs {
				golden.Errors = append(golden.Errors, e.Error())
			}
			continue
		}
		result = res
		golden.Family = res.Family
		golden.Warnings = res.Warnings
		golden.Notes = res.Notes
		for _, p := range res.Ports {
			golden.Ports = append(golden.Ports, taskGoldenPort(p))
		}
		golden.PodTemplate = &res.PodTemplate
		golden.ServiceAccount = res.ServiceAccount
		golden.PodIdentityAssociation = res.PodIdentityAssociation
		golden.ExternalSecrets = res.ExternalSecrets
		golden.PersistentVolumes = res.PersistentVolumes
		golden.PersistentVolumeClaims = res.PersistentVolumeClaims
		golden.ConfigMaps = res.ConfigMaps
		golden.NetworkPolicy = res.NetworkPolicy
	}
	return golden, result
}

// TestTaskCorpusGolden translates every corpus task definition and
// compares the result (objects, warnings, notes, or the error list) with
// testdata/<file>.golden.yaml.
func TestTaskCorpusGolden(t *testing.T) {
	cluster := taskTestCluster(t)
	for _, file := range taskCorpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			golden, _ := translateCorpusFile(t, file, cluster)
			got, err := yaml.Marshal(golden)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden.yaml")
			if !checkGoldenFile(t, path, got) {
				return
			}
			// Translation is deterministic: a second run gives the same bytes.
			again, _ := translateCorpusFile(t, file, cluster)
			againYAML, _ := yaml.Marshal(again)
			if !bytes.Equal(got, againYAML) {
				t.Errorf("%s: two translations differ", name)
			}
		})
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	var out strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		out.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
		if shown++; shown == 10 {
			out.WriteString("...\n")
			break
		}
	}
	return out.String()
}

// decodedTaskCorpus is the translation input of every corpus task
// definition that decodes.
func decodedTaskCorpus(tb testing.TB, cluster *ecsv1.ECSCluster) []TaskInput {
	tb.Helper()
	var inputs []TaskInput
	for _, file := range taskCorpusFiles(tb) {
		data, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		docs, err := ecsjson.Decode(data)
		if err != nil {
			continue
		}
		for _, doc := range docs {
			if doc.TaskDefinition != nil {
				inputs = append(inputs, taskCorpusInput(file, doc, cluster))
			}
		}
	}
	return inputs
}

// checkGoldenFile compares got with the golden file at path, or writes it
// with -update. It reports whether a comparison was made.
func checkGoldenFile(t *testing.T, path string, got []byte) bool {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return false
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/translate -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the translation (run go test ./internal/translate -update and review the diff):\n%s", path, lineDiff(string(want), string(got)))
	}
	return true
}
