package translate

import (
	"math"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// minContainerMemoryMiB is Docker's minimum memory limit (20.10 and later);
// ECS rejects smaller container memory values.
const minContainerMemoryMiB = 6

// defaultGPUResourceName is the extended resource GPUs are requested as when
// ECSCluster.spec.gpuResourceName is unset.
const defaultGPUResourceName = "nvidia.com/gpu"

// cpuUnitsToMillicores converts ECS CPU units (1024 per vCPU) to
// millicores, rounding to nearest and never below 1m for a positive value
// (field-map §2).
func cpuUnitsToMillicores(units int64) int64 {
	if units <= 0 {
		return 0
	}
	m := (units*1000 + 512) / 1024
	if m == 0 {
		m = 1
	}
	return m
}

func millicoresQuantity(m int64) resource.Quantity {
	return *resource.NewMilliQuantity(m, resource.DecimalSI)
}

func mebibytesQuantity(mib int64) resource.Quantity {
	return *resource.NewQuantity(mib<<20, resource.BinarySI)
}

// taskCPU is a parsed task-level cpu value.
type taskCPU struct {
	units      float64 // ECS CPU units, for validation against containers
	millicores int64
}

// parseTaskCPU accepts every form ECS does: an integer or numeric string of
// CPU units ("1024"), or vCPUs with a unit ("1 vCPU", "0.25 vcpu", ".5 vCPU").
func parseTaskCPU(v intstr.IntOrString) (taskCPU, bool) {
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			return taskCPU{}, false
		}
		return taskCPU{units: float64(v.IntVal), millicores: cpuUnitsToMillicores(int64(v.IntVal))}, true
	}
	s := strings.TrimSpace(v.StrVal)
	lower := strings.ToLower(s)
	if number, ok := strings.CutSuffix(lower, "vcpu"); ok {
		vcpus, err := strconv.ParseFloat(strings.TrimSpace(number), 64)
		if err != nil || vcpus < 0 || math.IsInf(vcpus, 0) || math.IsNaN(vcpus) || vcpus > 1e6 {
			return taskCPU{}, false
		}
		m := int64(math.Round(vcpus * 1000))
		if m == 0 && vcpus > 0 {
			m = 1
		}
		return taskCPU{units: vcpus * 1024, millicores: m}, true
	}
	units, err := strconv.ParseInt(s, 10, 32)
	if err != nil || units < 0 {
		return taskCPU{}, false
	}
	return taskCPU{units: float64(units), millicores: cpuUnitsToMillicores(units)}, true
}

// parseTaskMemoryMiB accepts an integer or numeric string of MiB ("2048"),
// or GB with a unit ("2GB", "2 GB", ".5 gb"; ECS GB are GiB).
func parseTaskMemoryMiB(v intstr.IntOrString) (int64, bool) {
	if v.Type == intstr.Int {
		return int64(v.IntVal), v.IntVal >= 0
	}
	s := strings.ToLower(strings.TrimSpace(v.StrVal))
	if number, ok := strings.CutSuffix(s, "gb"); ok {
		gb, err := strconv.ParseFloat(strings.TrimSpace(number), 64)
		if err != nil || gb < 0 || math.IsInf(gb, 0) || math.IsNaN(gb) || gb > 1e6 {
			return 0, false
		}
		return int64(math.Round(gb * 1024)), true
	}
	mib, err := strconv.ParseInt(s, 10, 32)
	if err != nil || mib < 0 {
		return 0, false
	}
	return mib, true
}

