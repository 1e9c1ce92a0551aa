package placement

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

var serviceSelector = map[string]string{ecsv1.LabelService: "web"}

func strategy(i int, kind, field string) Strategy {
	s := Strategy{Field: fmt.Sprintf("placementStrategy[%d]", i)}
	if kind != "" {
		s.Type = ptr(kind)
	}
	if field != "" {
		s.PlacementStrategy.Field = ptr(field)
	}
	return s
}

// spreadKeys renders topology spread constraints as "key/skew/when".
func spreadKeys(t *testing.T, tscs []corev1.TopologySpreadConstraint) string {
	var out []string
	for _, c := range tscs {
		if c.LabelSelector == nil || len(c.LabelSelector.MatchLabels) != 1 || c.LabelSelector.MatchLabels[ecsv1.LabelService] != "web" {
			t.Errorf("spread on %s selects %v, want the service selector", c.TopologyKey, c.LabelSelector)
		}
		out = append(out, fmt.Sprintf("%s/%d/%s", c.TopologyKey, c.MaxSkew, c.WhenUnsatisfiable))
	}
	return strings.Join(out, " ")
}

func TestTranslateStrategies(t *testing.T) {
	cases := []struct {
		name       string
		strategies []Strategy
		input      func(*Input)
		spread     string
		scheduler  string
		warnings   string // substring of all warnings joined, "" = none
		infos      string // substring of all notes joined, "" = none
		errSubstr  string
	}{
		{name: "spread on zone", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.availability-zone")},
			spread: zone + "/1/ScheduleAnyway"},
		{name: "spread on instanceId", strategies: []Strategy{strategy(0, "spread", "instanceId")}, spread: host + "/1/ScheduleAnyway"},
		{name: "spread on host", strategies: []Strategy{strategy(0, "spread", "host")}, spread: host + "/1/ScheduleAnyway"},
		{name: "spread keeps ECS order", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.availability-zone"), strategy(1, "spread", "instanceId")},
			spread: zone + "/1/ScheduleAnyway " + host + "/1/ScheduleAnyway", infos: "placementStrategy[1]: ECS applies placement strategies in order"},
		{name: "spread repeated once", strategies: []Strategy{strategy(0, "spread", "instanceId"), strategy(1, "spread", "host")},
			spread: host + "/1/ScheduleAnyway", infos: "spread on kubernetes.io/hostname repeats an earlier strategy; added once"},
		{name: "spread without selector", strategies: []Strategy{strategy(0, "spread", "host")}, input: func(in *Input) { in.Selector = nil },
			errSubstr: "placementStrategy[0]: cannot select the service's own pods"},
		{name: "spread on instance type", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.instance-type")}, spread: typ + "/1/ScheduleAnyway"},
		{name: "spread on custom attribute", strategies: []Strategy{strategy(0, "spread", "attribute:rack")}, spread: "ecs.operator.dev/rack/1/ScheduleAnyway"},
		{name: "spread on configured attribute", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.subnet-id")},
			input:  func(in *Input) { in.Attributes = map[string]string{"ecs.subnet-id": "example.com/subnet"} },
			spread: "example.com/subnet/1/ScheduleAnyway"},
		{name: "spread on unmapped built-in", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.ami-id")},
			errSubstr: "placementStrategy[0].field: spread on attribute:ecs.ami-id: attribute ecs.ami-id has no default node label"},
		{name: "spread on os family", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.os-family")},
			errSubstr: "spread on ecs.os-family needs one node label"},
		{name: "spread without field", strategies: []Strategy{strategy(0, "spread", "")}, errSubstr: "placementStrategy[0].field: spread needs a field: instanceId, host or attribute:NAME"},
		{name: "spread on resource", strategies: []Strategy{strategy(0, "spread", "cpu")}, errSubstr: `cannot spread on "cpu"`},

		{name: "binpack cpu profile", strategies: []Strategy{strategy(0, "binpack", "cpu")},
			input: func(in *Input) {
				in.BinpackSchedulerNames = &ecsv1.BinpackSchedulerNames{CPU: "binpack-cpu", Memory: "binpack-memory"}
			},
			scheduler: "binpack-cpu"},
		{name: "binpack memory profile", strategies: []Strategy{strategy(0, "binpack", "memory")},
			input: func(in *Input) {
				in.BinpackSchedulerNames = &ecsv1.BinpackSchedulerNames{CPU: "binpack-cpu", Memory: "binpack-memory"}
			},
			scheduler: "binpack-memory"},
		{name: "binpack falls back to one profile", strategies: []Strategy{strategy(0, "binpack", "MEMORY")},
			input: func(in *Input) {
				in.BinpackSchedulerNames = &ecsv1.BinpackSchedulerNames{CPU: "binpack-cpu"}
				in.BinpackSchedulerName = "binpack"
			},
			scheduler: "binpack"},
		{name: "binpack without profile", strategies: []Strategy{strategy(0, "binpack", "memory")},
			warnings: "placementStrategy[0]: binpack needs a MostAllocated scheduler profile; default scheduler spreads"},
		{name: "binpack two profiles", strategies: []Strategy{strategy(0, "binpack", "cpu"), strategy(1, "binpack", "memory")},
			input: func(in *Input) {
				in.BinpackSchedulerNames = &ecsv1.BinpackSchedulerNames{CPU: "binpack-cpu", Memory: "binpack-memory"}
			},
			scheduler: "binpack-cpu", warnings: `placementStrategy[1]: a pod has one scheduler: binpack(memory) would use "binpack-memory", but placementStrategy[0] already chose "binpack-cpu"`,
			infos: "scores them together"},
		{name: "binpack same profile twice", strategies: []Strategy{strategy(0, "binpack", "cpu"), strategy(1, "binpack", "memory")},
			input: func(in *Input) { in.BinpackSchedulerName = "binpack" }, scheduler: "binpack", infos: "scores them together"},
		{name: "binpack with spread", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.availability-zone"), strategy(1, "binpack", "memory")},
			input:  func(in *Input) { in.BinpackSchedulerName = "binpack" },
			spread: zone + "/1/ScheduleAnyway", scheduler: "binpack", infos: "scores them together"},
		{name: "binpack on disk", strategies: []Strategy{strategy(0, "binpack", "disk")}, errSubstr: `binpack needs field cpu or memory, not "disk"`},

		{name: "random", strategies: []Strategy{strategy(0, "random", "")}},
		{name: "random with field", strategies: []Strategy{strategy(0, "random", "cpu")}, infos: `random placement takes no field; "cpu" is ignored`},
		{name: "no strategy", infos: "placementStrategy: no strategy: ECS spreads tasks over Availability Zones by default"},
		{name: "no strategy on DAEMON", input: func(in *Input) { in.Daemon = true }},
		{name: "strategy on DAEMON", strategies: []Strategy{strategy(0, "random", "")}, input: func(in *Input) { in.Daemon = true },
			errSubstr: "placementStrategy[0]: placement strategies are not allowed with schedulingStrategy DAEMON"},
		{name: "too many", strategies: []Strategy{strategy(0, "random", ""), strategy(1, "random", ""), strategy(2, "random", ""), strategy(3, "random", ""), strategy(4, "random", ""), strategy(5, "random", "")},
			errSubstr: "placementStrategy[5]: ECS allows at most 5 placement strategies; found 6"},
		{name: "missing type", strategies: []Strategy{strategy(0, "", "cpu")}, errSubstr: "placementStrategy[0].type: type is required"},
		{name: "unknown type", strategies: []Strategy{strategy(0, "pack", "cpu")}, errSubstr: `unknown placement strategy type "pack"`},
		{name: "fargate", strategies: []Strategy{strategy(0, "spread", "attribute:ecs.availability-zone"), strategy(1, "binpack", "cpu")},
			input:    func(in *Input) { in.Fargate = true },
			warnings: "placementStrategy[0]: placement strategies are ignored on Fargate (EKS Fargate schedules pods itself)\nplacementStrategy[1]: placement strategies are ignored on Fargate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Strategies: tc.strategies, Selector: serviceSelector}
			if tc.input != nil {
				tc.input(&in)
			}
			var rep report.Collector
			res := Translate(in, &rep)
			if tc.errSubstr != "" {
				if err := rep.Err(); err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.errSubstr)
				}
				if res.SchedulerName != "" || res.TopologySpreadConstraints != nil || res.Affinity != nil {
					t.Errorf("result despite the error: %+v", res)
				}
				return
			}
			if err := rep.Err(); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := spreadKeys(t, res.TopologySpreadConstraints); got != tc.spread {
				t.Errorf("spread = %q, want %q", got, tc.spread)
			}
			if res.SchedulerName != tc.scheduler {
				t.Errorf("schedulerName = %q, want %q", res.SchedulerName, tc.scheduler)
			}
			checkMessages(t, "warnings", messages(rep.Warnings()), tc.warnings)
			checkMessages(t, "notes", messages(rep.Infos()), tc.infos)
		})
	}
}

func checkMessages(t *testing.T, kind, got, want string) {
	t.Helper()
	if want == "" && got != "" {
		t.Errorf("unexpected %s:\n%s", kind, got)
	}
	if !strings.Contains(got, want) {
		t.Errorf("%s:\n%s\nwant them to contain %q", kind, got, want)
	}
}
