// Package translate turns ECS-shaped objects into Kubernetes objects.
//
// It is pure and deterministic: no client, no clock, no randomness, no
// logging. Inputs are the API structs plus the facts the caller observed
// (cluster policy, Kubernetes capabilities, node label values); outputs are
// typed objects with TypeMeta set, ready for server-side apply or YAML
// rendering, plus structured warnings. Every ECS field is either mapped or
// reported; docs/field-map.md is the rule book and each rule's decision is
// recorded next to the code that applies it.
package translate

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Capabilities are the optional Kubernetes features the target cluster
// has turned on. When a feature is off the translation uses the fallback
// field-map.md gives and warns.
type Capabilities struct {
	// PodLevelResources: pod spec.resources (beta, on by default since 1.34).
	PodLevelResources bool
	// ContainerRestartRules: container restartPolicy / restartPolicyRules
	// on regular containers (beta, on by default since 1.35).
	ContainerRestartRules bool
	// HostnameOverride: pod spec.hostnameOverride (beta since 1.35).
	HostnameOverride bool
	// RelaxedEnvironmentVariableValidation: env names that are not C
	// identifiers (GA in 1.34).
	RelaxedEnvironmentVariableValidation bool
}

// AllCapabilities is what a Kubernetes 1.35+ cluster offers by default.
func AllCapabilities() Capabilities {
	return Capabilities{
		PodLevelResources:                    true,
		ContainerRestartRules:                true,
		HostnameOverride:                     true,
		RelaxedEnvironmentVariableValidation: true,
	}
}

// WorkloadKind says what will run the pod template: ECS services keep
// tasks running, RunTask/scheduled tasks run them to completion.
type WorkloadKind int

const (
	// WorkloadService is a Deployment or DaemonSet (ECS service).
	WorkloadService WorkloadKind = iota
	// WorkloadJob is a Job or CronJob (RunTask, scheduled task).
	WorkloadJob
)

// TaskInput is one task definition revision to translate.
type TaskInput struct {
	// Namespace of the TaskDefinition object.
	Namespace string
	// Name of the TaskDefinition object; the family defaults to it.
	Name string
	// Revision is the revision number being translated (1-based); child
	// names that are per revision (ExternalSecrets) carry it.
	Revision int64
	// Spec is the task definition.
	Spec *ecsv1.TaskDefinitionSpec
	// ClusterName is the ECSCluster's name (label ecs.operator.dev/cluster).
	ClusterName string
	// Cluster is the ECSCluster policy; nil means all defaults.
	Cluster *ecsv1.ECSClusterSpec
	// NamespaceLabels are the labels of Namespace, matched against
	// allowedRoleArns namespace selectors.
	NamespaceLabels map[string]string
	// Capabilities of the target cluster.
	Capabilities Capabilities
	// Workload selects service or job lifecycle rules.
	Workload WorkloadKind
}

// TaskResult is a translated task definition revision.
type TaskResult struct {
	// Family is the effective family (spec.family or the object name).
	Family string
	// PodTemplate is the pod template; service-level labels (service,
	// group) and placement are added by TranslateService.
	PodTemplate corev1.PodTemplateSpec
	// ServiceAccount for the task role, nil without taskRoleArn.
	ServiceAccount *corev1.ServiceAccount
	// PodIdentityAssociation (eks.services.k8s.aws/v1alpha1), in
	// PodIdentity mode.
	PodIdentityAssociation *unstructured.Unstructured
	// ExternalSecrets (external-secrets.io/v1) for secrets and
	// repositoryCredentials.
	ExternalSecrets []*unstructured.Unstructured
	// PersistentVolumes and PersistentVolumeClaims for EFS and shared
	// network-driver volumes.
	PersistentVolumes      []*corev1.PersistentVolume
	PersistentVolumeClaims []*corev1.PersistentVolumeClaim
	// ConfigMaps the task needs (FireLens outputs).
	ConfigMaps []*corev1.ConfigMap
	// NetworkPolicy for networkMode none.
	NetworkPolicy *networkingv1.NetworkPolicy
	// Ports are the task's port mappings after sanitising, in ECS order;
	// services use them for Services, target groups and Service Connect.
	Ports []TaskPort
	// Warnings are the approximations and unsupported fields, sorted by
	// field path.
	Warnings []ecsv1.TranslationWarning
	// Notes are info-level notes (ignored read-only fields and the like).
	Notes []ecsv1.TranslationWarning
}

// TaskPort is one container port mapping as the pod exposes it.
type TaskPort struct {
	// Container is the ECS container name.
	Container string
	// Name is the sanitised port name ("" when ECS gave none).
	Name string
	// ECSName is the original ECS port mapping name.
	ECSName string
	// ContainerPort and HostPort as in ECS (HostPort 0 when dynamic or
	// absent).
	ContainerPort int32
	HostPort      int32
	// Protocol is TCP or UDP.
	Protocol corev1.Protocol
	// AppProtocol is the ECS appProtocol (http, http2, grpc) or "".
	AppProtocol string
}