// translateContainerResources maps container cpu, memory,
// memoryReservation and resourceRequirements (field-map §2, §3.8).
func (t *taskTranslation) translateContainerResources(tc *taskContainer) {
	def := tc.def
	res := &tc.k8s.Resources
	if def.CPU != nil {
		switch units := int64(*def.CPU); {
		case units < 0:
			t.rep.Fail(t.rep.Field(tc.path, ".cpu"), "must not be negative")
		case units > 0:
			tc.cpuMillis = cpuUnitsToMillicores(units)
			q := millicoresQuantity(tc.cpuMillis)
			setResource(&res.Requests, corev1.ResourceCPU, q)
			if t.windows {
				// Windows enforces container cpu as a hard quota.
				setResource(&res.Limits, corev1.ResourceCPU, q)
			}
		}
	}
	if def.Memory != nil {
		if *def.Memory < minContainerMemoryMiB {
			t.rep.Fail(t.rep.Field(tc.path, ".memory"), "%d MiB is below the %d MiB minimum", *def.Memory, minContainerMemoryMiB)
		} else {
			tc.memoryMiB = int64(*def.Memory)
			setResource(&res.Limits, corev1.ResourceMemory, mebibytesQuantity(tc.memoryMiB))
		}
	}
	if def.MemoryReservation != nil {
		switch r := int64(*def.MemoryReservation); {
		case r < minContainerMemoryMiB:
			t.rep.Fail(t.rep.Field(tc.path, ".memoryReservation"), "%d MiB is below the %d MiB minimum", r, minContainerMemoryMiB)
		case tc.memoryMiB >= 0 && r > tc.memoryMiB:
			t.rep.Fail(t.rep.Field(tc.path, ".memoryReservation"), "%d MiB is more than memory (%d MiB); the reservation must not exceed the limit", r, tc.memoryMiB)
		default:
			tc.memoryReservation = r
			setResource(&res.Requests, corev1.ResourceMemory, mebibytesQuantity(r))
		}
	}
	for i, rr := range def.ResourceRequirements {
		path := t.rep.Field(tc.path, ".resourceRequirements[", strconv.Itoa(i), "]")
		switch rr.Type {
		case "GPU":
			gpus, err := strconv.ParseInt(strings.TrimSpace(rr.Value), 10, 32)
			if err != nil || gpus < 1 {
				t.rep.Fail(t.rep.Field(path, ".value"), "GPU count %q is not a positive whole number", rr.Value)
				continue
			}
			name := corev1.ResourceName(t.gpuResourceName())
			setResource(&res.Limits, name, *resource.NewQuantity(gpus, resource.DecimalSI))
			t.addGPUToleration(name)
		case "InferenceAccelerator":
			t.rep.Warn(path, "Elastic Inference is discontinued; accelerator %q dropped", rr.Value)
		default:
			t.rep.Fail(t.rep.Field(path, ".type"), "unknown resource type %q: use GPU or InferenceAccelerator", rr.Type)
		}
	}
}

func (t *taskTranslation) gpuResourceName() string {
	if t.cluster.GPUResourceName != "" {
		return t.cluster.GPUResourceName
	}
	return defaultGPUResourceName
}

// addGPUToleration tolerates the taint GPU node groups usually carry (the
// resource name as key, as EKS GPU AMIs and the ExtendedResourceToleration
// admission plugin use), so GPU tasks land where ECS would place them.
func (t *taskTranslation) addGPUToleration(name corev1.ResourceName) {
	for _, tol := range t.pod.Tolerations {
		if tol.Key == string(name) {
			return
		}
	}
	t.pod.Tolerations = append(t.pod.Tolerations, corev1.Toleration{
		Key:      string(name),
		Operator: corev1.TolerationOpExists,
		Effect:   corev1.TaintEffectNoSchedule,
	})
}

func setResource(list *corev1.ResourceList, name corev1.ResourceName, q resource.Quantity) {
	if *list == nil {
		*list = corev1.ResourceList{}
	}
	(*list)[name] = q
}

