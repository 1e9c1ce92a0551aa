package translate

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
	"github.com/ecs-operator/ecs-operator/internal/report"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// FuzzTranslateTask decodes arbitrary input as ECS JSON and translates every
// task definition in it, as a service and as a job, with and without a
// cluster policy. It must never panic, must fail only with field errors,
// must be deterministic, and what it produces must carry valid names.
//
//	go test ./internal/translate -run '^$' -fuzz FuzzTranslateTask -fuzztime 10m
func FuzzTranslateTask(f *testing.F) {
	f.Add([]byte(`{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	f.Add([]byte(`[{"name":"a","image":"i","memoryReservation":64,"dependsOn":[{"containerName":"a","condition":"START"}]}]`))
	if shared, ok := testenv.SharedDir(); ok {
		files, _ := filepath.Glob(filepath.Join(shared, "corpus", "ecs", "taskdefs", "*.json"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	cluster := taskTestCluster(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := ecsjson.Decode(data)
		if err != nil {
			return
		}
		for _, doc := range docs {
			if doc.TaskDefinition == nil {
				continue
			}
			for _, in := range []TaskInput{
				{Namespace: "ns", Name: "fuzz", Revision: 2, Spec: doc.TaskDefinition, ClusterName: "c", Cluster: &cluster.Spec, Capabilities: AllCapabilities()},
				{Namespace: "ns", Name: "fuzz", Revision: 1, Spec: doc.TaskDefinition, Workload: WorkloadJob},
			} {
				checkFuzzedTranslation(t, in)
			}
		}
	})
}

func checkFuzzedTranslation(t *testing.T, in TaskInput) {
	res, err := TranslateTask(in)
	again, errAgain := TranslateTask(in)
	if !reflect.DeepEqual(res, again) || (err == nil) != (errAgain == nil) || (err != nil && err.Error() != errAgain.Error()) {
		t.Fatalf("two translations of the same input differ")
	}
	if err != nil {
		var errs report.Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("error is %T (%v), want report.Errors", err, err)
		}
		if res != nil {
			t.Fatal("objects returned together with an error")
		}
		return
	}
	spec := res.PodTemplate.Spec
	if len(spec.Containers) == 0 {
		t.Fatal("pod template without containers")
	}
	for k, v := range res.PodTemplate.Labels {
		if msgs := validation.IsValidLabelValue(v); len(msgs) > 0 {
			t.Fatalf("label %s=%q: %v", k, v, msgs)
		}
	}
	seen := map[string]bool{}
	for _, c := range append(append(spec.InitContainers[:0:0], spec.InitContainers...), spec.Containers...) {
		if msgs := validation.IsDNS1123Label(c.Name); len(msgs) > 0 || seen[c.Name] {
			t.Fatalf("container name %q: %v (duplicate %v)", c.Name, msgs, seen[c.Name])
		}
		seen[c.Name] = true
		for _, p := range c.Ports {
			if p.Name != "" {
				if msgs := validation.IsValidPortName(p.Name); len(msgs) > 0 {
					t.Fatalf("port name %q: %v", p.Name, msgs)
				}
			}
		}
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		if msgs := validation.IsDNS1123Label(v.Name); len(msgs) > 0 || volumes[v.Name] {
			t.Fatalf("volume name %q: %v (duplicate %v)", v.Name, msgs, volumes[v.Name])
		}
		volumes[v.Name] = true
	}
	for _, c := range append(append(spec.InitContainers[:0:0], spec.InitContainers...), spec.Containers...) {
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				t.Fatalf("container %s mounts unknown volume %s", c.Name, m.Name)
			}
		}
	}
	for _, es := range res.ExternalSecrets {
		if msgs := validation.IsDNS1123Subdomain(es.GetName()); len(msgs) > 0 || es.GetNamespace() != in.Namespace {
			t.Fatalf("%s %q in %q: %v", es.GetKind(), es.GetName(), es.GetNamespace(), msgs)
		}
	}
	for _, w := range append(append([]ecsv1.TranslationWarning(nil), res.Warnings...), res.Notes...) {
		if w.Reason == "" {
			t.Fatalf("empty reason on %s", w.Field)
		}
	}
}
