package placement

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden.yaml")

// goldenInput is a placement scenario as written in testdata/*.input.yaml:
// the ECS fields, the ECSCluster settings and the labels of the nodes.
type goldenInput struct {
	TaskDefinitionPlacementConstraints []ecsv1.PlacementConstraint  `json:"taskDefinitionPlacementConstraints,omitempty"`
	PlacementConstraints               []ecsv1.PlacementConstraint  `json:"placementConstraints,omitempty"`
	PlacementStrategy                  []ecsv1.PlacementStrategy    `json:"placementStrategy,omitempty"`
	Attributes                         map[string]string            `json:"attributes,omitempty"`
	KnownAttributeValues               map[string][]string          `json:"knownAttributeValues,omitempty"`
	BinpackSchedulerName               string                       `json:"binpackSchedulerName,omitempty"`
	BinpackSchedulerNames              *ecsv1.BinpackSchedulerNames `json:"binpackSchedulerNames,omitempty"`
	Selector                           map[string]string            `json:"selector,omitempty"`
	Daemon                             bool                         `json:"daemon,omitempty"`
	Fargate                            bool                         `json:"fargate,omitempty"`
	// Nodes are the label sets of the cluster's nodes; absent means no
	// node inventory (the offline CLI without --nodes).
	Nodes []map[string]string `json:"nodes,omitempty"`
}

// goldenOutput is what testdata/*.golden.yaml records.
type goldenOutput struct {
	Affinity                  *corev1.Affinity                  `json:"affinity,omitempty"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
	SchedulerName             string                            `json:"schedulerName,omitempty"`
	Errors                    []string                          `json:"errors,omitempty"`
	Warnings                  []ecsv1.TranslationWarning        `json:"warnings,omitempty"`
	Notes                     []ecsv1.TranslationWarning        `json:"notes,omitempty"`
}

func (g goldenInput) input() Input {
	in := Input{
		Attributes:            g.Attributes,
		KnownAttributeValues:  g.KnownAttributeValues,
		Selector:              g.Selector,
		BinpackSchedulerName:  g.BinpackSchedulerName,
		BinpackSchedulerNames: g.BinpackSchedulerNames,
		Daemon:                g.Daemon,
		Fargate:               g.Fargate,
	}
	for i, c := range g.TaskDefinitionPlacementConstraints {
		in.Constraints = append(in.Constraints, Constraint{Field: fmt.Sprintf("taskDefinition.placementConstraints[%d]", i), TaskDefinition: true, PlacementConstraint: c})
	}
	for i, c := range g.PlacementConstraints {
		in.Constraints = append(in.Constraints, Constraint{Field: fmt.Sprintf("placementConstraints[%d]", i), PlacementConstraint: c})
	}
	for i, s := range g.PlacementStrategy {
		in.Strategies = append(in.Strategies, Strategy{Field: fmt.Sprintf("placementStrategy[%d]", i), PlacementStrategy: s})
	}
	if g.Nodes != nil {
		nodes := make([]corev1.Node, len(g.Nodes))
		for i, labels := range g.Nodes {
			nodes[i] = corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: labels}}
		}
		in.Inventory = InventoryFromNodes(nodes)
	}
	return in
}

// TestGolden translates each testdata/*.input.yaml scenario and compares
// the whole result with its .golden.yaml (go test -update rewrites them).
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.input.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, path := range inputs {
		name := strings.TrimSuffix(filepath.Base(path), ".input.yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var g goldenInput
			if err := yaml.UnmarshalStrict(data, &g); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			in := g.input()
			var rep report.Collector
			res := Translate(in, &rep)
			out := goldenOutput{
				Affinity:                  res.Affinity,
				TopologySpreadConstraints: res.TopologySpreadConstraints,
				SchedulerName:             res.SchedulerName,
				Warnings:                  rep.Warnings(),
				Notes:                     rep.Infos(),
			}
			if errs, ok := rep.Err().(report.Errors); ok {
				for _, e := range errs {
					out.Errors = append(out.Errors, e.Error())
				}
			}
			got, err := yaml.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden.yaml")
			if *updateGolden {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the translation (go test -update rewrites it):\n%s", golden, got)
			}
			// Determinism: the same input translates to the same output.
			var again report.Collector
			if res2 := Translate(in, &again); !reflect.DeepEqual(res, res2) || !reflect.DeepEqual(rep.Warnings(), again.Warnings()) {
				t.Errorf("a second translation differs")
			}
		})
	}
}
