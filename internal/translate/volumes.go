package translate

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// SharedVolumeRoot is the node directory under which Docker "shared" volumes
// of the local driver live: /var/lib/ecs-operator/volumes/<namespace>/<name>
// (field-map §4). Like a Docker named volume it persists on the node and is
// shared by every pod there that names it.
const SharedVolumeRoot = "/var/lib/ecs-operator/volumes"

// efsPlaceholderCapacity is the size PVs and PVCs of EFS volumes declare;
// EFS is elastic and the CSI driver ignores it, but the API requires one.
var efsPlaceholderCapacity = resource.MustParse("5Gi")

// launchVolumePlaceholderSize is the claim size of a configuredAtLaunch
// volume until a service's volumeConfigurations supplies the real one.
var launchVolumePlaceholderSize = resource.MustParse("1Gi")

var (
	efsFileSystemID  = regexp.MustCompile(`^fs-[0-9A-Za-z]+$`)
	efsAccessPointID = regexp.MustCompile(`^fsap-[0-9A-Za-z]+$`)
)

// taskVolume is one ECS task volume.
type taskVolume struct {
	ecsName string
	index   int    // in volumes[]
	path    string // volumes[i]
	name    string // Kubernetes volume name; "" when not translated
}

// volumeNamed returns the task volume named ecsName; volumes are few, so
// a scan beats building an index.
func (t *taskTranslation) volumeNamed(ecsName string) (*taskVolume, bool) {
	for _, tv := range t.volumes {
		if tv.ecsName == ecsName {
			return tv, true
		}
	}
	return nil, false
}

// translateVolumes maps volumes[] (field-map §4) to pod volumes and, for EFS
// and network drivers, PersistentVolumes and claims.
func (t *taskTranslation) translateVolumes() {
	volumes := make([]taskVolume, 0, len(t.spec.Volumes))
	for i := range t.spec.Volumes {
		v := &t.spec.Volumes[i]
		path := t.rep.Field("volumes[", strconv.Itoa(i), "]")
		ecsName := ptr.Deref(v.Name, "")
		if ecsName == "" {
			t.rep.Fail(t.rep.Field(path, ".name"), "required: every volume needs a name")
			continue
		}
		if prev, dup := t.volumeNamed(ecsName); dup {
			t.rep.Fail(t.rep.Field(path, ".name"), "volume name %q is already used by %s; volume names must be unique", ecsName, prev.path)
			continue
		}
		volumes = append(volumes, taskVolume{ecsName: ecsName, path: path, name: names.Object(ecsName), index: i})
		t.volumes = append(t.volumes, &volumes[len(volumes)-1])
	}
	t.suffixCollisions(len(t.volumes), func(i int) (*string, string, string) {
		tv := t.volumes[i]
		return &tv.name, tv.ecsName, tv.path
	})
	t.podVolumeNames = make([]string, len(t.volumes))
	for i, tv := range t.volumes {
		t.podVolumeNames[i] = tv.name
	}
	launchVolumes := 0
	for _, tv := range t.volumes {
		v := &t.spec.Volumes[tv.index]
		sources := 0
		for _, set := range []bool{v.Host != nil, v.DockerVolumeConfiguration != nil, v.EFSVolumeConfiguration != nil, v.FSxWindowsFileServerVolumeConfiguration != nil, ptr.Deref(v.ConfiguredAtLaunch, false)} {
			if set {
				sources++
			}
		}
		if sources > 1 {
			t.rep.Fail(tv.path, "volume %q sets more than one of host, dockerVolumeConfiguration, efsVolumeConfiguration, fsxWindowsFileServerVolumeConfiguration and configuredAtLaunch", tv.ecsName)
			continue
		}
		var source corev1.VolumeSource
		switch {
		case ptr.Deref(v.ConfiguredAtLaunch, false):
			launchVolumes++
			if launchVolumes > 1 {
				t.rep.Fail(t.rep.Field(tv.path, ".configuredAtLaunch"), "only one volume per task definition can be configuredAtLaunch")
				continue
			}
			source = t.launchVolumeSource(tv)
		case v.EFSVolumeConfiguration != nil:
			var ok bool
			if source, ok = t.efsVolumeSource(tv, v.EFSVolumeConfiguration); !ok {
				continue
			}
		case v.FSxWindowsFileServerVolumeConfiguration != nil:
			t.rep.Warn(t.rep.Field(tv.path, ".fsxWindowsFileServerVolumeConfiguration"), "FSx for Windows needs an SMB CSI driver (smb.csi.k8s.io) + credentials; not translated")
			tv.name = ""
			continue
		case v.DockerVolumeConfiguration != nil:
			var ok bool
			if source, ok = t.dockerVolumeSource(tv, v.DockerVolumeConfiguration); !ok {
				continue
			}
		case v.Host != nil && ptr.Deref(v.Host.SourcePath, "") != "":
			// The ECS agent bind-mounts the path as Docker does: a missing
			// path is created as a directory, an existing file, socket or
			// named pipe (/var/run/docker.sock, \\.\pipe\docker_engine) is
			// mounted as it is. An unset hostPath type is exactly that: the
			// kubelet checks nothing and the container runtime creates a
			// missing source directory. DirectoryOrCreate would refuse
			// sockets.
			hpType := corev1.HostPathUnset
			source.HostPath = &corev1.HostPathVolumeSource{Path: *v.Host.SourcePath, Type: &hpType}
			t.rep.Warn(t.rep.Field(tv.path, ".host.sourcePath"), "hostPath is node-local and forbidden by baseline PSS")
		default:
			// An empty host object or no source: a Docker-managed directory
			// that lives as long as the task.
			source.EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
		t.pod.Volumes = appendSized(t.pod.Volumes, len(t.volumes), corev1.Volume{Name: tv.name, VolumeSource: source})
	}
}

// launchVolumeSource is the placeholder for a configuredAtLaunch volume: a
// generic ephemeral volume (one claim per pod, deleted with it, as ECS
// deletes the managed EBS volume with the task). TranslateService replaces
// its claim template from the service's volumeConfigurations entry; it
// finds the volume with ConfiguredAtLaunchVolume.
func (t *taskTranslation) launchVolumeSource(tv *taskVolume) corev1.VolumeSource {
	t.rep.Info(t.rep.Field(tv.path, ".configuredAtLaunch"), "volume %q is supplied by the service's (or task run's) volumeConfigurations; a 1Gi claim stands in until then", tv.ecsName)
	return corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
		VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
			ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{ecsv1.AnnotationOriginalName: tv.ecsName}},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceStorage: launchVolumePlaceholderSize,
				}},
			},
		},
	}}
}

