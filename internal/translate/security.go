package translate

import (
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/ecs-operator/ecs-operator/internal/names"
)

// safeSysctls are the sysctls the kubelet allows without
// --allowed-unsafe-sysctls.
var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced":              true,
	"net.ipv4.ip_local_port_range":        true,
	"net.ipv4.ip_local_reserved_ports":    true,
	"net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.ping_group_range":           true,
	"net.ipv4.tcp_syncookies":             true,
	"net.ipv4.tcp_keepalive_time":         true,
	"net.ipv4.tcp_keepalive_intvl":        true,
	"net.ipv4.tcp_keepalive_probes":       true,
	"net.ipv4.tcp_fin_timeout":            true,
	"net.ipv4.tcp_rmem":                   true,
	"net.ipv4.tcp_wmem":                   true,
}

func (tc *taskContainer) securityContext() *corev1.SecurityContext {
	if tc.k8s.SecurityContext == nil {
		tc.k8s.SecurityContext = &corev1.SecurityContext{}
	}
	return tc.k8s.SecurityContext
}

// translateLinuxParameters maps linuxParameters (field-map §3.5).
func (t *taskTranslation) translateLinuxParameters(tc *taskContainer) {
	lp := tc.def.LinuxParameters
	if lp == nil {
		return
	}
	path := t.rep.Field(tc.path, ".linuxParameters")
	if t.windows {
		t.rep.Warn(path, "linuxParameters do not apply to Windows containers; ignored")
		return
	}
	if c := lp.Capabilities; c != nil && (len(c.Add) > 0 || len(c.Drop) > 0) {
		caps := &corev1.Capabilities{Add: kernelCapabilities(c.Add), Drop: kernelCapabilities(c.Drop)}
		tc.securityContext().Capabilities = caps
	}
	if len(lp.Devices) > 0 {
		t.rep.Warn(t.rep.Field(path, ".devices"), "host devices need a device plugin or privileged hostPath; not translated")
	}
	if ptr.Deref(lp.InitProcessEnabled, false) {
		if t.pod.HostPID {
			t.rep.Warn(t.rep.Field(path, ".initProcessEnabled"), "initProcessEnabled not translated with pidMode host: a shared process namespace cannot be combined with the host's")
		} else {
			t.pod.ShareProcessNamespace = ptr.To(true)
			t.rep.Warn(t.rep.Field(path, ".initProcessEnabled"), "initProcessEnabled approximated by shareProcessNamespace (processes visible across containers)")
		}
	}
	if size := lp.SharedMemorySize; size != nil && *size > 0 {
		limit := mebibytesQuantity(int64(*size))
		volume := t.addGeneratedVolume(names.Suffixed(tc.name, "shm"), corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
			Medium:    corev1.StorageMediumMemory,
			SizeLimit: &limit,
		}})
		t.addVolumeMount(tc, path+".sharedMemorySize", corev1.VolumeMount{Name: volume, MountPath: "/dev/shm"})
	}
	for i, fs := range lp.Tmpfs {
		fsPath := t.rep.Field(path, ".tmpfs[", strconv.Itoa(i), "]")
		if fs.ContainerPath == "" {
			t.rep.Fail(t.rep.Field(fsPath, ".containerPath"), "required: where to mount the tmpfs")
			continue
		}
		dir := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}
		if fs.Size > 0 {
			dir.SizeLimit = ptr.To(mebibytesQuantity(int64(fs.Size)))
		}
		readOnly := false
		var dropped []string
		for _, opt := range fs.MountOptions {
			switch opt {
			case "ro":
				readOnly = true
			case "rw":
			default:
				dropped = append(dropped, opt)
			}
		}
		if len(dropped) > 0 {
			t.rep.Warn(t.rep.Field(fsPath, ".mountOptions"), "tmpfs mount options %s not translated (only ro is)", strings.Join(dropped, ","))
		}
		volume := t.addGeneratedVolume(names.Suffixed(tc.name, "tmpfs-"+strconv.Itoa(i)), corev1.VolumeSource{EmptyDir: dir})
		t.addVolumeMount(tc, fsPath+".containerPath", corev1.VolumeMount{Name: volume, MountPath: fs.ContainerPath, ReadOnly: readOnly})
	}
	if lp.MaxSwap != nil || lp.Swappiness != nil {
		field := t.rep.Field(path, ".maxSwap")
		if lp.MaxSwap == nil {
			field = path + ".swappiness"
		}
		t.rep.Warn(field, "swap settings not translated: node swap is a kubelet setting")
	}
}

// kernelCapabilities normalises ECS capability names: Kubernetes, like ECS,
// writes them without the CAP_ prefix, but both accept it at runtime; the
// bare upper-case form is what Pod Security admission checks.
func kernelCapabilities(in []string) []corev1.Capability {
	var out []corev1.Capability
	for _, c := range in {
		c = strings.ToUpper(strings.TrimSpace(c))
		c = strings.TrimPrefix(c, "CAP_")
		if c == "" || slices.Contains(out, corev1.Capability(c)) {
			continue
		}
		out = append(out, corev1.Capability(c))
	}
	return out
}

