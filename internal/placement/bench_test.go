package placement

import (
	"testing"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// benchmarkInput is a busy but realistic service: task definition and
// service constraints with a regex, a negation and an or, plus spread and
// binpack, against a 12-node inventory.
func benchmarkInput() Input {
	return Input{
		Constraints: []Constraint{
			fromTaskDefinition(memberOf("taskDefinition.placementConstraints[0]", "attribute:ecs.os-type == linux")),
			memberOf("placementConstraints[0]", "attribute:ecs.instance-type =~ m5.* and attribute:ecs.availability-zone != us-east-1d"),
			memberOf("placementConstraints[1]", "(attribute:ecs.cpu-architecture == x86_64 or attribute:gpu >= 1) and not(task:group == service:batch)"),
			distinctInstance("placementConstraints[2]"),
		},
		Strategies: []Strategy{
			{Field: "placementStrategy[0]", PlacementStrategy: ecsv1.PlacementStrategy{Type: ptr("spread"), Field: ptr("attribute:ecs.availability-zone")}},
			{Field: "placementStrategy[1]", PlacementStrategy: ecsv1.PlacementStrategy{Type: ptr("binpack"), Field: ptr("memory")}},
		},
		Inventory:            testInventory,
		Selector:             serviceSelector,
		BinpackSchedulerName: "binpack",
	}
}

func BenchmarkParse(b *testing.B) {
	const expr = "(attribute:ecs.cpu-architecture == x86_64 or attribute:gpu >= 1) and not(task:group == service:batch) and attribute:ecs.availability-zone in [us-east-1a, us-east-1b, us-east-1c]"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(expr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTranslate measures Parse+Translate of a whole service, which
// the controller repeats for every service when nodes change.
func BenchmarkTranslate(b *testing.B) {
	in := benchmarkInput()
	b.ReportAllocs()
	for b.Loop() {
		var rep report.Collector
		Translate(in, &rep)
		if rep.Failed() {
			b.Fatal(rep.Err())
		}
	}
}

// BenchmarkTranslateLargestDNF is the worst case the term limit allows:
// six two-way alternatives expand to 64 nodeSelectorTerms.
func BenchmarkTranslateLargestDNF(b *testing.B) {
	in := Input{Constraints: []Constraint{memberOf("placementConstraints[0]", blowUp(6))}}
	b.ReportAllocs()
	for b.Loop() {
		var rep report.Collector
		Translate(in, &rep)
		if rep.Failed() {
			b.Fatal(rep.Err())
		}
	}
}
