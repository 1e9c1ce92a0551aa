package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func podVolume(tb testing.TB, res *TaskResult, name string) corev1.Volume {
	tb.Helper()
	for _, v := range res.PodTemplate.Spec.Volumes {
		if v.Name == name {
			return v
		}
	}
	tb.Fatalf("no pod volume %q in %v", name, res.PodTemplate.Spec.Volumes)
	return corev1.Volume{}
}

func TestVolumeSources(t *testing.T) {
	for _, tc := range []struct {
		name    string
		volume  string
		cluster string
		want    corev1.VolumeSource
		warning string
	}{
		{"empty host", `{"name":"v","host":{}}`, `{}`, corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}, ""},
		{"no source", `{"name":"v"}`, `{}`, corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}, ""},
		{"host path", `{"name":"v","host":{"sourcePath":"/var/log"}}`, `{}`,
			corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log", Type: ptr.To(corev1.HostPathUnset)}}, "forbidden by baseline PSS"},
		{"task docker volume", `{"name":"v","dockerVolumeConfiguration":{"scope":"task","driver":"local"}}`, `{}`,
			corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}, ""},
		{"tmpfs docker volume", `{"name":"v","dockerVolumeConfiguration":{"driver":"local","driverOpts":{"type":"tmpfs","o":"size=100m"}}}`, `{}`,
			corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr.To(mebibytesQuantity(100))}}, ""},
		{"nfs docker volume", `{"name":"v","dockerVolumeConfiguration":{"driver":"local","driverOpts":{"type":"nfs","o":"addr=10.0.0.5,ro","device":":/exports/data"}}}`, `{}`,
			corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "10.0.0.5", Path: "/exports/data", ReadOnly: true}}, ""},
		{"shared local docker volume", `{"name":"v","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local"}}`, `{}`,
			corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/ecs-operator/volumes/apps/v", Type: ptr.To(corev1.HostPathDirectoryOrCreate)}}, "node-local hostPath"},
		{"shared network docker volume", `{"name":"v","dockerVolumeConfiguration":{"scope":"shared","driver":"rexray/ebs","driverOpts":{"size":"20"}}}`, `{"volumeDrivers":{"rexray/ebs":"gp3"}}`,
			corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "f-v"}}, ""},
		{"task volume of another driver", `{"name":"v","dockerVolumeConfiguration":{"driver":"rexray/ebs"}}`, `{}`,
			corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}, "emptyDir used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := taskIn(t, `{"family":"f","volumes":[`+tc.volume+`],"containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"v","containerPath":"/data","readOnly":true}]}]}`)
			in.Cluster = clusterSpecFromJSON(t, tc.cluster)
			res := taskOK(t, in)
			if got := podVolume(t, res, "v").VolumeSource; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("volume source = %+v, want %+v", got, tc.want)
			}
			mounts := podContainer(t, res, "a").VolumeMounts
			if !reflect.DeepEqual(mounts, []corev1.VolumeMount{{Name: "v", MountPath: "/data", ReadOnly: true}}) {
				t.Errorf("mounts = %+v", mounts)
			}
			if tc.warning != "" && !findWarning(res.Warnings, "volumes[0].host.sourcePath", tc.warning) &&
				!findWarning(res.Warnings, "volumes[0].dockerVolumeConfiguration.scope", tc.warning) &&
				!findWarning(res.Warnings, "volumes[0].dockerVolumeConfiguration.driver", tc.warning) {
				t.Errorf("no warning containing %q: %v", tc.warning, res.Warnings)
			}
		})
	}
}

func TestSharedNetworkVolumeClaim(t *testing.T) {
	in := taskIn(t, `{"family":"f","volumes":[{"name":"db","dockerVolumeConfiguration":{"scope":"shared","driver":"rexray/ebs","driverOpts":{"size":"20"}}}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"volumeDrivers":{"rexray/ebs":"gp3"}}`)
	res := taskOK(t, in)
	if len(res.PersistentVolumeClaims) != 1 {
		t.Fatalf("claims = %d", len(res.PersistentVolumeClaims))
	}
	pvc := res.PersistentVolumeClaims[0]
	if pvc.Name != "f-db" || pvc.Namespace != "apps" || ptr.Deref(pvc.Spec.StorageClassName, "") != "gp3" ||
		quantityString(pvc.Spec.Resources.Requests, corev1.ResourceStorage) != "20Gi" {
		t.Errorf("claim = %s/%s class %v size %v", pvc.Namespace, pvc.Name, pvc.Spec.StorageClassName, pvc.Spec.Resources.Requests)
	}
	in.Cluster = nil
	requireError(t, taskFails(t, in), "volumes[0].dockerVolumeConfiguration.driver", "spec.volumeDrivers")
}

func TestEFSVolume(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","volumes":[{"name":"shared","efsVolumeConfiguration":{"fileSystemId":"fs-1234abcd",
		"transitEncryption":"ENABLED","transitEncryptionPort":2049,"authorizationConfig":{"accessPointId":"fsap-0123","iam":"ENABLED"}}}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"shared","containerPath":"/mnt"}]}]}`))
	if len(res.PersistentVolumes) != 1 || len(res.PersistentVolumeClaims) != 1 {
		t.Fatalf("PVs %d PVCs %d", len(res.PersistentVolumes), len(res.PersistentVolumeClaims))
	}
	pv, pvc := res.PersistentVolumes[0], res.PersistentVolumeClaims[0]
	if pv.Name != "apps-f-shared" || pv.Namespace != "" {
		t.Errorf("PV = %q namespace %q", pv.Name, pv.Namespace)
	}
	csi := pv.Spec.CSI
	if csi.Driver != "efs.csi.aws.com" || csi.VolumeHandle != "fs-1234abcd::fsap-0123" || csi.VolumeAttributes["encryptInTransit"] != "true" {
		t.Errorf("csi = %+v", csi)
	}
	if !reflect.DeepEqual(pv.Spec.MountOptions, []string{"tls", "iam", "tlsport=2049"}) {
		t.Errorf("mountOptions = %v", pv.Spec.MountOptions)
	}
	if pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.Name != "f-shared" || pv.Spec.ClaimRef.Namespace != "apps" {
		t.Errorf("claimRef = %+v", pv.Spec.ClaimRef)
	}
	if pvc.Spec.VolumeName != pv.Name || ptr.Deref(pvc.Spec.StorageClassName, "x") != "" || pvc.Spec.AccessModes[0] != corev1.ReadWriteMany {
		t.Errorf("PVC = %+v", pvc.Spec)
	}
	if got := podVolume(t, res, "shared").PersistentVolumeClaim; got == nil || got.ClaimName != "f-shared" {
		t.Errorf("pod volume claim = %+v", got)
	}
	requireWarning(t, res, "volumes[0].efsVolumeConfiguration.authorizationConfig.iam", "CSI driver identity")

	res = taskOK(t, taskIn(t, `{"family":"f","volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1","rootDirectory":"/data"}}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	if csi := res.PersistentVolumes[0].Spec.CSI; csi.VolumeHandle != "fs-1:/data" || csi.VolumeAttributes["encryptInTransit"] != "false" {
		t.Errorf("csi = %+v", csi)
	}

	errs := taskFails(t, taskIn(t, `{"family":"f","volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1","rootDirectory":"/data","authorizationConfig":{"accessPointId":"fsap-1"}}}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	requireError(t, errs, "volumes[0].efsVolumeConfiguration.rootDirectory", "access point")
}

