package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestLinuxParameters(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"linuxParameters":{
		"capabilities":{"add":["NET_ADMIN","CAP_SYS_TIME","cap_net_admin"],"drop":["ALL"]},
		"initProcessEnabled":true,"sharedMemorySize":256,
		"tmpfs":[{"containerPath":"/run","size":64,"mountOptions":["ro","noexec"]}],
		"devices":[{"hostPath":"/dev/fuse"}],"maxSwap":512,"swappiness":10}}]}`))
	c := podContainer(t, res, "a")
	wantCaps := &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "SYS_TIME"}, Drop: []corev1.Capability{"ALL"}}
	if !reflect.DeepEqual(c.SecurityContext.Capabilities, wantCaps) {
		t.Errorf("capabilities = %+v, want %+v", c.SecurityContext.Capabilities, wantCaps)
	}
	if !ptr.Deref(res.PodTemplate.Spec.ShareProcessNamespace, false) {
		t.Error("initProcessEnabled did not share the process namespace")
	}
	wantMounts := []corev1.VolumeMount{{Name: "a-shm", MountPath: "/dev/shm"}, {Name: "a-tmpfs-0", MountPath: "/run", ReadOnly: true}}
	if !reflect.DeepEqual(c.VolumeMounts, wantMounts) {
		t.Errorf("mounts = %+v, want %+v", c.VolumeMounts, wantMounts)
	}
	shm := podVolume(t, res, "a-shm").EmptyDir
	if shm == nil || shm.Medium != corev1.StorageMediumMemory || shm.SizeLimit.String() != "256Mi" {
		t.Errorf("shm volume = %+v", shm)
	}
	tmp := podVolume(t, res, "a-tmpfs-0").EmptyDir
	if tmp == nil || tmp.Medium != corev1.StorageMediumMemory || tmp.SizeLimit.String() != "64Mi" {
		t.Errorf("tmpfs volume = %+v", tmp)
	}
	for field, substr := range map[string]string{
		"containerDefinitions[0].linuxParameters.devices":               "device plugin",
		"containerDefinitions[0].linuxParameters.maxSwap":               "swap settings not translated",
		"containerDefinitions[0].linuxParameters.initProcessEnabled":    "shareProcessNamespace",
		"containerDefinitions[0].linuxParameters.tmpfs[0].mountOptions": "noexec",
	} {
		requireWarning(t, res, field, substr)
	}
}

func TestContainerSecurity(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,
		"user":"1000:2000","privileged":true,"readonlyRootFilesystem":true,
		"dockerSecurityOptions":["no-new-privileges","apparmor:my-profile","label:type:svirt_t","label=level:s0:c1","seccomp=unconfined"],
		"ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}],
		"interactive":true,"pseudoTerminal":true}]}`))
	c := podContainer(t, res, "a")
	want := &corev1.SecurityContext{
		RunAsUser:                ptr.To[int64](1000),
		RunAsGroup:               ptr.To[int64](2000),
		Privileged:               ptr.To(true),
		ReadOnlyRootFilesystem:   ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		AppArmorProfile:          &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr.To("my-profile")},
		SELinuxOptions:           &corev1.SELinuxOptions{Type: "svirt_t", Level: "s0:c1"},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined},
	}
	if !reflect.DeepEqual(c.SecurityContext, want) {
		t.Errorf("securityContext = %+v\nwant %+v", c.SecurityContext, want)
	}
	if !c.Stdin || !c.TTY {
		t.Errorf("stdin %v tty %v", c.Stdin, c.TTY)
	}
	requireWarning(t, res, "containerDefinitions[0].privileged", "baseline PSS")
	requireWarning(t, res, "containerDefinitions[0].ulimits", "containerd")

	res = taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"user":"app:1000"}]}`))
	sc := podContainer(t, res, "a").SecurityContext
	if sc.RunAsUser != nil || ptr.Deref(sc.RunAsGroup, 0) != 1000 {
		t.Errorf("named user: %+v", sc)
	}
	requireWarning(t, res, "containerDefinitions[0].user", "non-numeric user/group app")
}

func TestCredentialSpecs(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_CORE"},"containerDefinitions":[{"name":"a","image":"i","memory":64,
		"credentialSpecs":["credentialspec:arn:aws:ssm:us-east-1:111122223333:parameter/gmsa/WebApp"],"user":"1000"}]}`))
	sc := podContainer(t, res, "a").SecurityContext
	if sc == nil || sc.WindowsOptions == nil || ptr.Deref(sc.WindowsOptions.GMSACredentialSpecName, "") != "webapp" {
		t.Fatalf("windowsOptions = %+v", sc)
	}
	if sc.RunAsUser != nil {
		t.Error("user set on a Windows container")
	}
	requireWarning(t, res, "containerDefinitions[0].credentialSpecs[0]", "must exist as GMSACredentialSpec webapp")
	requireWarning(t, res, "containerDefinitions[0].user", "Windows")
	if res.PodTemplate.Spec.OS == nil || res.PodTemplate.Spec.OS.Name != corev1.Windows {
		t.Errorf("pod os = %+v", res.PodTemplate.Spec.OS)
	}
}

func TestSystemControls(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"i","memory":64,"systemControls":[{"namespace":"net.ipv4.tcp_syncookies","value":"1"},{"namespace":"net.core.somaxconn","value":"1024"}]},
		{"name":"b","image":"i","memory":64,"systemControls":[{"namespace":"net.ipv4.tcp_syncookies","value":"1"}]},
		{"name":"c","image":"i","memory":64}]}`))
	want := []corev1.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}, {Name: "net.ipv4.tcp_syncookies", Value: "1"}}
	if got := res.PodTemplate.Spec.SecurityContext.Sysctls; !reflect.DeepEqual(got, want) {
		t.Errorf("sysctls = %v, want %v", got, want)
	}
	requireWarning(t, res, "containerDefinitions[0].systemControls[1].namespace", "unsafe sysctl net.core.somaxconn")
	requireWarning(t, res, "containerDefinitions", "sysctls now apply to all containers")

	requireError(t, taskFails(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"i","memory":64,"systemControls":[{"namespace":"net.ipv4.tcp_syncookies","value":"1"}]},
		{"name":"b","image":"i","memory":64,"systemControls":[{"namespace":"net.ipv4.tcp_syncookies","value":"0"}]}]}`)),
		"containerDefinitions[1].systemControls[0].value", "both")
	requireError(t, taskFails(t, taskIn(t, `{"family":"f","networkMode":"host","containerDefinitions":[
		{"name":"a","image":"i","memory":64,"systemControls":[{"namespace":"net.ipv4.tcp_syncookies","value":"1"}]}]}`)),
		"containerDefinitions[0].systemControls[0].namespace", "networkMode host")
}

func TestStopTimeout(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"i","memory":64,"stopTimeout":20},{"name":"b","image":"i","memory":64,"stopTimeout":90}]}`))
	if got := ptr.Deref(res.PodTemplate.Spec.TerminationGracePeriodSeconds, 0); got != 90 {
		t.Errorf("terminationGracePeriodSeconds = %d, want 90", got)
	}
	res = taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	if res.PodTemplate.Spec.TerminationGracePeriodSeconds != nil {
		t.Error("grace period set without stopTimeout")
	}
	in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"containerStopTimeout":120}`)
	if got := ptr.Deref(taskOK(t, in).PodTemplate.Spec.TerminationGracePeriodSeconds, 0); got != 120 {
		t.Errorf("cluster default grace period = %d, want 120", got)
	}
}
