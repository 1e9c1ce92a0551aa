package translate

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// ECS values the service translation compares against.
const (
	schedulingReplica = "REPLICA"
	schedulingDaemon  = "DAEMON"

	networkModeAwsvpc = "awsvpc"
	networkModeBridge = "bridge"
	networkModeNone   = "none"
)

// TranslateService translates an ECS service on top of its translated task
// definition: the Deployment or DaemonSet and everything around it
// (Services, TargetGroupBindings, Ingress, HPA or ScaledObject,
// PodDisruptionBudget, SecurityGroupPolicy, StorageClasses). The input is
// never modified. On failure it returns report.Errors naming every bad
// field and no objects.
func TranslateService(in ServiceInput) (*ServiceResult, error) {
	rep := &report.Collector{}
	t := newServiceTranslation(in, rep)
	if t == nil {
		return nil, rep.Err()
	}
	t.translate()
	if rep.Failed() {
		return nil, rep.Err()
	}
	t.result.Warnings = rep.Warnings()
	t.result.Notes = rep.Infos()
	return &t.result, nil
}

// serviceTranslation carries one TranslateService call: the inputs, what
// has been decided so far, and the result being built.
type serviceTranslation struct {
	in      ServiceInput
	spec    *ecsv1.ECSServiceSpec
	task    *ecsv1.TaskDefinitionSpec
	cluster *ecsv1.ECSClusterSpec
	rep     *report.Collector

	// name is the ECS service name (serviceName, else the object name).
	name string
	// serviceLabel is the value of the service (selector) label.
	serviceLabel string
	// tagLabels and tagsJSON are the service's tags as child metadata.
	tagLabels map[string]string
	tagsJSON  string
	// daemon is schedulingStrategy DAEMON.
	daemon bool
	// networkMode is the task's network mode, lowercased, with the ECS
	// default (bridge) filled in.
	networkMode string
	// capacity is the capacity provider the pods run on.
	capacity serviceCapacity
	// desired is the desired count of a REPLICA service (1 when absent).
	desired int32
	// autoscaled says an HPA or ScaledObject owns spec.replicas.
	autoscaled bool

	// pod is the service's copy of the task's pod template.
	pod    corev1.PodTemplateSpec
	result ServiceResult
}

func newServiceTranslation(in ServiceInput, rep *report.Collector) *serviceTranslation {
	switch {
	case in.Spec == nil:
		rep.Fail("", "the service has no spec to translate")
	case in.TaskSpec == nil || in.Task == nil:
		rep.Fail("taskDefinition", "the task definition was not resolved and translated; translate it before the service")
	}
	name := in.Name
	if in.Spec != nil && ptr.Deref(in.Spec.ServiceName, "") != "" {
		name = *in.Spec.ServiceName
	}
	if name == "" {
		rep.Fail("serviceName", "required: set serviceName or the object name")
	}
	if rep.Failed() {
		return nil
	}
	cluster := in.Cluster
	if cluster == nil {
		cluster = &ecsv1.ECSClusterSpec{}
	}
	t := &serviceTranslation{
		in:      in,
		spec:    in.Spec,
		task:    in.TaskSpec,
		cluster: cluster,
		rep:     rep,
		name:    name,
		pod:     *in.Task.PodTemplate.DeepCopy(),

		serviceLabel: serviceLabelValue(name),
	}
	t.tagLabels, t.tagsJSON = TagMetadata(in.Spec.Tags)
	if in.Spec.ServiceName != nil && *in.Spec.ServiceName == "" {
		rep.Info("serviceName", "empty; the object name %q is used", in.Name)
	}
	mode := strings.ToLower(ptr.Deref(in.TaskSpec.NetworkMode, ""))
	if mode == "" || mode == "default" {
		// ECS on Linux defaults to bridge; Windows "default" is its NAT
		// network, which behaves like bridge for ports.
		mode = networkModeBridge
	}
	t.networkMode = mode
	return t
}

func (t *serviceTranslation) translate() {
	t.noteIgnoredFields()
	t.checkTags()
	t.checkScheduling()
	t.checkDeploymentController()
	t.resolveCapacity()
	t.buildPodTemplate()
	t.buildScaling()
	t.buildWorkload()
	t.buildDisruptionBudget()
	t.buildNetworking()
	t.noteServiceOptions()
}

// noteIgnoredFields reports the fields that have no meaning outside AWS
// and the read-only fields of describe-services output (info only).
func (t *serviceTranslation) noteIgnoredFields() {
	s := t.spec
	if s.PlatformVersion != nil {
		t.rep.Info("platformVersion", "Fargate platform versions do not exist in Kubernetes; ignored")
	}
	if s.Role != nil {
		t.rep.Info("role", "the legacy ELB service role is not needed; ignored")
	}
	if s.ClientToken != nil {
		t.rep.Info("clientToken", "idempotency token; ignored")
	}
	readOnly := []struct {
		field string
		set   bool
	}{
		{"serviceArn", s.ServiceArn != nil},
		{"clusterArn", s.ClusterArn != nil},
		{"status", s.Status != nil},
		{"runningCount", s.RunningCount != nil},
		{"pendingCount", s.PendingCount != nil},
		{"roleArn", s.RoleArn != nil},
		{"platformFamily", s.PlatformFamily != nil},
		{"createdAt", s.CreatedAt != nil},
		{"createdBy", s.CreatedBy != nil},
		{"deployments", s.Deployments != nil},
		{"events", s.Events != nil},
		{"taskSets", s.TaskSets != nil},
	}
	for _, f := range readOnly {
		if f.set {
			t.rep.Info(f.field, "read-only describe-services output; ignored")
		}
	}
}