func TestConfiguredAtLaunchVolume(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","volumes":[{"name":"Data Vol","configuredAtLaunch":true}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"Data Vol","containerPath":"/data"}]}]}`))
	v := ConfiguredAtLaunchVolume(&res.PodTemplate.Spec, "Data Vol")
	if v == nil || v.Name != "data-vol" || v.Ephemeral == nil {
		t.Fatalf("configuredAtLaunch volume = %+v", v)
	}
	if ConfiguredAtLaunchVolume(&res.PodTemplate.Spec, "other") != nil {
		t.Error("found a volume for an unknown name")
	}
	requireNote(t, res, "volumes[0].configuredAtLaunch", "volumeConfigurations")

	errs := taskFails(t, taskIn(t, `{"family":"f","volumes":[{"name":"a","configuredAtLaunch":true},{"name":"b","configuredAtLaunch":true}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	requireError(t, errs, "volumes[1].configuredAtLaunch", "only one volume")
}

func TestFSxVolumeUnsupported(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","volumes":[{"name":"fsx","fsxWindowsFileServerVolumeConfiguration":{"fileSystemId":"fs-1","rootDirectory":"share","authorizationConfig":{"credentialsParameter":"arn:x","domain":"example.com"}}}],
		"containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"fsx","containerPath":"C:\\data"}]}]}`))
	requireWarning(t, res, "volumes[0].fsxWindowsFileServerVolumeConfiguration", "SMB CSI driver")
	requireWarning(t, res, "containerDefinitions[0].mountPoints[0]", "mount dropped")
	if len(res.PodTemplate.Spec.Volumes) != 0 || len(podContainer(t, res, "a").VolumeMounts) != 0 {
		t.Error("FSx volume or mount emitted")
	}
}