// translateResources applies task cpu/memory and ephemeralStorage once the
// containers are placed (field-map §2).
func (t *taskTranslation) translateResources() {
	var cpu *taskCPU
	memoryMiB := int64(-1)
	if v := t.spec.CPU; v != nil {
		parsed, ok := parseTaskCPU(*v)
		switch {
		case !ok:
			t.rep.Fail("cpu", "%q is not CPU units (1024) or vCPUs (\"1 vCPU\", \".25 vcpu\")", v.String())
		case parsed.millicores > 0:
			cpu = &parsed
		default:
			t.rep.Warn("cpu", "task cpu 0 means no task-level CPU")
		}
	}
	if v := t.spec.Memory; v != nil {
		parsed, ok := parseTaskMemoryMiB(*v)
		switch {
		case !ok:
			t.rep.Fail("memory", "%q is not MiB (2048) or GB (\"2 GB\")", v.String())
		case parsed > 0:
			memoryMiB = parsed
		default:
			t.rep.Warn("memory", "task memory 0 means no task-level memory")
		}
	}
	if t.fargate {
		if cpu == nil {
			t.rep.Fail("cpu", "required with FARGATE: set the task cpu")
		}
		if memoryMiB < 0 {
			t.rep.Fail("memory", "required with FARGATE: set the task memory")
		}
	}
	if memoryMiB < 0 && !t.windows {
		for _, tc := range t.containers {
			if tc.def.Memory == nil && tc.def.MemoryReservation == nil {
				t.rep.Fail(t.rep.Field(tc.path, ".memory"), "container %q needs memory or memoryReservation when the task sets no memory", tc.def.Name)
			}
		}
	}
	t.translateEphemeralStorage()

	hasInit := false
	for _, tc := range t.containers {
		if tc.role == roleRunToCompletion {
			hasInit = true
		}
	}
	if hasInit && (cpu != nil || memoryMiB > 0) {
		t.rep.Info("containerDefinitions", "init containers stop counting toward the pod's reservation once they finish; ECS reserves every container for the whole task")
	}
	if cpu == nil && memoryMiB < 0 {
		return
	}
	if t.windows {
		t.rep.Warn(taskResourceField(cpu, memoryMiB), "task cpu/memory ignored for Windows; set container values")
		return
	}
	if !t.validateTaskResources(cpu, memoryMiB) {
		return
	}
	if t.caps.PodLevelResources {
		t.setPodLevelResources(cpu, memoryMiB)
		return
	}
	t.spreadTaskResources(cpu, memoryMiB)
}

// taskResourceField names the task-level field a resource warning is about.
func taskResourceField(cpu *taskCPU, memoryMiB int64) string {
	if cpu != nil || memoryMiB <= 0 {
		return "cpu"
	}
	return "memory"
}

// validateTaskResources mirrors the ECS checks (and the Kubernetes
// pod-level resource rules): Σ container cpu ≤ task cpu, Σ reserved memory
// ≤ task memory, each container memory ≤ task memory.
func (t *taskTranslation) validateTaskResources(cpu *taskCPU, memoryMiB int64) bool {
	ok := true
	if cpu != nil {
		var sum float64
		for _, tc := range t.containers {
			if tc.def.CPU != nil && *tc.def.CPU > 0 {
				sum += float64(*tc.def.CPU)
			}
		}
		if sum > cpu.units+1e-9 {
			t.rep.Fail("cpu", "containers reserve %g CPU units in total, more than the task cpu (%g units); raise the task cpu or lower the containers'", sum, cpu.units)
			ok = false
		}
	}
	if memoryMiB > 0 {
		var reserved int64
		for _, tc := range t.containers {
			switch {
			case tc.memoryReservation >= 0:
				reserved += tc.memoryReservation
			case tc.memoryMiB >= 0:
				reserved += tc.memoryMiB
			}
			if tc.memoryMiB > memoryMiB {
				t.rep.Fail(t.rep.Field(tc.path, ".memory"), "container memory %d MiB is more than the task memory (%d MiB)", tc.memoryMiB, memoryMiB)
				ok = false
			}
		}
		if reserved > memoryMiB {
			t.rep.Fail("memory", "containers reserve %d MiB in total, more than the task memory (%d MiB)", reserved, memoryMiB)
			ok = false
		}
	}
	return ok
}

