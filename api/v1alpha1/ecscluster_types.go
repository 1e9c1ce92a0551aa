package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ECSClusterSpec maps an ECS cluster, its capacity providers and the ECS
// agent's ecs.config onto policy for every task definition and service that
// references the cluster.
type ECSClusterSpec struct {
	// capacityProviders say where tasks of each provider land. EC2 and
	// FARGATE are built in (all nodes; EKS Fargate profiles) unless
	// redefined here.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=50
	CapacityProviders []CapacityProvider `json:"capacityProviders,omitempty"`
	// defaultCapacityProviderStrategy applies to services that set neither
	// launchType nor capacityProviderStrategy.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	DefaultCapacityProviderStrategy []CapacityProviderStrategyItem `json:"defaultCapacityProviderStrategy,omitempty"`
	// attributes map ECS placement attribute names to node label keys.
	// Defaults: ecs.availability-zone → topology.kubernetes.io/zone,
	// ecs.instance-type → node.kubernetes.io/instance-type, ecs.os-type →
	// kubernetes.io/os, ecs.cpu-architecture → kubernetes.io/arch; any other
	// custom attribute NAME → ecs.operator.dev/NAME.
	// +optional
	// +kubebuilder:validation:MaxProperties=100
	Attributes map[string]string `json:"attributes,omitempty"`
	// knownAttributeValues lists values an attribute can take, for offline
	// expansion of =~ / !~ constraints when no node inventory is at hand.
	// +optional
	// +kubebuilder:validation:MaxProperties=100
	KnownAttributeValues map[string][]string `json:"knownAttributeValues,omitempty"`
	// iam says how task roles become workload identities.
	// +optional
	IAM *ClusterIAM `json:"iam,omitempty"`
	// registryAuth (ECS_ENGINE_AUTH_DATA) gives every task default image
	// pull credentials.
	// +optional
	RegistryAuth *RegistryAuth `json:"registryAuth,omitempty"`
	// logging (ECS_AVAILABLE_LOGGING_DRIVERS) lists accepted log drivers.
	// +optional
	Logging *ClusterLogging `json:"logging,omitempty"`
	// secretStoreRef is the External Secrets store used for secrets and
	// repositoryCredentials when no entry of secretStores matches.
	// +optional
	SecretStoreRef *SecretStoreRef `json:"secretStoreRef,omitempty"`
	// secretStores choose a store per AWS secret service and region.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=50
	SecretStores []ScopedSecretStoreRef `json:"secretStores,omitempty"`
	// region is the cluster's AWS region; bare SSM parameter names and
	// short role names resolve in it.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	Region string `json:"region,omitempty"`
	// binpackSchedulerName is the scheduler profile (NodeResourcesFit
	// MostAllocated) used for binpack placement.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	BinpackSchedulerName string `json:"binpackSchedulerName,omitempty"`
	// binpackSchedulerNames choose a profile per binpack field (cpu,
	// memory); they win over binpackSchedulerName.
	// +optional
	BinpackSchedulerNames *BinpackSchedulerNames `json:"binpackSchedulerNames,omitempty"`
	// volumeDrivers map Docker volume drivers to StorageClasses.
	// +optional
	// +kubebuilder:validation:MaxProperties=50
	VolumeDrivers map[string]string `json:"volumeDrivers,omitempty"`
	// subnetZones map subnet IDs to availability zones.
	// +optional
	// +kubebuilder:validation:MaxProperties=500
	SubnetZones map[string]string `json:"subnetZones,omitempty"`
	// serviceConnectNamespaces map Cloud Map namespaces to Kubernetes
	// namespaces.
	// +optional
	// +kubebuilder:validation:MaxProperties=100
	ServiceConnectNamespaces map[string]string `json:"serviceConnectNamespaces,omitempty"`
	// gpuResourceName is the extended resource for GPUs (default
	// nvidia.com/gpu).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	GPUResourceName string `json:"gpuResourceName,omitempty"`
	// containerStopTimeout (ECS_CONTAINER_STOP_TIMEOUT) is the default
	// stopTimeout in seconds (default 30).
	// +optional
	// +kubebuilder:validation:Minimum=0
	ContainerStopTimeout *int32 `json:"containerStopTimeout,omitempty"`
	// features override the detected Kubernetes features the translation
	// uses (pod-level resources, container restart rules, hostname
	// override).
	// +optional
	Features *ClusterFeatures `json:"features,omitempty"`
}

// CapacityProvider says how pods of an ECS capacity provider are placed.
type CapacityProvider struct {
	// name of the capacity provider (EC2, FARGATE, or a custom name).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`
	// nodeSelector for pods of this provider.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// tolerations for pods of this provider.
	// +optional
	// +listType=atomic
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// podLabels added to pods of this provider (EKS Fargate profiles select
	// pods by labels).
	// +optional
	PodLabels map[string]string `json:"podLabels,omitempty"`
	// fargate marks an EKS Fargate profile: node placement is ignored there.
	// +optional
	Fargate bool `json:"fargate,omitempty"`
	// nodeLabelSelector selects the nodes counted as this provider's
	// registered container instances (default: nodeSelector).
	// +optional
	NodeLabelSelector *metav1.LabelSelector `json:"nodeLabelSelector,omitempty"`
}

// IAMMode selects how task roles become workload identities.
// +kubebuilder:validation:Enum=IRSA;PodIdentity
type IAMMode string

const (
	// IAMModeIRSA annotates the ServiceAccount with
	// eks.amazonaws.com/role-arn (IAM roles for service accounts).
	IAMModeIRSA IAMMode = "IRSA"
	// IAMModePodIdentity creates an ACK PodIdentityAssociation.
	IAMModePodIdentity IAMMode = "PodIdentity"
)