// ConfiguredAtLaunchVolume returns the pod volume that stands for the task
// definition volume ecsName (configuredAtLaunch: true), or nil. Its
// Ephemeral.VolumeClaimTemplate is a placeholder for the service or task
// run to replace with the volumeConfigurations entry of the same name.
func ConfiguredAtLaunchVolume(pod *corev1.PodSpec, ecsName string) *corev1.Volume {
	for i := range pod.Volumes {
		v := &pod.Volumes[i]
		if v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil &&
			v.Ephemeral.VolumeClaimTemplate.Annotations[ecsv1.AnnotationOriginalName] == ecsName {
			return v
		}
	}
	return nil
}

// efsVolumeSource creates the PersistentVolume and claim of an EFS volume
// (efs.csi.aws.com) and returns the pod's claim reference.
func (t *taskTranslation) efsVolumeSource(tv *taskVolume, efs *ecsv1.EFSVolumeConfiguration) (corev1.VolumeSource, bool) {
	path := t.rep.Field(tv.path, ".efsVolumeConfiguration")
	ok := true
	if !efsFileSystemID.MatchString(efs.FileSystemID) {
		t.rep.Fail(t.rep.Field(path, ".fileSystemId"), "%q is not an EFS file system id (fs-…)", efs.FileSystemID)
		ok = false
	}
	root := ptr.Deref(efs.RootDirectory, "")
	if root == "/" {
		root = ""
	}
	accessPoint := ""
	iam := ""
	if ac := efs.AuthorizationConfig; ac != nil {
		accessPoint = ptr.Deref(ac.AccessPointID, "")
		iam = ptr.Deref(ac.IAM, "")
	}
	if accessPoint != "" {
		if !efsAccessPointID.MatchString(accessPoint) {
			t.rep.Fail(t.rep.Field(path, ".authorizationConfig.accessPointId"), "%q is not an EFS access point id (fsap-…)", accessPoint)
			ok = false
		}
		if root != "" {
			t.rep.Fail(t.rep.Field(path, ".rootDirectory"), "must be omitted or / when an access point is used (the access point sets the root)")
			ok = false
		}
	}
	encrypt := "false"
	var mountOptions []string
	switch te := ptr.Deref(efs.TransitEncryption, ""); te {
	case "ENABLED":
		encrypt = "true"
		mountOptions = append(mountOptions, "tls")
	case "", "DISABLED":
	default:
		t.rep.Fail(t.rep.Field(path, ".transitEncryption"), "unknown value %q: use ENABLED or DISABLED", te)
		ok = false
	}
	switch iam {
	case "ENABLED":
		if encrypt != "true" {
			t.rep.Fail(t.rep.Field(path, ".authorizationConfig.iam"), "IAM authorization needs transitEncryption ENABLED")
			ok = false
		}
		mountOptions = append(mountOptions, "iam")
		t.rep.Warn(t.rep.Field(path, ".authorizationConfig.iam"), "EFS IAM auth uses the CSI driver identity, not the task role")
	case "", "DISABLED":
	default:
		t.rep.Fail(t.rep.Field(path, ".authorizationConfig.iam"), "unknown value %q: use ENABLED or DISABLED", iam)
		ok = false
	}
	if port := efs.TransitEncryptionPort; port != nil {
		if encrypt == "true" {
			mountOptions = append(mountOptions, "tlsport="+strconv.Itoa(int(*port)))
		} else {
			t.rep.Warn(t.rep.Field(path, ".transitEncryptionPort"), "ignored without transitEncryption ENABLED, as in ECS")
		}
	}
	if !ok {
		return corev1.VolumeSource{}, false
	}
	handle := efs.FileSystemID
	if root != "" || accessPoint != "" {
		handle += ":" + root
	}
	if accessPoint != "" {
		handle += ":" + accessPoint
	}
	pvName := names.ClusterScoped(t.namespace, t.familyName, tv.name)
	pvcName := names.Suffixed(t.familyName, tv.name)
	original := t.family + "/" + tv.ecsName
	pv := &corev1.PersistentVolume{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolume"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        pvName,
			Labels:      t.childLabels(false),
			Annotations: t.childAnnotations(original, pvName),
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: efsPlaceholderCapacity},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              "",
			MountOptions:                  mountOptions,
			ClaimRef:                      &corev1.ObjectReference{Namespace: t.namespace, Name: pvcName},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver:           "efs.csi.aws.com",
				VolumeHandle:     handle,
				VolumeAttributes: map[string]string{"encryptInTransit": encrypt},
			}},
		},
	}
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        pvcName,
			Namespace:   t.namespace,
			Labels:      t.childLabels(false),
			Annotations: t.childAnnotations(original, pvcName),
		},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			StorageClassName: ptr.To(""),
			VolumeName:       pvName,
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: efsPlaceholderCapacity,
			}},
		},
	}
	t.res.PersistentVolumes = append(t.res.PersistentVolumes, pv)
	t.res.PersistentVolumeClaims = append(t.res.PersistentVolumeClaims, pvc)
	return corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: pvcName}}, true
}