// translateContainerSecurity maps user, privileged, readonlyRootFilesystem,
// dockerSecurityOptions, credentialSpecs and ulimits (field-map §3.1, §3.8).
func (t *taskTranslation) translateContainerSecurity(tc *taskContainer) {
	def := tc.def
	if user := ptr.Deref(def.User, ""); user != "" {
		t.translateUser(tc, user)
	}
	if ptr.Deref(def.Privileged, false) {
		if t.windows {
			t.rep.Warn(t.rep.Field(tc.path, ".privileged"), "privileged is not supported for Windows containers; ignored")
		} else {
			tc.securityContext().Privileged = ptr.To(true)
			t.rep.Warn(t.rep.Field(tc.path, ".privileged"), "privileged violates baseline PSS")
		}
	}
	if ptr.Deref(def.ReadonlyRootFilesystem, false) {
		if t.windows {
			t.rep.Warn(t.rep.Field(tc.path, ".readonlyRootFilesystem"), "a read-only root filesystem is not supported for Windows containers; ignored")
		} else {
			tc.securityContext().ReadOnlyRootFilesystem = ptr.To(true)
		}
	}
	for i, opt := range def.DockerSecurityOptions {
		t.translateSecurityOption(tc, tc.path+".dockerSecurityOptions["+strconv.Itoa(i)+"]", opt)
	}
	for i, spec := range def.CredentialSpecs {
		t.translateCredentialSpec(tc, tc.path+".credentialSpecs["+strconv.Itoa(i)+"]", spec)
	}
	if len(def.Ulimits) > 0 {
		t.rep.Warn(t.rep.Field(tc.path, ".ulimits"), "ulimits are set by the node runtime (containerd), not per pod")
	}
}

// translateUser maps "uid", "uid:gid" and named users (field-map §3.1).
func (t *taskTranslation) translateUser(tc *taskContainer, user string) {
	path := t.rep.Field(tc.path, ".user")
	if t.windows {
		t.rep.Warn(path, "ECS does not support user for Windows containers; ignored")
		return
	}
	userPart, groupPart, hasGroup := strings.Cut(user, ":")
	var unresolved []string
	if uid, err := strconv.ParseInt(userPart, 10, 64); err == nil && uid >= 0 && uid <= 2147483647 {
		tc.securityContext().RunAsUser = ptr.To(uid)
	} else {
		unresolved = append(unresolved, userPart)
	}
	if hasGroup {
		if gid, err := strconv.ParseInt(groupPart, 10, 64); err == nil && gid >= 0 && gid <= 2147483647 {
			tc.securityContext().RunAsGroup = ptr.To(gid)
		} else {
			unresolved = append(unresolved, groupPart)
		}
	}
	if len(unresolved) > 0 {
		t.rep.Warn(path, "non-numeric user/group %s cannot be resolved; set runAsUser explicitly", strings.Join(unresolved, ":"))
	}
}

// translateSecurityOption maps one dockerSecurityOptions entry (field-map
// §3.1). Docker accepts both "key:value" and "key=value".
func (t *taskTranslation) translateSecurityOption(tc *taskContainer, path, opt string) {
	key, value := opt, ""
	if i := strings.IndexAny(opt, ":="); i >= 0 {
		key, value = opt[:i], opt[i+1:]
	}
	if t.windows && key != "credentialspec" {
		t.rep.Warn(path, "security option %q does not apply to Windows containers; ignored", opt)
		return
	}
	switch key {
	case "no-new-privileges":
		if value == "" || value == "true" {
			tc.securityContext().AllowPrivilegeEscalation = ptr.To(false)
		}
	case "apparmor":
		switch value {
		case "unconfined":
			tc.securityContext().AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		case "docker-default", "runtime/default":
			tc.securityContext().AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
		case "":
			t.rep.Fail(path, "apparmor needs a profile name")
		default:
			tc.securityContext().AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr.To(value)}
		}
	case "label":
		sc := tc.securityContext()
		if sc.SELinuxOptions == nil {
			sc.SELinuxOptions = &corev1.SELinuxOptions{}
		}
		part, partValue, _ := strings.Cut(value, ":")
		switch part {
		case "user":
			sc.SELinuxOptions.User = partValue
		case "role":
			sc.SELinuxOptions.Role = partValue
		case "type":
			sc.SELinuxOptions.Type = partValue
		case "level":
			sc.SELinuxOptions.Level = partValue
		case "disable":
			sc.SELinuxOptions.Type = "spc_t"
			t.rep.Warn(path, "label:disable approximated by SELinux type spc_t")
		default:
			t.rep.Warn(path, "SELinux label option %q not translated", value)
		}
	case "credentialspec":
		t.translateCredentialSpec(tc, path, opt)
	case "seccomp":
		switch value {
		case "unconfined":
			tc.securityContext().SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		default:
			t.rep.Warn(path, "seccomp profile %q is a file on the Docker host; give it to the pod as a Localhost seccomp profile", value)
		}
	default:
		t.rep.Warn(path, "security option %q not translated", opt)
	}
}

