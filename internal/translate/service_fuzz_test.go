package translate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// FuzzTranslateService translates arbitrary service JSON on top of the
// fixture task: any input must give objects or report.Errors, never a
// panic. Seeds are the service cases and the corpus services.
//
//	go test ./internal/translate -run '^$' -fuzz FuzzTranslateService -fuzztime 2m
func FuzzTranslateService(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(serviceTestdata, "cases", "*.yaml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var c struct {
			Service json.RawMessage `json:"service"`
		}
		if err := yaml.Unmarshal(data, &c); err == nil {
			f.Add([]byte(c.Service))
		}
	}
	if shared, ok := testenv.SharedDir(); ok {
		corpus, _ := filepath.Glob(filepath.Join(shared, "corpus", "ecs", "services", "*.json"))
		for _, file := range corpus {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := svcInput(t, `{}`)
		in.Cluster = svcClusterSpec(t, svcProviders)
		in.Cluster.Region = "us-east-1"
		if err := json.Unmarshal(data, in.Spec); err != nil {
			return
		}
		res, err := TranslateService(in)
		if err != nil {
			if res != nil {
				t.Fatalf("objects returned with error %v", err)
			}
			if len(serviceErrorStrings(t, err)) == 0 {
				t.Fatalf("an empty error list")
			}
			return
		}
		if (res.Deployment == nil) == (res.DaemonSet == nil) {
			t.Fatalf("want exactly one of Deployment and DaemonSet")
		}
	})
}
