package ecsjson

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZZPerFile(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/corpus/ecs/taskdefs/*.json")
	var total time.Duration
	for _, f := range files {
		data, _ := os.ReadFile(f)
		_, direct := decodeDirect(data)
		_, err := Decode(data)
		const n = 2000
		start := time.Now()
		for range n {
			Decode(data)
		}
		el := time.Since(start) / n
		total += el
		allocs := testing.AllocsPerRun(50, func() { Decode(data) })
		fmt.Printf("%-60s %6d bytes direct=%v err=%v %v allocs=%v\n", filepath.Base(f), len(data), direct, err != nil, el, allocs)
	}
	fmt.Println("total", total)
}
