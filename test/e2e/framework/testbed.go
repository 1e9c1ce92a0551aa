package framework

// The fake nodes hack/cluster.sh creates by default: one per zone and
// instance type, 12 in all. Tests use these to state expected placements.
var (
	// Zones are the nodes' topology.kubernetes.io/zone values.
	Zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	// InstanceTypes maps each node.kubernetes.io/instance-type to its
	// kubernetes.io/arch: general purpose (m) and compute (c) on Intel and
	// Graviton.
	InstanceTypes = map[string]string{
		"m5.xlarge":  "amd64",
		"c5.xlarge":  "amd64",
		"m6g.xlarge": "arm64",
		"c6g.xlarge": "arm64",
	}
)

// instanceResources are the capacity and allocatable of the test bed's
// instance types, as hack/cluster.sh computes them (EKS AMI reservations).
var instanceResources = map[string]struct{ cpu, memory, allocatableCPU, allocatableMemory, pods string }{
	"m5.xlarge":  {"4", "16Gi", "3920m", "15391Mi", "58"},
	"c5.xlarge":  {"4", "8Gi", "3920m", "7199Mi", "58"},
	"m6g.xlarge": {"4", "16Gi", "3920m", "15391Mi", "58"},
	"c6g.xlarge": {"4", "8Gi", "3920m", "7199Mi", "58"},
}

// Node labels the test bed sets (besides kubernetes.io/hostname).
const (
	LabelZone         = "topology.kubernetes.io/zone"
	LabelRegion       = "topology.kubernetes.io/region"
	LabelInstanceType = "node.kubernetes.io/instance-type"
	LabelArch         = "kubernetes.io/arch"
	LabelOS           = "kubernetes.io/os"
	LabelHostname     = "kubernetes.io/hostname"
	LabelNodegroup    = "eks.amazonaws.com/nodegroup"
)

// Scheduler profiles of the test bed (hack/cluster/scheduler-config.yaml):
// NodeResourcesFit MostAllocated on cpu and memory, cpu only, memory only.
const (
	SchedulerBinpack       = "binpack"
	SchedulerBinpackCPU    = "binpack-cpu"
	SchedulerBinpackMemory = "binpack-memory"
)

// Image tags that make the test bed's pods fail (hack/cluster/stages.yaml):
// a container with CrashLoopImageTag restarts for ever in CrashLoopBackOff,
// one with UnreadyImageTag runs but never passes its readiness probe.
const (
	CrashLoopImageTag = "crashloop"
	UnreadyImageTag   = "unready"
)
