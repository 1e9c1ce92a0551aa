package placement

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ecs-operator/ecs-operator/internal/report"
)

// FuzzParse checks that any input either parses to a tree whose String
// form parses back to the same form, or fails with a SyntaxError that
// points inside the input; and that translating never panics and is
// deterministic.
func FuzzParse(f *testing.F) {
	for _, ex := range devGuideExamples {
		f.Add(ex.expr)
	}
	for _, seed := range []string{
		"attribute:ecs.availability-zone==us-west-2b",
		"not(attribute:a exists and (attribute:b =~ 'x|y' or attribute:c !in [1, '2 3']))",
		"attribute:gpu >= 2 and not(attribute:gpu > 8) || task:group != service:web",
		"attribute:ecs.os-family in [LINUX, WINDOWS_SERVER_2022_FULL]",
		"attribute:ecs.cpu-architecture !~ x86.* && ec2InstanceId =~ i-[0-9a-f]{8}",
		"((attribute:a exists)",
		"attribute:a == 'é' é",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := Parse(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", expr, err)
			}
			if se.Offset < 0 || se.Offset > len(expr) || se.Column < 1 || se.Column > se.Offset+1 {
				t.Fatalf("Parse(%q): position offset %d column %d outside the input", expr, se.Offset, se.Column)
			}
			return
		}
		text := e.String()
		again, err := Parse(text)
		if err != nil {
			t.Fatalf("String() of %q is %q, which does not parse: %v", expr, text, err)
		}
		if again.String() != text {
			t.Fatalf("String() of %q is not stable: %q then %q", expr, text, again.String())
		}
		in := Input{Constraints: []Constraint{memberOf("placementConstraints[0]", expr)}, Inventory: testInventory, Selector: serviceSelector}
		var first, second report.Collector
		if a, b := Translate(in, &first), Translate(in, &second); !reflect.DeepEqual(a, b) || !reflect.DeepEqual(first.Warnings(), second.Warnings()) {
			t.Fatalf("Translate(%q) is not deterministic", expr)
		}
	})
}
