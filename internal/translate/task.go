package translate

import (
	"slices"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// TranslateTask turns one task definition revision into a pod template and
// the objects the pod needs (ServiceAccount, ExternalSecrets, volumes,
// ConfigMaps, NetworkPolicy). It follows docs/field-map.md §1–§5; every
// field that cannot be honoured exactly is reported as a warning naming
// its ECS path. On invalid input it returns report.Errors listing every
// problem and no objects.
func TranslateTask(in TaskInput) (*TaskResult, error) {
	t := taskTranslations.Get().(*taskTranslation)
	defer t.release()
	t.in, t.res = in, &TaskResult{}
	t.pod = &t.res.PodTemplate.Spec
	if in.Spec == nil {
		t.rep.Fail("", "no task definition given")
		return nil, t.rep.Err()
	}
	t.run()
	if err := t.rep.Err(); err != nil {
		return nil, err
	}
	t.res.Warnings = t.rep.Warnings()
	t.res.Notes = t.rep.Infos()
	return t.res, nil
}

// taskTranslations keeps translation state between calls. Nothing a
// result holds points into it: results are built in memory of their own.
var taskTranslations = sync.Pool{New: func() any { return new(taskTranslation) }}

// release clears t, letting go of the input and the result, and returns
// it to the pool. The collector keeps its room for the next translation.
func (t *taskTranslation) release() {
	// Only the containers used need clearing; the rest are still zero.
	n := len(t.containers)
	clear(t.containerStates[:n])
	clear(t.containerRefs[:n])
	rep := t.rep
	rep.Reset()
	// Cleared and then given its collector back: clearing takes half the
	// write barriers of copying a state with the collector in.
	t.taskTranslationState = taskTranslationState{}
	t.rep = rep
	taskTranslations.Put(t)
}

// maxContainers is the ECS limit of containers per task definition.
const maxContainers = 10

// containerRole is where a container lands in the pod (field-map §3.0).
type containerRole int

const (
	// roleApp is a regular containers[] entry.
	roleApp containerRole = iota
	// roleRunToCompletion (T) is a regular init container: the target of a
	// COMPLETE or SUCCESS dependency.
	roleRunToCompletion
	// roleStartedBefore (S) is a native sidecar: the target of a START or
	// HEALTHY dependency, or the FireLens log router.
	roleStartedBefore
	// roleJobSidecar is a non-essential container of a Job, run as a native
	// sidecar so that the Job completes when the essential ones exit.
	roleJobSidecar
)

// taskContainer is one ECS container while it is being translated.
type taskContainer struct {
	index     int
	def       *ecsv1.ContainerDefinition
	path      string // containerDefinitions[i]
	name      string // Kubernetes container name
	essential bool
	role      containerRole

	// healthyTarget is set when another container depends on this one with
	// HEALTHY; startTimeoutCap is the smallest startTimeout of those
	// dependents (0: none).
	healthyTarget   bool
	startTimeoutCap int32
	// completeTarget is set when another container depends on this one
	// with COMPLETE (not SUCCESS).
	completeTarget bool
	logRouter      bool

	health *ecsHealthCheck
	// mounts are the container's own mountPoints, which volumesFrom copies.
	mounts []corev1.VolumeMount
	// cpuMillis and memory values as ECS gave them (-1: absent).
	cpuMillis         int64
	memoryMiB         int64
	memoryReservation int64

	// k8s is the container being built, in the list that becomes the
	// pod's containers (assemblePod puts the list in pod order).
	k8s *corev1.Container
}

// taskTranslation holds the state of one TranslateTask call.
type taskTranslation struct {
	taskTranslationState

	// containerStates and containerRefs back containers.
	containerStates [maxContainers]taskContainer
	containerRefs   [maxContainers]*taskContainer
}

// taskTranslationState is what a translation works with, apart from the
// records of its containers.
type taskTranslationState struct {
	in      TaskInput
	spec    *ecsv1.TaskDefinitionSpec
	cluster *ecsv1.ECSClusterSpec
	caps    Capabilities
	rep     report.Collector

	family      string // the ECS family
	familyName  string // DNS label used for child names
	familyLabel string // label value
	namespace   string
	revision    int64

	networkMode string // normalised: awsvpc, bridge, host, none or "" (Docker default)
	windows     bool
	fargate     bool

	containers []*taskContainer
	// k8sContainers holds the Kubernetes containers, by ECS order until
	// assemblePod.
	k8sContainers []corev1.Container
	volumes       []*taskVolume // in ECS order, names unique
	// podVolumeNames are the Kubernetes volume names in use.
	podVolumeNames []string

	// pod is the spec of res.PodTemplate, built in place.
	pod         *corev1.PodSpec
	labels      map[string]string
	annotations map[string]string
	tagLabels   map[string]string
	tagsJSON    string
	// secretsObjectName is secretsName, once made.
	secretsObjectName string

	secrets taskSecrets
	res     *TaskResult
}

func (t *taskTranslation) run() {
	t.spec = t.in.Spec
	t.cluster = t.in.Cluster
	if t.cluster == nil {
		t.cluster = &ecsv1.ECSClusterSpec{}
	}
	t.caps = effectiveCapabilities(t.in.Capabilities, t.cluster.Features)
	t.namespace = t.in.Namespace
	t.revision = t.in.Revision
	if t.revision < 1 {
		t.revision = 1
	}
	t.family = ptr.Deref(t.spec.Family, "")
	if t.family == "" {
		t.family = t.in.Name
	}
	if t.family == "" {
		t.rep.Fail("family", "required: set family (or the TaskDefinition name)")
		return
	}
	t.familyName = names.Object(t.family)
	t.familyLabel = names.LabelValue(t.family)
	t.res.Family = t.family

	t.translatePlatform()
	t.translateNetworkMode()
	if !t.translateContainerNames() {
		return
	}
	t.translateVolumes()
	for _, tc := range t.containers {
		t.translateContainer(tc)
	}
	t.translateVolumesFrom()
	t.translateLifecycle()
	t.translateResources()
	t.translatePodNetworking()
	t.translatePodSecurity()
	t.translateStopTimeout()
	t.translateIAM()
	t.translateSecretObjects()
	t.translateLogOutputs()
	t.translateNetworkPolicy()
	t.translateMetadata()
	if t.rep.Failed() {
		return
	}
	t.assemblePod()
}

// translateContainer maps the per-container fields that do not depend on
// the other containers.
func (t *taskTranslation) translateContainer(tc *taskContainer) {
	def := tc.def
	tc.k8s.Name = tc.name
	tc.k8s.Image = def.Image
	tc.k8s.Command = escapeKubernetesVarRefs(def.EntryPoint)
	tc.k8s.Args = escapeKubernetesVarRefs(def.Command)
	tc.k8s.WorkingDir = ptr.Deref(def.WorkingDirectory, "")
	if ptr.Deref(def.Interactive, false) {
		tc.k8s.Stdin = true
	}
	if ptr.Deref(def.PseudoTerminal, false) {
		tc.k8s.TTY = true
	}
	t.translateImagePolicy(tc)
	t.translateEnvironment(tc)
	t.translatePorts(tc)
	t.translateMountPoints(tc)
	t.translateLinuxParameters(tc)
	t.translateContainerSecurity(tc)
	t.translateContainerResources(tc)
	t.translateHealthCheck(tc)
	t.translateLogConfiguration(tc)
	t.translateDockerLabels(tc)
	t.translateContainerMisc(tc)
}

// assemblePod puts the translated containers into the pod spec in their
// lifecycle order and builds the pod template. The containers were built
// in one list in ECS order; it is reordered in place, init containers
// first, and the pod's two lists share it.
func (t *taskTranslation) assemblePod() {
	initOrder := t.initOrder()
	var order [maxContainers]*taskContainer
	n := copy(order[:], initOrder)
	for _, tc := range t.containers {
		if tc.role == roleApp {
			order[n] = tc
			n++
		}
	}
	all := t.k8sContainers
	if !slices.Equal(order[:n], t.containers) {
		var ordered [maxContainers]corev1.Container
		for i, tc := range order[:n] {
			ordered[i] = *tc.k8s
		}
		copy(all, ordered[:n])
	}
	for _, tc := range t.containers {
		// The list no longer matches the ECS order.
		tc.k8s = nil
	}
	if inits := len(initOrder); inits > 0 {
		t.pod.InitContainers = all[:inits:inits]
	}
	if len(all) > len(initOrder) {
		t.pod.Containers = all[len(initOrder):]
	}
	t.res.PodTemplate.Labels = t.labels
	if len(t.annotations) > 0 {
		t.res.PodTemplate.Annotations = t.annotations
	}
}

// effectiveCapabilities applies the ECSCluster's feature overrides to the
// detected capabilities.
func effectiveCapabilities(detected Capabilities, overrides *ecsv1.ClusterFeatures) Capabilities {
	caps := detected
	if overrides == nil {
		return caps
	}
	if overrides.PodLevelResources != nil {
		caps.PodLevelResources = *overrides.PodLevelResources
	}
	if overrides.ContainerRestartRules != nil {
		caps.ContainerRestartRules = *overrides.ContainerRestartRules
	}
	if overrides.HostnameOverride != nil {
		caps.HostnameOverride = *overrides.HostnameOverride
	}
	return caps
}

// translateContainerNames sanitises container names (field-map §0 rules 1
// and 6) and checks the fields every container needs. It reports false when
// the containers cannot be told apart, so nothing that refers to them by
// name can be translated; other problems are reported and translation
// goes on, so that one run lists them all.
func (t *taskTranslation) translateContainerNames() bool {
	defs := t.spec.ContainerDefinitions
	if len(defs) == 0 {
		t.rep.Fail("containerDefinitions", "at least one container definition is required")
		return false
	}
	if len(defs) > maxContainers {
		t.rep.Fail("containerDefinitions", "%d containers: a task definition holds at most %d, as in ECS", len(defs), maxContainers)
		return false
	}
	t.containers = t.containerRefs[:len(defs)]
	containers := t.containerStates[:len(defs)]
	t.k8sContainers = make([]corev1.Container, len(defs))
	essentialCount := 0
	named := true
	for i := range defs {
		def := &defs[i]
		tc := &containers[i]
		*tc = taskContainer{
			index:             i,
			def:               def,
			path:              containerPaths[i],
			essential:         def.Essential == nil || *def.Essential,
			cpuMillis:         -1,
			memoryMiB:         -1,
			memoryReservation: -1,
			k8s:               &t.k8sContainers[i],
		}
		t.containers[i] = tc
		if tc.essential {
			essentialCount++
		}
		if def.Name == "" {
			t.rep.Fail(t.rep.Field(tc.path, ".name"), "required: every container needs a name")
			named = false
		}
		if def.Image == "" {
			t.rep.Fail(t.rep.Field(tc.path, ".image"), "required: container %q needs an image", def.Name)
		}
		if prev := firstNamed(t.containers[:i], def.Name); prev != nil && def.Name != "" {
			t.rep.Fail(t.rep.Field(tc.path, ".name"), "container name %q is already used by %s; container names must be unique", def.Name, prev.path)
			named = false
			continue
		}
		// Only containers with a name of their own get a Kubernetes name.
		tc.name = names.Object(def.Name)
	}
	if essentialCount == 0 {
		t.rep.Fail("containerDefinitions", "at least one container must be essential (essential defaults to true)")
	}
	t.suffixCollisions(len(t.containers), func(i int) (*string, string, string) {
		tc := t.containers[i]
		return &tc.name, tc.def.Name, tc.path
	})
	return named
}

// suffixCollisions renames the items whose sanitised names collide (two
// ECS names that differ only in characters Kubernetes does not allow),
// each with a suffix made from its own ECS name, and warns at each one's
// path naming the other. item(i) returns the sanitised name to change
// ("" for an item without a name), the ECS name and the ECS path; it is
// called again after renaming, so it must return the same name pointer.
func (t *taskTranslation) suffixCollisions(n int, item func(i int) (name *string, ecsName, path string)) {
	var room [maxContainers]bool
	collides := room[:0]
	if n <= len(room) {
		collides = room[:n]
	} else {
		collides = make([]bool, n)
	}
	for i := range n {
		name, ecsName, path := item(i)
		if *name == "" {
			continue
		}
		first, second := -1, -1
		for j := range n {
			if other, _, _ := item(j); *other != *name {
				continue
			}
			if first < 0 {
				first = j
			} else if second < 0 {
				second = j
			}
		}
		if second < 0 {
			continue
		}
		collides[i] = true
		other := first
		if other == i {
			other = second
		}
		_, otherECSName, _ := item(other)
		t.rep.Warn(t.rep.Field(path, ".name"), "names %q and %q collide after sanitising; suffixed", ecsName, otherECSName)
	}
	for i := range n {
		if collides[i] {
			name, ecsName, _ := item(i)
			*name = names.Suffixed(*name, collisionSuffix(ecsName))
		}
	}
}

// containerPaths are the ECS paths of the containers, made once: every
// translation names its containers in notes and errors.
var containerPaths = func() (paths [maxContainers]string) {
	for i := range paths {
		paths[i] = "containerDefinitions[" + strconv.Itoa(i) + "]"
	}
	return paths
}()

// containerNamed returns the container named name in ECS; a task has at
// most ten, so a scan beats building an index.
func (t *taskTranslation) containerNamed(name string) (*taskContainer, bool) {
	tc := firstNamed(t.containers, name)
	return tc, tc != nil
}

func firstNamed(containers []*taskContainer, name string) *taskContainer {
	for _, tc := range containers {
		if tc.def.Name == name {
			return tc
		}
	}
	return nil
}

// ContainerNames returns the Kubernetes container name of each ECS
// container of spec, as TranslateTask names them (sanitised, collisions
// suffixed). Service translation uses it to find containers by ECS name.
func ContainerNames(spec *ecsv1.TaskDefinitionSpec) map[string]string {
	out := make(map[string]string, len(spec.ContainerDefinitions))
	counts := make(map[string]int, len(spec.ContainerDefinitions))
	for _, def := range spec.ContainerDefinitions {
		if _, seen := out[def.Name]; seen {
			continue
		}
		out[def.Name] = names.Object(def.Name)
		counts[out[def.Name]]++
	}
	for ecsName, k8sName := range out {
		if counts[k8sName] > 1 {
			out[ecsName] = names.Suffixed(k8sName, collisionSuffix(ecsName))
		}
	}
	return out
}

// childLabels are the labels of every companion object: the family labels,
// the tag labels, and the revision label for per-revision objects.
func (t *taskTranslation) childLabels(perRevision bool) map[string]string {
	labels := make(map[string]string, 6+len(t.tagLabels))
	for k, v := range t.tagLabels {
		labels[k] = v
	}
	labels[ecsv1.LabelAppName] = t.familyLabel
	labels[ecsv1.LabelManagedBy] = ecsv1.ManagedByValue
	labels[ecsv1.LabelFamily] = t.familyLabel
	if t.in.ClusterName != "" {
		labels[ecsv1.LabelCluster] = names.LabelValue(t.in.ClusterName)
	}
	if perRevision {
		labels[ecsv1.LabelRevision] = strconv.FormatInt(t.revision, 10)
	}
	return labels
}

func (t *taskTranslation) childAnnotations(original, sanitised string) map[string]string {
	var ann map[string]string
	if original != sanitised {
		ann = map[string]string{ecsv1.AnnotationOriginalName: original}
	}
	if t.tagsJSON != "" {
		if ann == nil {
			ann = map[string]string{}
		}
		ann[ecsv1.AnnotationTags] = t.tagsJSON
	}
	return ann
}

// newUnstructured builds an unstructured object with its metadata set.
func (t *taskTranslation) newUnstructured(apiVersion, kind, name string, perRevision bool, spec map[string]any) *unstructured.Unstructured {
	meta := map[string]any{
		"name":      name,
		"namespace": t.namespace,
		"labels":    stringMapToAny(t.childLabels(perRevision)),
	}
	if ann := t.childAnnotations(t.family, t.familyName); len(ann) > 0 {
		meta["annotations"] = stringMapToAny(ann)
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata":   meta,
		"spec":       spec,
	}}
}

func stringMapToAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// appendSized appends item to list, making room for want items when list
// is still nil: most lists a translation builds have a known bound, and
// growing them one step at a time leaves a copy behind at each step.
func appendSized[T any](list []T, want int, item T) []T {
	if list == nil {
		list = make([]T, 0, max(want, 1))
	}
	return append(list, item)
}
