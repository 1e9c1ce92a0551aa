package translate

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ecs-operator/ecs-operator/internal/ecsjson"
)

// BenchmarkTranslate decodes and translates every corpus task definition
// (the files that do not decode count too: rejecting them is part of the
// work). It reports task definitions per second of wall time and per
// second of process CPU time (taskdefs/cpu-s), which stays meaningful on a
// machine shared with other work:
//
//	go test ./internal/translate -run '^$' -bench BenchmarkTranslate -cpu 1
func BenchmarkTranslate(b *testing.B) {
	files := taskCorpusFiles(b)
	cluster := taskTestCluster(b)
	inputs := make([][]byte, len(files))
	for i, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		inputs[i] = data
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart := processCPUSeconds()
	for b.Loop() {
		for i, data := range inputs {
			docs, err := ecsjson.Decode(data)
			if err != nil {
				continue
			}
			for _, doc := range docs {
				if doc.TaskDefinition != nil {
					_, _ = TranslateTask(taskCorpusInput(files[i], doc, cluster))
				}
			}
		}
	}
	reportTaskRates(b, len(inputs), cpuStart)
}

// BenchmarkTranslateOnly translates the decoded corpus, to separate the
// translation's share from the decoder's.
func BenchmarkTranslateOnly(b *testing.B) {
	inputs := decodedTaskCorpus(b, taskTestCluster(b))
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart := processCPUSeconds()
	for b.Loop() {
		for _, in := range inputs {
			_, _ = TranslateTask(in)
		}
	}
	reportTaskRates(b, len(inputs), cpuStart)
}

func reportTaskRates(b *testing.B, perLoop int, cpuStart float64) {
	done := float64(b.N * perLoop)
	b.ReportMetric(done/b.Elapsed().Seconds(), "taskdefs/s")
	if cpu := processCPUSeconds() - cpuStart; cpu > 0 {
		b.ReportMetric(done/cpu, "taskdefs/cpu-s")
	}
	b.ReportMetric(0, "ns/op")
}

// processCPUSeconds is the user and system CPU time of this process.
func processCPUSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}
