package translate

import (
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// EBS CSI driver names and the ECS defaults of managed EBS volumes.
const (
	ebsProvisioner = "ebs.csi.aws.com"
	// ECS creates gp3 volumes, encrypted, with xfs unless told otherwise
	// (ServiceManagedEBSVolumeConfiguration); the EBS CSI driver defaults
	// to unencrypted ext4, so the ECS defaults are always written out.
	ebsDefaultVolumeType = "gp3"
	ebsDefaultFSType     = "xfs"
)

// ebsVolumeTypes are the EBS volume types ECS accepts.
var ebsVolumeTypes = []string{"gp2", "gp3", "io1", "io2", "sc1", "st1", "standard"}

// applyVolumeConfigurations fills the task's configuredAtLaunch volumes
// from volumeConfigurations (field-map §6.6): each becomes a generic
// ephemeral volume, so every pod gets its own PVC that is deleted with the
// pod, as ECS creates a volume per task and deletes it when the task stops.
func (t *serviceTranslation) applyVolumeConfigurations() {
	atLaunch := map[string]bool{}
	var order []string
	for _, v := range t.task.Volumes {
		if name := ptr.Deref(v.Name, ""); ptr.Deref(v.ConfiguredAtLaunch, false) && name != "" {
			atLaunch[name] = true
			order = append(order, name)
		}
	}
	configured := map[string]bool{}
	for i, vc := range t.spec.VolumeConfigurations {
		field := fmt.Sprintf("volumeConfigurations[%d]", i)
		switch {
		case !atLaunch[vc.Name]:
			t.rep.Fail(t.rep.Field(field, ".name"), "the task definition has no configuredAtLaunch volume named %q", vc.Name)
			continue
		case configured[vc.Name]:
			t.rep.Fail(t.rep.Field(field, ".name"), "volume %q is configured twice", vc.Name)
			continue
		case vc.ManagedEBSVolume == nil:
			t.rep.Fail(t.rep.Field(field, ".managedEBSVolume"), "required: describe the EBS volume to create for each task")
			continue
		}
		configured[vc.Name] = true
		if t.capacity.fargate {
			t.rep.Fail(field, "EKS Fargate pods cannot mount EBS volumes; run the service on an EC2 capacity provider")
			continue
		}
		t.applyManagedEBSVolume(field+".managedEBSVolume", vc.Name, vc.ManagedEBSVolume)
	}
	for _, name := range order {
		if !configured[name] {
			t.rep.Fail("volumeConfigurations", "the task definition's volume %q is configuredAtLaunch; add a volumeConfigurations entry named %q", name, name)
		}
	}
}

// applyManagedEBSVolume builds the StorageClass of one managed EBS volume
// and puts the ephemeral volume in the pod template.
func (t *serviceTranslation) applyManagedEBSVolume(field, volumeName string, ebs *ecsv1.ManagedEBSVolume) {
	params := map[string]string{
		"type":                      ebsDefaultVolumeType,
		"encrypted":                 strconv.FormatBool(ptr.Deref(ebs.Encrypted, true)),
		"csi.storage.k8s.io/fstype": ebsDefaultFSType,
	}
	if vt := ptr.Deref(ebs.VolumeType, ""); vt != "" {
		if !slices.Contains(ebsVolumeTypes, vt) {
			t.rep.Fail(t.rep.Field(field, ".volumeType"), "%q is not an EBS volume type (%v)", vt, ebsVolumeTypes)
		}
		params["type"] = vt
	}
	if ebs.Iops != nil {
		params["iops"] = strconv.Itoa(int(*ebs.Iops))
	}
	if ebs.Throughput != nil {
		params["throughput"] = strconv.Itoa(int(*ebs.Throughput))
	}
	if kms := ptr.Deref(ebs.KmsKeyID, ""); kms != "" {
		params["kmsKeyId"] = kms
	}
	switch fs := ptr.Deref(ebs.FilesystemType, ""); fs {
	case "":
	case "ext3", "ext4", "xfs":
		params["csi.storage.k8s.io/fstype"] = fs
	case "ntfs":
		params["csi.storage.k8s.io/fstype"] = fs
		t.rep.Warn(t.rep.Field(field, ".filesystemType"), "ntfs volumes need Windows nodes with the EBS CSI node driver")
	default:
		t.rep.Fail(t.rep.Field(field, ".filesystemType"), "%q is not ext3, ext4, xfs or ntfs", fs)
	}
	tagIndex := 0
	for i, spec := range ebs.TagSpecifications {
		specField := fmt.Sprintf("%s.tagSpecifications[%d]", field, i)
		if spec.ResourceType != "volume" {
			t.rep.Fail(t.rep.Field(specField, ".resourceType"), "%q: only volume can be tagged", spec.ResourceType)
		}
		for _, tag := range spec.Tags {
			if key := ptr.Deref(tag.Key, ""); key != "" {
				tagIndex++
				params["tagSpecification_"+strconv.Itoa(tagIndex)] = key + "=" + ptr.Deref(tag.Value, "")
			}
		}
		if p := ptr.Deref(spec.PropagateTags, ""); p != "" && p != "NONE" {
			t.rep.Warn(t.rep.Field(specField, ".propagateTags"), "%s tags are not copied to the EBS volumes; list them in tags", p)
		}
	}
	if ebs.RoleArn != nil {
		t.rep.Info(t.rep.Field(field, ".roleArn"), "the EBS CSI driver creates volumes with its own IAM identity; ignored")
	}
	if ebs.VolumeInitializationRate != nil {
		t.rep.Warn(t.rep.Field(field, ".volumeInitializationRate"), "the EBS volume initialization rate cannot be set through the EBS CSI driver")
	}

	claim := corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}}
	switch {
	case ebs.SizeInGiB != nil:
		claim.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: *resource.NewQuantity(int64(*ebs.SizeInGiB)<<30, resource.BinarySI)}
	case ebs.SnapshotID != nil:
		t.rep.Fail(t.rep.Field(field, ".sizeInGiB"), "required in Kubernetes even with a snapshot (a claim must state its size); set it to at least the snapshot size")
	default:
		t.rep.Fail(t.rep.Field(field, ".sizeInGiB"), "required: the size of the volume in GiB")
	}
	if snapshot := ptr.Deref(ebs.SnapshotID, ""); snapshot != "" {
		snapshotName := names.Object(snapshot)
		claim.DataSource = &corev1.TypedLocalObjectReference{APIGroup: ptr.To("snapshot.storage.k8s.io"), Kind: "VolumeSnapshot", Name: snapshotName}
		t.rep.Warn(t.rep.Field(field, ".snapshotId"), "snapshot %s must be imported as VolumeSnapshot/VolumeSnapshotContent %s", snapshot, snapshotName)
	}

	class := t.storageClass(params)
	claim.StorageClassName = ptr.To(class.Name)
	source := corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{
		VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
			ObjectMeta: metav1.ObjectMeta{
				Labels: map[string]string{
					ecsv1.LabelManagedBy: ecsv1.ManagedByValue,
					ecsv1.LabelService:   t.serviceLabel,
				},
				// ConfiguredAtLaunchVolume finds the volume by it.
				Annotations: map[string]string{ecsv1.AnnotationOriginalName: volumeName},
			},
			Spec: claim,
		},
	}}
	if v := ConfiguredAtLaunchVolume(&t.pod.Spec, volumeName); v != nil {
		v.VolumeSource = source
	} else {
		t.pod.Spec.Volumes = append(t.pod.Spec.Volumes, corev1.Volume{Name: names.Object(volumeName), VolumeSource: source})
	}
}

// storageClass returns the StorageClass for one EBS parameter set, adding
// it to the result once. It is shared by every service with the same
// parameters, so it carries neither the service label nor its tags (two
// services would otherwise keep rewriting each other's labels).
func (t *serviceTranslation) storageClass(params map[string]string) *storagev1.StorageClass {
	name := serviceStorageClassName(params)
	for _, sc := range t.result.StorageClasses {
		if sc.Name == name {
			return sc
		}
	}
	sc := &storagev1.StorageClass{
		TypeMeta: metav1.TypeMeta{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   name,
			Labels: map[string]string{ecsv1.LabelManagedBy: ecsv1.ManagedByValue},
		},
		Provisioner:       ebsProvisioner,
		Parameters:        params,
		ReclaimPolicy:     ptr.To(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer),
	}
	t.result.StorageClasses = append(t.result.StorageClasses, sc)
	return sc
}
