package ecsjson

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// addCorpusSeeds adds every shared corpus file as a seed, when present.
func addCorpusSeeds(f *testing.F) {
	if shared, ok := testenv.SharedDir(); ok {
		paths, _ := filepath.Glob(filepath.Join(shared, "corpus", "ecs", "*", "*.json"))
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}`))
	f.Add([]byte(`{"services":[{"serviceName":"a","taskDefinition":"a"}],"failures":[]}`))
	f.Add([]byte(`[{"name":"app","image":"nginx"}]`))
	f.Add([]byte(`{"services":[{}]}`))
}

// FuzzDecode: Decode never panics, and what it accepts encodes and decodes
// again to the same spec; Validate never panics.
func FuzzDecode(f *testing.F) {
	addCorpusSeeds(f)
	f.Add([]byte(`{"other":"","taskDefinition":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Decode(data)
		if err != nil {
			return
		}
		for _, doc := range docs {
			Validate(doc)
			var encoded []byte
			if doc.Kind == KindTaskDefinition {
				encoded, err = EncodeTaskDefinition(doc.TaskDefinition)
			} else {
				encoded, err = EncodeService(doc.Service)
			}
			if err != nil {
				t.Fatalf("encoding a decoded document: %v", err)
			}
			if fieldless(encoded) {
				// A document without a single field ({"services":[{}]},
				// {"taskDefinition":{}}) has its kind from the wrapper
				// alone; bare, nothing tells what it is, and Decode
				// rightly says so.
				continue
			}
			again, err := Decode(encoded)
			if err != nil {
				t.Fatalf("decoding an encoded document: %v\n%s", err, encoded)
			}
			if len(again) != 1 || again[0].Kind != doc.Kind {
				t.Fatalf("re-decoding gave %d documents", len(again))
			}
			if doc.Kind == KindTaskDefinition && !reflect.DeepEqual(again[0].TaskDefinition, doc.TaskDefinition) {
				t.Fatalf("task definition changed on the round trip:\n%s", encoded)
			}
			if doc.Kind == KindService && !reflect.DeepEqual(again[0].Service, doc.Service) {
				t.Fatalf("service changed on the round trip:\n%s", encoded)
			}
		}
	})
}

// fieldless reports whether an encoded document sets no field: {}, or
// only the null of an empty task definition's containerDefinitions, which
// the API type always writes.
func fieldless(encoded []byte) bool {
	var fields map[string]any
	if err := json.Unmarshal(encoded, &fields); err != nil {
		return false
	}
	for _, v := range fields {
		if v != nil {
			return false
		}
	}
	return true
}

// BenchmarkDecodeCorpus decodes and validates every corpus file once per
// iteration.
func BenchmarkDecodeCorpus(b *testing.B) {
	files := corpusFiles(b)
	var bytes int64
	for _, f := range files {
		bytes += int64(len(f.data))
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			docs, err := Decode(f.data)
			if err != nil {
				continue
			}
			for _, d := range docs {
				Validate(d)
			}
		}
	}
}
