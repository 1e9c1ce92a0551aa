package main

import (
	"os"
	"testing"
	"time"
)

// The figures of a process read from /proc are those of the process
// itself, as the kernel counts them.
func TestProcessFigures(t *testing.T) {
	before, err := processTimes(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
	}
	after, err := processTimes(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 50*time.Millisecond {
		t.Errorf("100 ms of spinning counted as %s of CPU", after-before)
	}
	rss, err := peakRSSMiB(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1 || rss > 10000 {
		t.Errorf("peak RSS %.1f MiB, want a test binary's few MiB", rss)
	}
}