// dockerVolumeSource maps a Docker volume (field-map §4): task scope →
// emptyDir (or an NFS mount for the local driver's nfs type), shared scope
// with the local driver → a node-local hostPath, shared scope with another
// driver → a claim of the StorageClass ECSCluster.volumeDrivers names.
func (t *taskTranslation) dockerVolumeSource(tv *taskVolume, dvc *ecsv1.DockerVolumeConfiguration) (corev1.VolumeSource, bool) {
	path := t.rep.Field(tv.path, ".dockerVolumeConfiguration")
	scope := ptr.Deref(dvc.Scope, "task")
	if scope != "task" && scope != "shared" {
		t.rep.Fail(t.rep.Field(path, ".scope"), "unknown scope %q: use task or shared", scope)
		return corev1.VolumeSource{}, false
	}
	driver := ptr.Deref(dvc.Driver, "")
	local := driver == "" || driver == "local"
	if len(dvc.Labels) > 0 {
		t.rep.Info(t.rep.Field(path, ".labels"), "Docker volume labels have no Kubernetes counterpart; ignored")
	}
	if local {
		if nfs := t.localNFSVolume(path, dvc.DriverOpts); nfs != nil {
			return corev1.VolumeSource{NFS: nfs}, true
		}
	}
	if scope == "task" && dvc.Autoprovision != nil {
		t.rep.Info(t.rep.Field(path, ".autoprovision"), "autoprovision applies to shared volumes only; ignored, as in ECS")
	}
	switch {
	case scope == "task" && local:
		return corev1.VolumeSource{EmptyDir: t.localEmptyDir(path, dvc.DriverOpts)}, true
	case scope == "task":
		t.rep.Warn(t.rep.Field(path, ".driver"), "volume driver %q not translated for a task-scoped volume; emptyDir used", driver)
		return corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}, true
	case local:
		hpType := corev1.HostPathDirectory
		if ptr.Deref(dvc.Autoprovision, false) {
			hpType = corev1.HostPathDirectoryOrCreate
		}
		if len(dvc.DriverOpts) > 0 {
			t.rep.Warn(t.rep.Field(path, ".driverOpts"), "driver options of a shared local volume not translated")
		}
		ns := t.namespace
		if ns == "" {
			ns = "default"
		}
		hostPath := SharedVolumeRoot + "/" + ns + "/" + tv.name
		t.rep.Warn(t.rep.Field(path, ".scope"), "shared local volume becomes node-local hostPath %s: shared by pods on the same node only, and forbidden by baseline PSS", hostPath)
		return corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: hostPath, Type: &hpType}}, true
	}
	storageClass, mapped := t.cluster.VolumeDrivers[driver]
	if !mapped {
		t.rep.Fail(t.rep.Field(path, ".driver"), "shared volume driver %q has no StorageClass: map it in ECSCluster spec.volumeDrivers", driver)
		return corev1.VolumeSource{}, false
	}
	size := resource.MustParse("1Gi")
	if s, ok := dvc.DriverOpts["size"]; ok {
		if gib, err := strconv.Atoi(s); err == nil && gib > 0 {
			size = *resource.NewQuantity(int64(gib)<<30, resource.BinarySI)
		} else {
			t.rep.Warn(t.rep.Field(path, ".driverOpts.size"), "size %q is not a whole number of GiB; 1Gi requested", s)
		}
	} else {
		t.rep.Warn(t.rep.Field(path, ".driverOpts"), "no size option: the claim requests 1Gi")
	}
	pvcName := names.Suffixed(t.familyName, tv.name)
	t.res.PersistentVolumeClaims = append(t.res.PersistentVolumeClaims, &corev1.PersistentVolumeClaim{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        pvcName,
			Namespace:   t.namespace,
			Labels:      t.childLabels(false),
			Annotations: t.childAnnotations(t.family+"/"+tv.ecsName, pvcName),
		},
		Spec: corev1.PersistentVolumeClaimSpec{
			// ReadWriteOnce binds with every storage class; a Docker shared
			// volume of a block driver is attached to one host as well.
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: ptr.To(storageClass),
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: size,
			}},
		},
	})
	if dvc.Autoprovision != nil {
		t.rep.Info(t.rep.Field(path, ".autoprovision"), "the claim is provisioned by StorageClass %s", storageClass)
	}
	return corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: pvcName}}, true
}