// NodeInventory is the set of label values seen on the cluster's nodes,
// used to expand =~ / !~ placement expressions.
type NodeInventory map[string][]string

// ServiceInput is one ECS service to translate on top of its task.
type ServiceInput struct {
	// Namespace and Name of the ECSService object; serviceName defaults to
	// Name.
	Namespace string
	Name      string
	// Annotations of the ECSService object; ecs.operator.dev/cloudmap-name
	// names the Service of a Cloud Map registry.
	Annotations map[string]string
	// Spec is the service.
	Spec *ecsv1.ECSServiceSpec
	// TaskSpec and Task are the resolved task definition revision and its
	// translation.
	TaskSpec *ecsv1.TaskDefinitionSpec
	Task     *TaskResult
	// Revision is the task definition revision in use.
	Revision int64
	// ClusterName and Cluster are the referenced ECSCluster.
	ClusterName string
	Cluster     *ecsv1.ECSClusterSpec
	// Nodes is the node inventory for regex placement; nil falls back to
	// Cluster.KnownAttributeValues.
	Nodes NodeInventory
	// Capabilities of the target cluster.
	Capabilities Capabilities
}

// ServiceResult is a translated service: the workload and everything
// around it. Exactly one of Deployment and DaemonSet is set.
type ServiceResult struct {
	Deployment *appsv1.Deployment
	DaemonSet  *appsv1.DaemonSet
	// Services: the load-balancer/discovery Service named after the
	// service, headless Cloud Map Services, Service Connect Services.
	Services []*corev1.Service
	// TargetGroupBindings (elbv2.k8s.aws/v1beta1), one per target group.
	TargetGroupBindings []*unstructured.Unstructured
	// Ingress for the ingress extension (ALB).
	Ingress *networkingv1.Ingress
	// HorizontalPodAutoscaler for CPU/memory target tracking.
	HorizontalPodAutoscaler *autoscalingv2.HorizontalPodAutoscaler
	// ScaledObject (keda.sh/v1alpha1) for request-count and custom metrics.
	ScaledObject *unstructured.Unstructured
	// PodDisruptionBudget from minimumHealthyPercent.
	PodDisruptionBudget *policyv1.PodDisruptionBudget
	// SecurityGroupPolicy (vpcresources.k8s.aws/v1beta1) for securityGroups.
	SecurityGroupPolicy *unstructured.Unstructured
	// StorageClasses for managed EBS volume configurations.
	StorageClasses []*storagev1.StorageClass
	// Warnings and Notes as in TaskResult.
	Warnings []ecsv1.TranslationWarning
	Notes    []ecsv1.TranslationWarning
}

// Objects lists the task's objects besides its pod template, in the order
// they are applied: what the pods refer to (ServiceAccount, identity,
// secrets, configuration, volumes) before the NetworkPolicy.
func (r *TaskResult) Objects() []runtime.Object {
	var objs []runtime.Object
	objs = appendSet(objs, r.ServiceAccount)
	objs = appendSet(objs, r.PodIdentityAssociation)
	objs = appendAll(objs, r.ExternalSecrets)
	objs = appendAll(objs, r.ConfigMaps)
	objs = appendAll(objs, r.PersistentVolumes)
	objs = appendAll(objs, r.PersistentVolumeClaims)
	objs = appendSet(objs, r.NetworkPolicy)
	return objs
}

// Objects lists the service's objects in the order they are applied: the
// storage classes and security groups its pods use, the workload, then
// what routes to, scales and protects it.
func (r *ServiceResult) Objects() []runtime.Object {
	objs := appendAll(nil, r.StorageClasses)
	objs = appendSet(objs, r.SecurityGroupPolicy)
	objs = appendSet(objs, r.Deployment)
	objs = appendSet(objs, r.DaemonSet)
	objs = appendAll(objs, r.Services)
	objs = appendAll(objs, r.TargetGroupBindings)
	objs = appendSet(objs, r.Ingress)
	objs = appendSet(objs, r.HorizontalPodAutoscaler)
	objs = appendSet(objs, r.ScaledObject)
	objs = appendSet(objs, r.PodDisruptionBudget)
	return objs
}

// appendSet appends obj unless it is nil.
func appendSet[P interface {
	*T
	runtime.Object
}, T any](objs []runtime.Object, obj P) []runtime.Object {
	if obj == nil {
		return objs
	}
	return append(objs, obj)
}

func appendAll[T runtime.Object](objs []runtime.Object, items []T) []runtime.Object {
	for _, o := range items {
		objs = append(objs, o)
	}
	return objs
}

// The entry points are TranslateTask(TaskInput) (*TaskResult, error) and
// TranslateService(ServiceInput) (*ServiceResult, error). A failed
// translation returns report.Errors (every problem, each naming its ECS
// field) and no objects.
