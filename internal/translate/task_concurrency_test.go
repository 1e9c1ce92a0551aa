package translate

import (
	"sync"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestTranslateTaskConcurrentAndIndependent translates the corpus from
// several goroutines at once and checks every result is the one a lone
// call makes, and that no later call changes a result already returned:
// TranslateTask reuses its working state between calls, never the memory
// of a result.
func TestTranslateTaskConcurrentAndIndependent(t *testing.T) {
	cluster := taskTestCluster(t)
	inputs := decodedTaskCorpus(t, cluster)
	snapshot := func(in TaskInput) (*TaskResult, string) {
		res, err := TranslateTask(in)
		if err != nil {
			return nil, "error: " + err.Error()
		}
		out, err := yaml.Marshal(res)
		if err != nil {
			t.Errorf("%s: marshal: %v", in.Name, err)
		}
		return res, string(out)
	}
	first := make([]*TaskResult, len(inputs))
	want := make([]string, len(inputs))
	for i, in := range inputs {
		first[i], want[i] = snapshot(in)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for round := range 3 {
				for i := range inputs {
					i := (i + round*7) % len(inputs)
					if _, got := snapshot(inputs[i]); got != want[i] {
						t.Errorf("%s: a concurrent translation differs from a lone one", inputs[i].Name)
					}
				}
			}
		})
	}
	wg.Wait()
	for i, res := range first {
		if res == nil {
			continue
		}
		if out, _ := yaml.Marshal(res); string(out) != want[i] {
			t.Errorf("%s: the result changed after later translations", inputs[i].Name)
		}
	}
}