// localEmptyDir maps the local driver's options of a task-scoped volume:
// type=tmpfs → memory medium, o=size=N → sizeLimit.
func (t *taskTranslation) localEmptyDir(path string, opts map[string]string) *corev1.EmptyDirVolumeSource {
	dir := &corev1.EmptyDirVolumeSource{}
	for _, key := range slices.Sorted(maps.Keys(opts)) {
		value := opts[key]
		switch key {
		case "type":
			if value == "tmpfs" {
				dir.Medium = corev1.StorageMediumMemory
			} else {
				t.rep.Warn(t.rep.Field(path, ".driverOpts.type"), "local driver type %q not translated; emptyDir used", value)
			}
		case "o":
			for _, opt := range strings.Split(value, ",") {
				if size, ok := strings.CutPrefix(opt, "size="); ok {
					if q, ok := dockerSizeQuantity(size); ok {
						dir.SizeLimit = &q
						continue
					}
				}
				t.rep.Warn(t.rep.Field(path, ".driverOpts.o"), "mount option %q not translated", opt)
			}
		default:
			t.rep.Warn(path+".driverOpts."+key, "local driver option not translated")
		}
	}
	return dir
}

// localNFSVolume recognises the local driver's NFS form (type=nfs,
// o=addr=SERVER,…, device=:/path) and maps it to an NFS volume.
func (t *taskTranslation) localNFSVolume(path string, opts map[string]string) *corev1.NFSVolumeSource {
	if typ := opts["type"]; typ != "nfs" && typ != "nfs4" {
		return nil
	}
	var server string
	readOnly := false
	for _, opt := range strings.Split(opts["o"], ",") {
		switch {
		case strings.HasPrefix(opt, "addr="):
			server = strings.TrimPrefix(opt, "addr=")
		case opt == "ro":
			readOnly = true
		case opt == "" || opt == "rw":
		default:
			t.rep.Warn(t.rep.Field(path, ".driverOpts.o"), "NFS mount option %q not translated (set mountOptions on a PersistentVolume to keep it)", opt)
		}
	}
	device := opts["device"]
	exportPath := device
	if i := strings.Index(device, ":"); i >= 0 {
		exportPath = device[i+1:]
		if server == "" {
			server = device[:i]
		}
	}
	if server == "" || exportPath == "" {
		return nil
	}
	return &corev1.NFSVolumeSource{Server: server, Path: exportPath, ReadOnly: readOnly}
}

