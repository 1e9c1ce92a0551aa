package translate

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// windowsBuilds maps ECS Windows operating system families to the
// node.kubernetes.io/windows-build label (field-map §1 runtimePlatform).
var windowsBuilds = map[string]string{
	"WINDOWS_SERVER_2016_FULL": "10.0.14393",
	"WINDOWS_SERVER_2019_FULL": "10.0.17763",
	"WINDOWS_SERVER_2019_CORE": "10.0.17763",
	"WINDOWS_SERVER_2004_CORE": "10.0.19041",
	"WINDOWS_SERVER_20H2_CORE": "10.0.19042",
	"WINDOWS_SERVER_2022_FULL": "10.0.20348",
	"WINDOWS_SERVER_2022_CORE": "10.0.20348",
	"WINDOWS_SERVER_2025_FULL": "10.0.26100",
	"WINDOWS_SERVER_2025_CORE": "10.0.26100",
}

// translatePlatform maps the task-level fields that decide how the rest is
// translated (runtimePlatform, requiresCompatibilities) and the task-level
// fields that have no Kubernetes counterpart.
func (t *taskTranslation) translatePlatform() {
	s := t.spec
	t.translateTags()
	if rp := s.RuntimePlatform; rp != nil {
		if arch := ptr.Deref(rp.CPUArchitecture, ""); arch != "" {
			switch arch {
			case "X86_64":
				t.setNodeSelector("kubernetes.io/arch", "amd64")
			case "ARM64":
				t.setNodeSelector("kubernetes.io/arch", "arm64")
			default:
				t.rep.Fail("runtimePlatform.cpuArchitecture", "unknown CPU architecture %q: use X86_64 or ARM64", arch)
			}
		}
		if osFamily := ptr.Deref(rp.OperatingSystemFamily, ""); osFamily != "" {
			if osFamily == "LINUX" {
				t.setNodeSelector("kubernetes.io/os", "linux")
				t.pod.OS = &corev1.PodOS{Name: corev1.Linux}
			} else if build, ok := windowsBuilds[osFamily]; ok {
				t.windows = true
				t.setNodeSelector("kubernetes.io/os", "windows")
				t.setNodeSelector("node.kubernetes.io/windows-build", build)
				t.pod.OS = &corev1.PodOS{Name: corev1.Windows}
				if strings.HasSuffix(osFamily, "_FULL") {
					t.rep.Warn("runtimePlatform.operatingSystemFamily", "Windows FULL vs CORE image variant not selectable; any node of build %s matches", build)
				}
			} else {
				t.rep.Fail("runtimePlatform.operatingSystemFamily", "unknown operating system family %q: use LINUX or a WINDOWS_SERVER_<version>_<FULL|CORE> value", osFamily)
			}
		}
	}
	for i, compat := range s.RequiresCompatibilities {
		switch compat {
		case "FARGATE":
			t.fargate = true
		case "EC2", "EXTERNAL", "MANAGED_INSTANCES":
		default:
			t.rep.Fail("requiresCompatibilities["+strconv.Itoa(i)+"]", "unknown launch type %q: use EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES", compat)
		}
	}
	if pc := s.ProxyConfiguration; pc != nil {
		t.rep.Warn("proxyConfiguration", "App Mesh proxy configuration not translated (App Mesh was discontinued on 30 Sep 2026); use a mesh or Service Connect mapping")
	}
	if len(s.InferenceAccelerators) > 0 {
		t.rep.Warn("inferenceAccelerators", "Elastic Inference is discontinued; accelerators dropped")
	}
	if ptr.Deref(s.EnableFaultInjection, false) {
		t.rep.Warn("enableFaultInjection", "ECS fault-injection endpoints not available")
	}
	if s.ExecutionRoleArn != nil && *s.ExecutionRoleArn != "" {
		t.rep.Warn("executionRoleArn", "execution role is used only for secret fetching; pulls/logging use node identity")
	}
	for i, pc := range s.PlacementConstraints {
		path := "placementConstraints[" + strconv.Itoa(i) + "]"
		switch ptr.Deref(pc.Type, "") {
		case "memberOf":
			// Task definition constraints are ANDed with the service's, so
			// the service (or job) translation applies them (field-map §7).
			t.rep.Info(path, "memberOf constraint applied to the pod by the service or job translation, together with its own constraints")
		case "distinctInstance":
			t.rep.Fail(t.rep.Field(path, ".type"), "distinctInstance is only valid in a service, not in a task definition")
		default:
			t.rep.Fail(t.rep.Field(path, ".type"), "unknown placement constraint type %q: use memberOf", ptr.Deref(pc.Type, ""))
		}
	}
}

func (t *taskTranslation) setNodeSelector(key, value string) {
	if t.pod.NodeSelector == nil {
		t.pod.NodeSelector = map[string]string{}
	}
	t.pod.NodeSelector[key] = value
}

// translateImagePolicy applies versionConsistency (field-map §3.1). ECS
// resolves a tag to a digest when a deployment starts, so every task of a
// deployment runs the same image; Kubernetes resolves the tag on each node.
// The operator pins digests itself when kubernetes.resolveImageDigests is
// on. Otherwise the default (enabled) gets an info note and an explicit
// "enabled" a warning: a warning on every container of every imported task
// definition would bury the ones that need attention.
func (t *taskTranslation) translateImagePolicy(tc *taskContainer) {
	vc := ptr.Deref(tc.def.VersionConsistency, "")
	switch vc {
	case "", "enabled", "disabled":
	default:
		t.rep.Fail(t.rep.Field(tc.path, ".versionConsistency"), "unknown value %q: use enabled or disabled", vc)
		return
	}
	if vc == "disabled" || strings.Contains(tc.def.Image, "@sha256:") || tc.def.Image == "" {
		return
	}
	if k := t.spec.Kubernetes; k != nil && ptr.Deref(k.ResolveImageDigests, false) {
		return
	}
	if vc == "enabled" {
		t.rep.Warn(t.rep.Field(tc.path, ".versionConsistency"), "image tag %s is mutable; ECS would pin a digest (set kubernetes.resolveImageDigests)", tc.def.Image)
	} else {
		t.rep.Info(t.rep.Field(tc.path, ".versionConsistency"), "image tag %s is resolved by each node; ECS pins a digest per deployment (set kubernetes.resolveImageDigests)", tc.def.Image)
	}
}

// translateContainerMisc maps the remaining container fields.
func (t *taskTranslation) translateContainerMisc(tc *taskContainer) {
	if tc.def.StartTimeout != nil {
		t.rep.Warn(t.rep.Field(tc.path, ".startTimeout"), "startTimeout not enforced; dependency waits indefinitely (a HEALTHY dependency's startup probe gives up after it and the dependency restarts)")
	}
	if ptr.Deref(tc.def.DisableNetworking, false) && !t.allContainersDisableNetworking() {
		t.rep.Warn(t.rep.Field(tc.path, ".disableNetworking"), "disableNetworking not supported per container")
	}
}

func (t *taskTranslation) allContainersDisableNetworking() bool {
	defs := t.spec.ContainerDefinitions
	for i := range defs {
		if !ptr.Deref(defs[i].DisableNetworking, false) {
			return false
		}
	}
	return len(defs) > 0
}
