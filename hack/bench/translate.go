package main

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ecs-operator/ecs-operator/internal/translate"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// translateBenchmark translates the shapes' task definitions in a loop
// (testing.Benchmark, one goroutine) and returns task definitions per
// second of process CPU time: per core, and unaffected by other work on
// a shared machine, which only stretches wall time.
func translateBenchmark(shapes []shape, cluster *ecsv1.ECSClusterSpec) (float64, error) {
	inputs := make([]translate.TaskInput, len(shapes))
	for i, s := range shapes {
		inputs[i] = translate.TaskInput{
			Namespace: operatorNamespace, Name: s.name, Revision: 1, Spec: s.task,
			ClusterName: benchClusterName, Cluster: cluster,
			Capabilities: translate.AllCapabilities(), Workload: translate.WorkloadService,
		}
		if _, err := translate.TranslateTask(inputs[i]); err != nil {
			return 0, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	var translated int
	var cpu time.Duration
	testing.Benchmark(func(b *testing.B) {
		translated = 0
		cpuStart := processCPU()
		for b.Loop() {
			for _, in := range inputs {
				_, _ = translate.TranslateTask(in)
			}
			translated += len(inputs)
		}
		cpu = processCPU() - cpuStart
	})
	if cpu <= 0 {
		return 0, fmt.Errorf("no CPU time measured")
	}
	return float64(translated) / cpu.Seconds(), nil
}

// processCPU is the CPU time (user + system) the process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