// setPodLevelResources bounds the pod by the task size: the containers
// without values of their own share it, exactly as in ECS.
func (t *taskTranslation) setPodLevelResources(cpu *taskCPU, memoryMiB int64) {
	list := corev1.ResourceList{}
	if cpu != nil {
		// Rounding each container to whole millicores can sum to slightly
		// more than the task; the pod must cover its containers.
		var sum int64
		for _, tc := range t.containers {
			if tc.cpuMillis > 0 {
				sum += tc.cpuMillis
			}
		}
		list[corev1.ResourceCPU] = millicoresQuantity(max(cpu.millicores, sum))
	}
	if memoryMiB > 0 {
		list[corev1.ResourceMemory] = mebibytesQuantity(memoryMiB)
	}
	t.pod.Resources = &corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

// spreadTaskResources is the fallback without pod-level resources
// (field-map §2): the remainder of the task size is given to the
// containers without requests of their own so that the pod reserves what
// ECS reserves, and containers without memory get the task memory as
// their limit.
func (t *taskTranslation) spreadTaskResources(cpu *taskCPU, memoryMiB int64) {
	// Run-to-completion init containers do not run beside the others.
	var running []*taskContainer
	for _, tc := range t.containers {
		if tc.role != roleRunToCompletion {
			running = append(running, tc)
		}
	}
	field := taskResourceField(cpu, memoryMiB)
	t.rep.Warn(field, "task-level cpu/memory cap not enforced without pod-level resources; per-container limits set to task size")
	if cpu != nil {
		rest := cpu.millicores
		var open []*taskContainer
		for _, tc := range running {
			if tc.cpuMillis > 0 {
				rest -= tc.cpuMillis
			} else {
				open = append(open, tc)
			}
		}
		t.spreadRemainder(corev1.ResourceCPU, rest, open, running, millicoresQuantity, func(*taskContainer) int64 { return -1 })
	}
	if memoryMiB > 0 {
		rest := memoryMiB
		var open []*taskContainer
		for _, tc := range running {
			switch {
			case tc.memoryReservation >= 0:
				rest -= tc.memoryReservation
			case tc.memoryMiB >= 0:
				rest -= tc.memoryMiB
			default:
				open = append(open, tc)
			}
		}
		for _, tc := range t.containers {
			if tc.memoryMiB < 0 {
				setResource(&tc.k8s.Resources.Limits, corev1.ResourceMemory, mebibytesQuantity(memoryMiB))
			}
		}
		t.spreadRemainder(corev1.ResourceMemory, rest, open, running, mebibytesQuantity, func(tc *taskContainer) int64 {
			if tc.memoryMiB >= 0 {
				return tc.memoryMiB
			}
			return memoryMiB
		})
	}
}

// spreadRemainder gives rest evenly to the open containers (the rounding
// remainder to the first essential one) or, when none is open, raises the
// first essential container's request, never above its limit.
func (t *taskTranslation) spreadRemainder(name corev1.ResourceName, rest int64, open, running []*taskContainer, quantity func(int64) resource.Quantity, limitOf func(*taskContainer) int64) {
	if rest < 0 {
		rest = 0
	}
	if len(open) > 0 {
		share := rest / int64(len(open))
		extra := rest % int64(len(open))
		receiver := open[0]
		for _, tc := range open {
			if tc.essential {
				receiver = tc
				break
			}
		}
		for _, tc := range open {
			amount := share
			if tc == receiver {
				amount += extra
			}
			setResource(&tc.k8s.Resources.Requests, name, quantity(amount))
		}
		return
	}
	if rest == 0 {
		return
	}
	for _, tc := range running {
		if !tc.essential {
			continue
		}
		current := tc.k8s.Resources.Requests[name]
		var have int64
		if name == corev1.ResourceCPU {
			have = current.MilliValue()
		} else {
			have = current.Value() >> 20
			if current.IsZero() && tc.memoryMiB >= 0 {
				have = tc.memoryMiB
			}
		}
		want := have + rest
		if limit := limitOf(tc); limit >= 0 && want > limit {
			want = limit
		}
		setResource(&tc.k8s.Resources.Requests, name, quantity(want))
		return
	}
}

// translateEphemeralStorage sets the task's ephemeral storage on the first
// essential container: the kubelet evicts a pod whose total use passes the
// sum of its container limits, so it works as a pod cap.
func (t *taskTranslation) translateEphemeralStorage() {
	es := t.spec.EphemeralStorage
	if es == nil {
		return
	}
	if es.SizeInGiB <= 0 {
		t.rep.Fail("ephemeralStorage.sizeInGiB", "must be a positive number of GiB")
		return
	}
	for _, tc := range t.containers {
		if !tc.essential {
			continue
		}
		q := *resource.NewQuantity(int64(es.SizeInGiB)<<30, resource.BinarySI)
		setResource(&tc.k8s.Resources.Requests, corev1.ResourceEphemeralStorage, q)
		setResource(&tc.k8s.Resources.Limits, corev1.ResourceEphemeralStorage, q)
		t.rep.Warn("ephemeralStorage", "task ephemeral storage enforced via container %s limit", tc.name)
		return
	}
}
