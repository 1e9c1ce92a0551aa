package ecsjson

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkZZErr(b *testing.B) {
	for _, n := range []string{"001", "029", "030", "038", "048", "064", "065", "087"} {
		files, _ := filepath.Glob("/work/shared/corpus/ecs/taskdefs/" + n + "*.json")
		data, _ := os.ReadFile(files[0])
		b.Run(n, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Decode(data)
			}
		})
	}
}

func BenchmarkZZDecodeOnly(b *testing.B) {
	files, _ := filepath.Glob("/work/shared/corpus/ecs/taskdefs/*.json")
	var inputs [][]byte
	for _, f := range files {
		data, _ := os.ReadFile(f)
		inputs = append(inputs, data)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range inputs {
			Decode(data)
		}
	}
}