// dockerSizeQuantity parses a Docker size ("100m", "1g", "512k", bytes).
func dockerSizeQuantity(s string) (resource.Quantity, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	shift := 0
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "kb"):
		shift = 10
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "mb"):
		shift = 20
	case strings.HasSuffix(s, "g"), strings.HasSuffix(s, "gb"):
		shift = 30
	}
	digits := strings.TrimRight(s, "kmgb")
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return resource.Quantity{}, false
	}
	return *resource.NewQuantity(n<<shift, resource.BinarySI), true
}

// translateMountPoints maps mountPoints (field-map §3.6).
func (t *taskTranslation) translateMountPoints(tc *taskContainer) {
	for i, mp := range tc.def.MountPoints {
		path := t.rep.Field(tc.path, ".mountPoints[", strconv.Itoa(i), "]")
		source := ptr.Deref(mp.SourceVolume, "")
		containerPath := ptr.Deref(mp.ContainerPath, "")
		if source == "" {
			t.rep.Fail(t.rep.Field(path, ".sourceVolume"), "required: name a volume of the task definition")
			continue
		}
		tv, ok := t.volumeNamed(source)
		if !ok {
			t.rep.Fail(t.rep.Field(path, ".sourceVolume"), "container %q mounts undefined volume %q; declare it in volumes", tc.def.Name, source)
			continue
		}
		if containerPath == "" {
			t.rep.Fail(t.rep.Field(path, ".containerPath"), "required: where to mount volume %q", source)
			continue
		}
		if tv.name == "" {
			t.rep.Warn(path, "volume %q is not translated; mount dropped", source)
			continue
		}
		if !t.addVolumeMount(tc, path+".containerPath", corev1.VolumeMount{Name: tv.name, MountPath: containerPath, ReadOnly: ptr.Deref(mp.ReadOnly, false)}) {
			continue
		}
		tc.mounts = append(tc.mounts, tc.k8s.VolumeMounts[len(tc.k8s.VolumeMounts)-1])
	}
}

// addVolumeMount adds a mount, failing when its path is already mounted.
func (t *taskTranslation) addVolumeMount(tc *taskContainer, field string, m corev1.VolumeMount) bool {
	if mountsPath(tc.k8s.VolumeMounts, m.MountPath) {
		t.rep.Fail(field, "path %s is mounted twice in container %q", m.MountPath, tc.def.Name)
		return false
	}
	tc.k8s.VolumeMounts = appendSized(tc.k8s.VolumeMounts, len(tc.def.MountPoints), m)
	return true
}

// mountsPath reports whether one of mounts is at path.
func mountsPath(mounts []corev1.VolumeMount, path string) bool {
	for _, m := range mounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}

// addGeneratedVolume adds a pod volume the translation creates itself
// (shared memory, tmpfs), with a name no task volume uses.
func (t *taskTranslation) addGeneratedVolume(base string, source corev1.VolumeSource) string {
	name := base
	for n := 2; slices.Contains(t.podVolumeNames, name); n++ {
		name = names.Suffixed(base, strconv.Itoa(n))
	}
	t.podVolumeNames = append(t.podVolumeNames, name)
	t.pod.Volumes = append(t.pod.Volumes, corev1.Volume{Name: name, VolumeSource: source})
	return name
}

