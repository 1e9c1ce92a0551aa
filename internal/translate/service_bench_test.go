package translate

import (
	"testing"

	"k8s.io/utils/ptr"
)

// BenchmarkTranslateService translates the service golden cases, each on
// its already translated task definition (the controller translates a
// task revision once and every service using it on top), and reports
// services translated per second.
func BenchmarkTranslateService(b *testing.B) {
	cluster := serviceTestCluster(b)
	var inputs []ServiceInput
	for _, file := range serviceCaseFiles(b) {
		c := loadServiceCase(b, file)
		task, err := TranslateTask(TaskInput{
			Namespace: c.Namespace, Name: ptr.Deref(c.Task.Family, ""), Revision: 1, Spec: &c.Task,
			ClusterName: cluster.Name, Cluster: &cluster.Spec, Capabilities: AllCapabilities(), Workload: WorkloadService,
		})
		if err != nil {
			b.Fatalf("%s: %v", file, err)
		}
		inputs = append(inputs, ServiceInput{
			Namespace: c.Namespace, Name: ptr.Deref(c.Service.ServiceName, ""), Annotations: c.Annotations,
			Spec: &c.Service, TaskSpec: &c.Task, Task: task, Revision: 1,
			ClusterName: cluster.Name, Cluster: &cluster.Spec, Nodes: c.Nodes, Capabilities: AllCapabilities(),
		})
	}
	b.ReportAllocs()
	translated := 0
	for b.Loop() {
		for _, in := range inputs {
			_, _ = TranslateService(in)
			translated++
		}
	}
	b.ReportMetric(float64(translated)/b.Elapsed().Seconds(), "services/s")
}