// translateCredentialSpec maps a gMSA credential spec (credentialSpecs or
// a credentialspec: security option) to windowsOptions, naming a
// GMSACredentialSpec the user creates from the document.
func (t *taskTranslation) translateCredentialSpec(tc *taskContainer, path, spec string) {
	kind, location, _ := strings.Cut(spec, ":")
	if kind == "credentialspecdomainless" {
		t.rep.Warn(path, "domainless gMSA (%s) not supported; dropped", location)
		return
	}
	if kind != "credentialspec" || location == "" {
		t.rep.Fail(path, "%q is not credentialspec:<ARN or file>%s", spec, templateHint(spec))
		return
	}
	if !t.windows {
		t.rep.Warn(path, "gMSA credential specs need a Windows pod (runtimePlatform.operatingSystemFamily WINDOWS_SERVER_*); dropped")
		return
	}
	last := location
	if i := strings.LastIndexAny(location, "/:\\"); i >= 0 {
		last = location[i+1:]
	}
	last = strings.TrimSuffix(last, ".json")
	name := names.Object(last)
	tc.securityContext().WindowsOptions = &corev1.WindowsSecurityContextOptions{GMSACredentialSpecName: ptr.To(name)}
	t.rep.Warn(path, "gMSA spec %s must exist as GMSACredentialSpec %s", location, name)
}

// translatePodSecurity merges systemControls into pod sysctls (field-map
// §3.8).
func (t *taskTranslation) translatePodSecurity() {
	values := map[string]string{}
	var order []string
	setters := 0
	for _, tc := range t.containers {
		if len(tc.def.SystemControls) == 0 {
			continue
		}
		setters++
		for i, sc := range tc.def.SystemControls {
			path := t.rep.Field(tc.path, ".systemControls[", strconv.Itoa(i), "]")
			name := ptr.Deref(sc.Namespace, "")
			value := ptr.Deref(sc.Value, "")
			if name == "" {
				t.rep.Fail(t.rep.Field(path, ".namespace"), "required: the sysctl name")
				continue
			}
			if t.windows {
				t.rep.Warn(path, "sysctls do not apply to Windows pods; ignored")
				continue
			}
			if prev, ok := values[name]; ok {
				if prev != value {
					t.rep.Fail(t.rep.Field(path, ".value"), "sysctl %s is set to both %q and %q; the pod has one value for all containers", name, prev, value)
				}
				continue
			}
			if t.pod.HostNetwork && strings.HasPrefix(name, "net.") {
				t.rep.Fail(t.rep.Field(path, ".namespace"), "sysctl %s cannot be set with networkMode host (it would change the node)", name)
				continue
			}
			if !safeSysctls[name] {
				t.rep.Warn(t.rep.Field(path, ".namespace"), "unsafe sysctl %s needs kubelet --allowed-unsafe-sysctls", name)
			}
			values[name] = value
			order = append(order, name)
		}
	}
	if len(order) == 0 {
		return
	}
	if setters < len(t.containers) {
		t.rep.Warn("containerDefinitions", "sysctls now apply to all containers")
	}
	slices.Sort(order)
	sysctls := make([]corev1.Sysctl, 0, len(order))
	for _, name := range order {
		sysctls = append(sysctls, corev1.Sysctl{Name: name, Value: values[name]})
	}
	if t.pod.SecurityContext == nil {
		t.pod.SecurityContext = &corev1.PodSecurityContext{}
	}
	t.pod.SecurityContext.Sysctls = sysctls
}

// translateStopTimeout sets the pod's grace period to the largest
// stopTimeout (default: the cluster's containerStopTimeout, else 30 s, the
// ECS and Kubernetes default).
func (t *taskTranslation) translateStopTimeout() {
	var longest int32 = -1
	var from *taskContainer
	for _, tc := range t.containers {
		if st := tc.def.StopTimeout; st != nil && *st > longest {
			longest, from = *st, tc
		}
	}
	if from == nil {
		if d := t.cluster.ContainerStopTimeout; d != nil && *d != 30 {
			t.pod.TerminationGracePeriodSeconds = ptr.To(int64(*d))
		}
		return
	}
	if d := t.cluster.ContainerStopTimeout; d != nil && *d > longest {
		for _, tc := range t.containers {
			if tc.def.StopTimeout == nil {
				longest = *d
				break
			}
		}
	}
	t.pod.TerminationGracePeriodSeconds = ptr.To(int64(longest))
	if len(t.containers) > 1 {
		t.rep.Info(t.rep.Field(from.path, ".stopTimeout"), "the pod's grace period is the largest stopTimeout; Kubernetes stops app containers together, then sidecars in reverse order, where ECS follows reverse dependency order")
	}
}