// translateVolumesFrom copies the mounts of source containers, following
// volumesFrom transitively as Docker's --volumes-from does (field-map §3.6).
func (t *taskTranslation) translateVolumesFrom() {
	valid := true
	for _, tc := range t.containers {
		for i, vf := range tc.def.VolumesFrom {
			path := t.rep.Field(tc.path, ".volumesFrom[", strconv.Itoa(i), "]")
			sourceName := ptr.Deref(vf.SourceContainer, "")
			source, ok := t.containerNamed(sourceName)
			switch {
			case sourceName == "":
				t.rep.Fail(t.rep.Field(path, ".sourceContainer"), "required: name the container whose volumes to mount")
				valid = false
			case !ok:
				t.rep.Fail(t.rep.Field(path, ".sourceContainer"), "container %q takes volumes from unknown container %q", tc.def.Name, sourceName)
				valid = false
			case source == tc:
				t.rep.Fail(t.rep.Field(path, ".sourceContainer"), "container %q takes volumes from itself", tc.def.Name)
				valid = false
			case len(source.def.MountPoints) == 0 && len(source.def.VolumesFrom) == 0:
				t.rep.Warn(path, "container %q declares no mountPoints; volumes its image declares (Dockerfile VOLUME) are not shared in Kubernetes", sourceName)
			}
		}
	}
	if !valid || !t.checkVolumesFromCycles() {
		return
	}
	closures := map[*taskContainer][]corev1.VolumeMount{}
	for _, tc := range t.containers {
		if len(tc.def.VolumesFrom) == 0 {
			continue
		}
		for _, m := range t.inheritedMounts(tc, closures) {
			if !mountsPath(tc.k8s.VolumeMounts, m.MountPath) {
				tc.k8s.VolumeMounts = append(tc.k8s.VolumeMounts, m)
			}
		}
	}
}

// checkVolumesFromCycles reports each volumesFrom edge that closes a cycle.
func (t *taskTranslation) checkVolumesFromCycles() bool {
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(t.containers))
	ok := true
	var visit func(tc *taskContainer)
	visit = func(tc *taskContainer) {
		state[tc.index] = visiting
		for i, vf := range tc.def.VolumesFrom {
			source := firstNamed(t.containers, ptr.Deref(vf.SourceContainer, ""))
			switch state[source.index] {
			case visiting:
				t.rep.Fail(tc.path+".volumesFrom["+strconv.Itoa(i)+"].sourceContainer", "volumesFrom cycle: %q and %q take volumes from each other (directly or through other containers)", tc.def.Name, source.def.Name)
				ok = false
			case unvisited:
				visit(source)
			}
		}
		state[tc.index] = done
	}
	for _, tc := range t.containers {
		if state[tc.index] == unvisited {
			visit(tc)
		}
	}
	return ok
}

// inheritedMounts returns the mounts tc receives through volumesFrom: the
// mountPoints of each source and, transitively, what the source inherits,
// one mount per path. closures memoises each container's own plus
// inherited mounts, so shared sources are expanded once.
func (t *taskTranslation) inheritedMounts(tc *taskContainer, closures map[*taskContainer][]corev1.VolumeMount) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	seen := map[string]bool{}
	for _, vf := range tc.def.VolumesFrom {
		source := firstNamed(t.containers, ptr.Deref(vf.SourceContainer, ""))
		for _, m := range t.mountClosure(source, closures) {
			if seen[m.MountPath] {
				continue
			}
			seen[m.MountPath] = true
			if ptr.Deref(vf.ReadOnly, false) {
				m.ReadOnly = true
			}
			out = append(out, m)
		}
	}
	return out
}

// mountClosure is a container's own mountPoints followed by what it
// inherits, one mount per path; the volumesFrom graph has no cycles here.
func (t *taskTranslation) mountClosure(tc *taskContainer, closures map[*taskContainer][]corev1.VolumeMount) []corev1.VolumeMount {
	if closure, ok := closures[tc]; ok {
		return closure
	}
	closure := append([]corev1.VolumeMount(nil), tc.mounts...)
	seen := make(map[string]bool, len(closure))
	for _, m := range closure {
		seen[m.MountPath] = true
	}
	for _, m := range t.inheritedMounts(tc, closures) {
		if !seen[m.MountPath] {
			seen[m.MountPath] = true
			closure = append(closure, m)
		}
	}
	closures[tc] = closure
	return closure
}