func TestVolumesFrom(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","volumes":[{"name":"data"},{"name":"logs"}],"containerDefinitions":[
		{"name":"store","image":"i","memory":64,"mountPoints":[{"sourceVolume":"data","containerPath":"/data"}]},
		{"name":"mid","image":"i","memory":64,"mountPoints":[{"sourceVolume":"logs","containerPath":"/logs"}],"volumesFrom":[{"sourceContainer":"store"}]},
		{"name":"reader","image":"i","memory":64,"volumesFrom":[{"sourceContainer":"mid","readOnly":true}]}]}`))
	want := []corev1.VolumeMount{{Name: "logs", MountPath: "/logs", ReadOnly: true}, {Name: "data", MountPath: "/data", ReadOnly: true}}
	if got := podContainer(t, res, "reader").VolumeMounts; !reflect.DeepEqual(got, want) {
		t.Errorf("reader mounts = %+v, want %+v (transitive, forced read-only)", got, want)
	}
	for _, tc := range []struct{ name, task, field, substr string }{
		{"cycle", `{"family":"f","containerDefinitions":[
			{"name":"a","image":"i","memory":64,"volumesFrom":[{"sourceContainer":"b"}]},
			{"name":"b","image":"i","memory":64,"volumesFrom":[{"sourceContainer":"a"}]}]}`,
			"containerDefinitions[1].volumesFrom[0].sourceContainer", `"b" and "a" take volumes from each other`},
		{"unknown", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"volumesFrom":[{"sourceContainer":"x"}]}]}`,
			"containerDefinitions[0].volumesFrom[0].sourceContainer", `unknown container "x"`},
		{"undefined volume", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"mountPoints":[{"sourceVolume":"x","containerPath":"/x"}]}]}`,
			"containerDefinitions[0].mountPoints[0].sourceVolume", `undefined volume "x"`},
		{"duplicate volume", `{"family":"f","volumes":[{"name":"v"},{"name":"v"}],"containerDefinitions":[{"name":"a","image":"i","memory":64}]}`,
			"volumes[1].name", "must be unique"},
		{"mounted twice", `{"family":"f","volumes":[{"name":"v"},{"name":"w"}],"containerDefinitions":[{"name":"a","image":"i","memory":64,
			"mountPoints":[{"sourceVolume":"v","containerPath":"/x"},{"sourceVolume":"w","containerPath":"/x"}]}]}`,
			"containerDefinitions[0].mountPoints[1].containerPath", "mounted twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, taskFails(t, taskIn(t, tc.task)), tc.field, tc.substr)
		})
	}
}

func TestVolumeNameCollision(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","volumes":[{"name":"Data"},{"name":"data"}],"containerDefinitions":[{"name":"a","image":"i","memory":64,
		"mountPoints":[{"sourceVolume":"Data","containerPath":"/a"},{"sourceVolume":"data","containerPath":"/b"}]}]}`))
	vols := res.PodTemplate.Spec.Volumes
	if len(vols) != 2 || vols[0].Name == vols[1].Name || vols[0].Name == "data" {
		t.Errorf("volumes = %v, want two suffixed names", vols)
	}
	requireWarning(t, res, "volumes[0].name", "collide after sanitising")
	requireWarning(t, res, "volumes[1].name", "collide after sanitising")
}
