package translate

import (
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// buildPodTemplate adds what the service contributes to the task's pod
// template: propagated tags, the capacity provider, the service, group and
// cluster labels, the health check grace period, managed EBS volumes and
// placement.
func (t *serviceTranslation) buildPodTemplate() {
	t.propagateTags()
	t.applyCapacity()
	p := &t.pod
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	// Set last, so that neither tags nor provider labels can change the
	// selector label or the group that task:group placement refers to.
	p.Labels[ecsv1.LabelManagedBy] = ecsv1.ManagedByValue
	p.Labels[ecsv1.LabelService] = t.serviceLabel
	p.Labels[ecsv1.LabelGroup] = serviceGroupLabelValue(t.name)
	if t.in.ClusterName != "" {
		p.Labels[ecsv1.LabelCluster] = serviceClusterLabelValue(t.in.ClusterName)
	}
	t.applyHealthCheckGracePeriod()
	t.applyVolumeConfigurations()
	t.applyPlacement()
}

// propagateTags copies the service's or the task definition's tags to the
// pods (field-map §6.1 propagateTags), as ECS tags the tasks it starts.
func (t *serviceTranslation) propagateTags() {
	var tags []ecsv1.Tag
	switch v := ptr.Deref(t.spec.PropagateTags, ""); v {
	case "", "NONE":
		return
	case "SERVICE":
		tags = t.spec.Tags
	case "TASK_DEFINITION":
		tags = t.task.Tags
	default:
		t.rep.Fail("propagateTags", "%q is not SERVICE, TASK_DEFINITION or NONE", v)
		return
	}
	labels, tagsJSON := TagMetadata(tags)
	if tagsJSON == "" {
		t.rep.Info("propagateTags", "there are no %s tags to propagate", *t.spec.PropagateTags)
		return
	}
	p := &t.pod
	for k, v := range labels {
		if p.Labels == nil {
			p.Labels = map[string]string{}
		}
		p.Labels[k] = v
	}
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations[ecsv1.AnnotationTags] = tagsJSON
}