// ClusterIAM says how task roles become workload identities.
type ClusterIAM struct {
	// mode is IRSA (default) or PodIdentity.
	// +optional
	Mode IAMMode `json:"mode,omitempty"`
	// enableTaskIAMRole (ECS_ENABLE_TASK_IAM_ROLE) lets tasks use their
	// taskRoleArn (default true).
	// +optional
	EnableTaskIAMRole *bool `json:"enableTaskIAMRole,omitempty"`
	// accountId expands short role names ("app-role") to ARNs.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]{12}$`
	AccountID string `json:"accountId,omitempty"`
	// clusterName is the EKS cluster name used in PodIdentityAssociations.
	// +optional
	// +kubebuilder:validation:MaxLength=100
	ClusterName string `json:"clusterName,omitempty"`
	// allowedRoleArns restrict which task roles namespaces may use. When
	// the list is empty every role is allowed; otherwise a role must match a
	// pattern of an entry whose namespaceSelector selects the namespace.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	AllowedRoleArns []AllowedRoles `json:"allowedRoleArns,omitempty"`
}

// AllowedRoles allow role ARN patterns in selected namespaces.
type AllowedRoles struct {
	// namespaceSelector selects the namespaces; empty selects all.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	// patterns are role ARN globs ("*" matches any run of characters).
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	Patterns []string `json:"patterns"`
}

// RegistryAuth gives every task default image pull credentials.
type RegistryAuth struct {
	// imagePullSecrets added to every pod.
	// +optional
	// +listType=atomic
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// ecr keeps a pull secret for private ECR registries fresh through the
	// External Secrets ECRAuthorizationToken generator (for clusters outside
	// EKS; on EKS nodes pull with their own role).
	// +optional
	ECR *ECRRegistryAuth `json:"ecr,omitempty"`
}

// ECRRegistryAuth configures the ECR authorization token generator.
type ECRRegistryAuth struct {
	// region of the registry.
	// +kubebuilder:validation:MaxLength=32
	Region string `json:"region"`
	// roleArn the generator assumes.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleArn string `json:"roleArn,omitempty"`
}

// ClusterLogging lists accepted log drivers.
type ClusterLogging struct {
	// availableDrivers accepted in logConfiguration.logDriver; empty
	// accepts every driver.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=20
	AvailableDrivers []string `json:"availableDrivers,omitempty"`
}

// SecretStoreRef names an External Secrets store.
type SecretStoreRef struct {
	// kind is ClusterSecretStore (default) or SecretStore.
	// +optional
	// +kubebuilder:validation:Enum=ClusterSecretStore;SecretStore
	Kind string `json:"kind,omitempty"`
	// name of the store.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// ScopedSecretStoreRef picks a store for one AWS secret service and region.
type ScopedSecretStoreRef struct {
	// service is SecretsManager or ParameterStore.
	// +kubebuilder:validation:Enum=SecretsManager;ParameterStore
	Service string `json:"service"`
	// region of the secrets; empty matches any region.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	Region string `json:"region,omitempty"`
	// storeRef is the store to use.
	StoreRef SecretStoreRef `json:"storeRef"`
}

// BinpackSchedulerNames choose a scheduler profile per binpack field.
type BinpackSchedulerNames struct {
	// cpu is the profile for binpack(cpu).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	CPU string `json:"cpu,omitempty"`
	// memory is the profile for binpack(memory).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Memory string `json:"memory,omitempty"`
}

// ClusterFeatures override detected Kubernetes features.
type ClusterFeatures struct {
	// podLevelResources (spec.resources on pods, beta since 1.34).
	// +optional
	PodLevelResources *bool `json:"podLevelResources,omitempty"`
	// containerRestartRules (container restartPolicy, beta since 1.35).
	// +optional
	ContainerRestartRules *bool `json:"containerRestartRules,omitempty"`
	// hostnameOverride (spec.hostnameOverride, beta since 1.35).
	// +optional
	HostnameOverride *bool `json:"hostnameOverride,omitempty"`
}

// ECSClusterStatus is the observed state of an ECSCluster.
type ECSClusterStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// activeServicesCount is the number of ECSServices using the cluster.
	// +optional
	ActiveServicesCount int32 `json:"activeServicesCount"`
	// runningTasksCount is the number of running tasks of those services.
	// +optional
	RunningTasksCount int32 `json:"runningTasksCount"`
	// pendingTasksCount is the number of pending tasks of those services.
	// +optional
	PendingTasksCount int32 `json:"pendingTasksCount"`
	// registeredContainerInstancesCount is the number of Ready nodes of the
	// cluster's capacity providers.
	// +optional
	RegisteredContainerInstancesCount int32 `json:"registeredContainerInstancesCount"`
	// conditions: Ready, Reconciling, Stalled (kstatus).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ECSCluster is cluster-wide policy for ECS-shaped workloads: capacity
// providers, placement attributes, task IAM, registry auth, log drivers and
// secret stores.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=ecsc,categories=ecs
// +kubebuilder:printcolumn:name="Services",type=integer,JSONPath=`.status.activeServicesCount`
// +kubebuilder:printcolumn:name="Running",type=integer,JSONPath=`.status.runningTasksCount`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingTasksCount`
// +kubebuilder:printcolumn:name="Instances",type=integer,JSONPath=`.status.registeredContainerInstancesCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
type ECSCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +optional
	Spec   ECSClusterSpec   `json:"spec,omitempty"`
	Status ECSClusterStatus `json:"status,omitempty"`
}

// ECSClusterList is a list of ECSClusters.
//
// +kubebuilder:object:root=true
type ECSClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ECSCluster `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ECSCluster{}, &ECSClusterList{})
}