// checkScheduling validates schedulingStrategy and the fields ECS forbids
// with DAEMON.
func (t *serviceTranslation) checkScheduling() {
	s := t.spec
	switch ptr.Deref(s.SchedulingStrategy, "") {
	case "", schedulingReplica:
	case schedulingDaemon:
		t.daemon = true
	default:
		t.rep.Fail("schedulingStrategy", "%q is not REPLICA or DAEMON", *s.SchedulingStrategy)
	}
	if !t.daemon {
		t.desired = ptr.Deref(s.DesiredCount, 1)
		if t.desired < 0 {
			t.rep.Fail("desiredCount", "must not be negative")
		}
		return
	}
	if len(s.VolumeConfigurations) > 0 {
		t.rep.Fail("volumeConfigurations", "not allowed with schedulingStrategy DAEMON (as in ECS); remove it")
	}
	if s.AutoScaling != nil {
		t.rep.Fail("autoScaling", "not allowed with schedulingStrategy DAEMON (a daemon runs one task per node); remove it")
	}
	if s.DesiredCount != nil {
		t.rep.Info("desiredCount", "ignored for DAEMON: one task runs on every matching node")
	}
}

// checkDeploymentController applies deploymentController.type.
func (t *serviceTranslation) checkDeploymentController() {
	dc := t.spec.DeploymentController
	if dc == nil {
		return
	}
	switch dc.Type {
	case "", "ECS":
	case "CODE_DEPLOY":
		t.rep.Warn("deploymentController.type", "CodeDeploy blue/green not translated; rolling update used")
	case "EXTERNAL":
		t.rep.Fail("deploymentController.type", "EXTERNAL deployments run task sets created through the ECS API, which Kubernetes has no counterpart for; use ECS (rolling update)")
	default:
		t.rep.Fail("deploymentController.type", "%q is not ECS, CODE_DEPLOY or EXTERNAL", dc.Type)
	}
}

// noteServiceOptions reports the top-level switches that change nothing in
// the generated objects.
func (t *serviceTranslation) noteServiceOptions() {
	s := t.spec
	if s.EnableExecuteCommand != nil {
		if *s.EnableExecuteCommand {
			t.rep.Info("enableExecuteCommand", "kubectl exec is governed by RBAC (pods/exec)")
		} else {
			t.rep.Warn("enableExecuteCommand", "exec is not disabled; restrict pods/exec via RBAC")
		}
	}
	if s.EnableECSManagedTags != nil && *s.EnableECSManagedTags {
		t.rep.Info("enableECSManagedTags", "pods already carry the %s and %s labels", ecsv1.LabelCluster, ecsv1.LabelService)
	}
	for i := range s.VpcLatticeConfigurations {
		t.rep.Warn(fmt.Sprintf("vpcLatticeConfigurations[%d]", i), "VPC Lattice not translated (see AWS Gateway API Controller)")
	}
}

// podSelector is the selector of the service's pods (a fresh map for
// each object).
func (t *serviceTranslation) podSelector() map[string]string {
	return map[string]string{ecsv1.LabelService: t.serviceLabel}
}

// checkTags reports tags that cannot become labels on the children.
func (t *serviceTranslation) checkTags() {
	for i, tag := range t.spec.Tags {
		key, value := ptr.Deref(tag.Key, ""), ptr.Deref(tag.Value, "")
		field := fmt.Sprintf("tags[%d]", i)
		switch {
		case key == "":
			t.rep.Warn(t.rep.Field(field, ".key"), "tag without a key ignored")
		case strings.HasPrefix(key, "aws:"):
			t.rep.Info(field, "aws: tags are kept in the %s annotation only", ecsv1.AnnotationTags)
		case strings.HasPrefix(key, "ecs.operator.dev/") || strings.HasPrefix(key, "app.kubernetes.io/"):
			t.rep.Info(field, "tag %q uses a label prefix the operator owns; kept in the %s annotation only", key, ecsv1.AnnotationTags)
		case len(validation.IsQualifiedName(key)) > 0 || len(validation.IsValidLabelValue(value)) > 0:
			t.rep.Info(field, "tag %q is not valid label syntax; kept in the %s annotation only", key, ecsv1.AnnotationTags)
		}
	}
}

// childMeta is the metadata of a namespaced child: the operator's labels,
// the service's tags (§6.1 tags: labels where valid, all in the tags
// annotation) and the original service name when it had to be sanitised.
// Owner references are left to the controller.
func (t *serviceTranslation) childMeta(name string) metav1.ObjectMeta {
	labels := make(map[string]string, len(t.tagLabels)+3)
	var annotations map[string]string
	for k, v := range t.tagLabels {
		labels[k] = v
	}
	if t.tagsJSON != "" {
		annotations = map[string]string{ecsv1.AnnotationTags: t.tagsJSON}
	}
	labels[ecsv1.LabelManagedBy] = ecsv1.ManagedByValue
	labels[ecsv1.LabelService] = t.serviceLabel
	if t.in.ClusterName != "" {
		labels[ecsv1.LabelCluster] = serviceClusterLabelValue(t.in.ClusterName)
	}
	if serviceObjectName(t.name) != t.name {
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[ecsv1.AnnotationOriginalName] = t.name
	}
	return metav1.ObjectMeta{Name: name, Namespace: t.in.Namespace, Labels: labels, Annotations: annotations}
}
