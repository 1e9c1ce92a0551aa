package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ECSServiceSpec is an ECS CreateService request, field for field, plus the
// autoScaling and ingress extensions (which ECS users configure through
// Application Auto Scaling and Elastic Load Balancing) and the operator-only
// kubernetes block. Read-only fields of describe-services output are
// accepted and ignored.
//
// +kubebuilder:validation:XValidation:rule="!has(self.launchType) || size(self.launchType) == 0 || !has(self.capacityProviderStrategy) || size(self.capacityProviderStrategy) == 0",message="launchType and capacityProviderStrategy are mutually exclusive: set one of them"
// +kubebuilder:validation:XValidation:rule="!has(self.schedulingStrategy) || self.schedulingStrategy != 'DAEMON' || !has(self.placementStrategy) || size(self.placementStrategy) == 0",message="placementStrategy: not allowed with schedulingStrategy DAEMON"
// +kubebuilder:validation:XValidation:rule="!has(self.schedulingStrategy) || self.schedulingStrategy != 'DAEMON' || !has(self.launchType) || self.launchType != 'FARGATE'",message="schedulingStrategy DAEMON is not supported with launchType FARGATE"
// +kubebuilder:validation:XValidation:rule="!has(self.deploymentConfiguration) || !has(self.deploymentConfiguration.maximumPercent) || !has(self.deploymentConfiguration.minimumHealthyPercent) || self.deploymentConfiguration.minimumHealthyPercent <= self.deploymentConfiguration.maximumPercent",message="deploymentConfiguration: minimumHealthyPercent must not exceed maximumPercent"
// +kubebuilder:validation:XValidation:rule="!has(self.autoScaling) || !has(self.schedulingStrategy) || self.schedulingStrategy != 'DAEMON'",message="autoScaling: not allowed with schedulingStrategy DAEMON (a daemon runs one task per node)"
// +kubebuilder:validation:XValidation:rule="has(self.serviceName) == has(oldSelf.serviceName) && (!has(self.serviceName) || self.serviceName == oldSelf.serviceName)",message="serviceName is immutable, as in ECS: create a new ECSService to rename a service"
type ECSServiceSpec struct {
	// serviceName is the ECS service name. Defaults to metadata.name.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ServiceName *string `json:"serviceName,omitempty"`
	// cluster is the name (or ARN) of the ECSCluster. Defaults to "default".
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Cluster *string `json:"cluster,omitempty"`
	// taskDefinition is the family (latest revision), family:revision, or a
	// task definition ARN.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	TaskDefinition string `json:"taskDefinition"`
	// availabilityZoneRebalancing is ENABLED or DISABLED.
	// +optional
	// +kubebuilder:validation:Enum=ENABLED;DISABLED
	AvailabilityZoneRebalancing *string `json:"availabilityZoneRebalancing,omitempty"`
	// loadBalancers register the service's tasks with target groups.
	// +optional
	// +kubebuilder:validation:MaxItems=5
	LoadBalancers []LoadBalancer `json:"loadBalancers,omitzero"`
	// serviceRegistries register the service with Cloud Map.
	// +optional
	// +kubebuilder:validation:MaxItems=5
	ServiceRegistries []ServiceRegistry `json:"serviceRegistries,omitzero"`
	// desiredCount is the number of tasks to run (REPLICA).
	// +optional
	// +kubebuilder:validation:Minimum=0
	DesiredCount *int32 `json:"desiredCount,omitempty"`
	// clientToken is an idempotency token; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	ClientToken *string `json:"clientToken,omitempty"`
	// launchType is EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES.
	// +optional
	// +kubebuilder:validation:Enum="";EC2;FARGATE;EXTERNAL;MANAGED_INSTANCES
	LaunchType *string `json:"launchType,omitempty"`
	// capacityProviderStrategy spreads tasks over capacity providers.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	CapacityProviderStrategy []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitzero"`
	// platformVersion is the Fargate platform version; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	PlatformVersion *string `json:"platformVersion,omitempty"`
	// role is the legacy ELB service role; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Role *string `json:"role,omitempty"`
	// deploymentConfiguration controls rolling updates and the circuit
	// breaker.
	// +optional
	DeploymentConfiguration *DeploymentConfiguration `json:"deploymentConfiguration,omitempty"`
	// placementConstraints for the service's tasks (at most 10, together
	// with the task definition's).
	// +optional
	// +kubebuilder:validation:MaxItems=10
	PlacementConstraints []PlacementConstraint `json:"placementConstraints,omitzero"`
	// placementStrategy, evaluated in order (at most 5).
	// +optional
	// +kubebuilder:validation:MaxItems=5
	PlacementStrategy []PlacementStrategy `json:"placementStrategy,omitzero"`
	// networkConfiguration is the awsvpc configuration.
	// +optional
	NetworkConfiguration *NetworkConfiguration `json:"networkConfiguration,omitempty"`
	// healthCheckGracePeriodSeconds delays health checks after a task
	// starts.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=2147483647
	HealthCheckGracePeriodSeconds *int32 `json:"healthCheckGracePeriodSeconds,omitempty"`
	// schedulingStrategy is REPLICA (default) or DAEMON.
	// +optional
	// +kubebuilder:validation:Enum=REPLICA;DAEMON
	SchedulingStrategy *string `json:"schedulingStrategy,omitempty"`
	// deploymentController selects ECS, CODE_DEPLOY or EXTERNAL
	// deployments.
	// +optional
	DeploymentController *DeploymentController `json:"deploymentController,omitempty"`
	// tags are the service's resource tags.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Tags []Tag `json:"tags,omitzero"`
	// enableECSManagedTags adds cluster and service tags to tasks.
	// +optional
	EnableECSManagedTags *bool `json:"enableECSManagedTags,omitempty"`
	// propagateTags copies TASK_DEFINITION or SERVICE tags to tasks.
	// +optional
	// +kubebuilder:validation:Enum=TASK_DEFINITION;SERVICE;NONE
	PropagateTags *string `json:"propagateTags,omitempty"`
	// enableExecuteCommand allows ECS Exec into tasks.
	// +optional
	EnableExecuteCommand *bool `json:"enableExecuteCommand,omitempty"`
	// serviceConnectConfiguration is the Service Connect configuration.
	// +optional
	ServiceConnectConfiguration *ServiceConnectConfiguration `json:"serviceConnectConfiguration,omitempty"`
	// volumeConfigurations supply volumes marked configuredAtLaunch.
	// +optional
	// +kubebuilder:validation:MaxItems=1
	VolumeConfigurations []ServiceVolumeConfiguration `json:"volumeConfigurations,omitzero"`
	// vpcLatticeConfigurations register tasks with VPC Lattice.
	// +optional
	// +kubebuilder:validation:MaxItems=5
	VpcLatticeConfigurations []VpcLatticeConfiguration `json:"vpcLatticeConfigurations,omitzero"`

	// autoScaling is the service's Application Auto Scaling configuration
	// (extension; becomes a HorizontalPodAutoscaler).
	// +optional
	AutoScaling *AutoScaling `json:"autoScaling,omitempty"`
	// ingress creates a load balancer for the service (extension; becomes
	// an ALB Ingress or an NLB Service).
	// +optional
	Ingress *ServiceIngress `json:"ingress,omitempty"`
	// kubernetes holds operator-only settings that have no ECS counterpart.
	// +optional
	Kubernetes *ServiceKubernetes `json:"kubernetes,omitempty"`

	// The fields below are read-only describe-services output. They are
	// accepted so such output pastes in unchanged, and ignored.

	// serviceArn is read-only describe output; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	ServiceArn *string `json:"serviceArn,omitempty"`
	// clusterArn is read-only describe output; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	ClusterArn *string `json:"clusterArn,omitempty"`
	// status is read-only describe output; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Status *string `json:"status,omitempty"`
	// runningCount is read-only describe output; ignored.
	// +optional
	RunningCount *int32 `json:"runningCount,omitempty"`
	// pendingCount is read-only describe output; ignored.
	// +optional
	PendingCount *int32 `json:"pendingCount,omitempty"`
	// roleArn is read-only describe output; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleArn *string `json:"roleArn,omitempty"`
	// platformFamily is read-only describe output; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	PlatformFamily *string `json:"platformFamily,omitempty"`
	// createdAt is read-only describe output; ignored.
	// +optional
	CreatedAt *apiextensionsv1.JSON `json:"createdAt,omitempty"`
	// createdBy is read-only describe output; ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	CreatedBy *string `json:"createdBy,omitempty"`
	// deployments is read-only describe output; ignored.
	// +optional
	Deployments *apiextensionsv1.JSON `json:"deployments,omitempty"`
	// events is read-only describe output; ignored.
	// +optional
	Events *apiextensionsv1.JSON `json:"events,omitempty"`
	// taskSets is read-only describe output; ignored.
	// +optional
	TaskSets *apiextensionsv1.JSON `json:"taskSets,omitempty"`
}

// LoadBalancer registers tasks with an ELB target group.
type LoadBalancer struct {
	// targetGroupArn of the target group.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	TargetGroupArn *string `json:"targetGroupArn,omitempty"`
	// loadBalancerName of a Classic Load Balancer.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	LoadBalancerName *string `json:"loadBalancerName,omitempty"`
	// containerName of the container to register.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ContainerName *string `json:"containerName,omitempty"`
	// containerPort of that container.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	ContainerPort *int32 `json:"containerPort,omitempty"`
	// advancedConfiguration is for blue/green deployments.
	// +optional
	AdvancedConfiguration *AdvancedConfiguration `json:"advancedConfiguration,omitempty"`
}

// AdvancedConfiguration is the blue/green load balancer configuration.
type AdvancedConfiguration struct {
	// alternateTargetGroupArn is the green target group.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	AlternateTargetGroupArn *string `json:"alternateTargetGroupArn,omitempty"`
	// productionListenerRule ARN.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	ProductionListenerRule *string `json:"productionListenerRule,omitempty"`
	// testListenerRule ARN.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	TestListenerRule *string `json:"testListenerRule,omitempty"`
	// roleArn ECS uses to manage the load balancer.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleArn *string `json:"roleArn,omitempty"`
}

// ServiceRegistry registers tasks with Cloud Map.
type ServiceRegistry struct {
	// registryArn of the Cloud Map service.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RegistryArn *string `json:"registryArn,omitempty"`
	// port for SRV records (awsvpc).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`
	// containerName for SRV records (bridge/host).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ContainerName *string `json:"containerName,omitempty"`
	// containerPort for SRV records (bridge/host).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	ContainerPort *int32 `json:"containerPort,omitempty"`
}

// CapacityProviderStrategyItem weighs a capacity provider.
type CapacityProviderStrategyItem struct {
	// capacityProvider name, as declared in the ECSCluster.
	// +kubebuilder:validation:MaxLength=255
	CapacityProvider string `json:"capacityProvider"`
	// weight relative to the other providers (0–1000).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	Weight *int32 `json:"weight,omitempty"`
	// base is the minimum number of tasks on this provider (0–100000).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100000
	Base *int32 `json:"base,omitempty"`
}

// DeploymentConfiguration controls how a service rolls out.
type DeploymentConfiguration struct {
	// deploymentCircuitBreaker fails (and optionally rolls back) a
	// deployment that cannot reach a steady state.
	// +optional
	DeploymentCircuitBreaker *DeploymentCircuitBreaker `json:"deploymentCircuitBreaker,omitempty"`
	// maximumPercent is the upper limit of running tasks during a
	// deployment, as a percentage of desiredCount (default 200, DAEMON 100).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	MaximumPercent *int32 `json:"maximumPercent,omitempty"`
	// minimumHealthyPercent is the lower limit of healthy tasks during a
	// deployment, as a percentage of desiredCount (default 100, DAEMON 0).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MinimumHealthyPercent *int32 `json:"minimumHealthyPercent,omitempty"`
	// alarms roll back on CloudWatch alarms.
	// +optional
	Alarms *DeploymentAlarms `json:"alarms,omitempty"`
	// strategy is ROLLING, BLUE_GREEN, LINEAR or CANARY.
	// +optional
	// +kubebuilder:validation:Enum=ROLLING;BLUE_GREEN;LINEAR;CANARY
	Strategy *string `json:"strategy,omitempty"`
	// bakeTimeInMinutes for blue/green-family strategies.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1440
	BakeTimeInMinutes *int32 `json:"bakeTimeInMinutes,omitempty"`
	// lifecycleHooks for blue/green-family strategies.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	LifecycleHooks []DeploymentLifecycleHook `json:"lifecycleHooks,omitzero"`
	// linearConfiguration for the LINEAR strategy.
	// +optional
	LinearConfiguration *LinearConfiguration `json:"linearConfiguration,omitempty"`
	// canaryConfiguration for the CANARY strategy.
	// +optional
	CanaryConfiguration *CanaryConfiguration `json:"canaryConfiguration,omitempty"`
}

// DeploymentCircuitBreaker is the ECS deployment circuit breaker.
type DeploymentCircuitBreaker struct {
	// enable the circuit breaker.
	Enable bool `json:"enable"`
	// rollback to the last completed deployment when it trips.
	Rollback bool `json:"rollback"`
}

// DeploymentAlarms roll back deployments on CloudWatch alarms.
type DeploymentAlarms struct {
	// alarmNames to watch.
	// +kubebuilder:validation:MaxItems=10
	AlarmNames []string `json:"alarmNames"`
	// rollback when an alarm fires.
	Rollback bool `json:"rollback"`
	// enable alarm monitoring.
	Enable bool `json:"enable"`
}

// DeploymentLifecycleHook runs custom logic at a deployment stage.
type DeploymentLifecycleHook struct {
	// hookTargetArn is the Lambda function to invoke.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	HookTargetArn *string `json:"hookTargetArn,omitempty"`
	// roleArn ECS assumes to invoke it.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleArn *string `json:"roleArn,omitempty"`
	// lifecycleStages at which it runs.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	LifecycleStages []string `json:"lifecycleStages,omitzero"`
	// hookDetails passed to the hook.
	// +optional
	HookDetails *apiextensionsv1.JSON `json:"hookDetails,omitempty"`
}

// LinearConfiguration shifts traffic in equal steps.
type LinearConfiguration struct {
	// stepPercent of traffic per step.
	// +optional
	StepPercent *float64 `json:"stepPercent,omitempty"`
	// stepBakeTimeInMinutes between steps.
	// +optional
	// +kubebuilder:validation:Minimum=0
	StepBakeTimeInMinutes *int32 `json:"stepBakeTimeInMinutes,omitempty"`
}

// CanaryConfiguration shifts a canary share of traffic first.
type CanaryConfiguration struct {
	// canaryPercent of traffic shifted first.
	// +optional
	CanaryPercent *float64 `json:"canaryPercent,omitempty"`
	// canaryBakeTimeInMinutes before the rest is shifted.
	// +optional
	// +kubebuilder:validation:Minimum=0
	CanaryBakeTimeInMinutes *int32 `json:"canaryBakeTimeInMinutes,omitempty"`
}

// PlacementStrategy is an ECS task placement strategy.
type PlacementStrategy struct {
	// type is random, spread or binpack.
	// +optional
	// +kubebuilder:validation:Enum=random;spread;binpack
	Type *string `json:"type,omitempty"`
	// field is the attribute to spread on (instanceId, host,
	// attribute:NAME) or the resource to binpack (cpu, memory).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Field *string `json:"field,omitempty"`
}

// NetworkConfiguration holds the awsvpc configuration.
type NetworkConfiguration struct {
	// awsvpcConfiguration: subnets, security groups, public IP.
	// +optional
	AwsvpcConfiguration *AwsVpcConfiguration `json:"awsvpcConfiguration,omitempty"`
}

// AwsVpcConfiguration is the task ENI configuration.
type AwsVpcConfiguration struct {
	// subnets of the task ENIs.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	Subnets []string `json:"subnets,omitzero"`
	// securityGroups of the task ENIs.
	// +optional
	// +kubebuilder:validation:MaxItems=5
	SecurityGroups []string `json:"securityGroups,omitzero"`
	// assignPublicIp is ENABLED or DISABLED.
	// +optional
	// +kubebuilder:validation:Enum=ENABLED;DISABLED
	AssignPublicIP *string `json:"assignPublicIp,omitempty"`
}

// DeploymentController selects the deployment controller.
type DeploymentController struct {
	// type is ECS, CODE_DEPLOY or EXTERNAL.
	// +kubebuilder:validation:Enum=ECS;CODE_DEPLOY;EXTERNAL
	Type string `json:"type"`
}

// ServiceConnectConfiguration is the ECS Service Connect configuration.
type ServiceConnectConfiguration struct {
	// enabled turns Service Connect on.
	Enabled bool `json:"enabled"`
	// namespace is the Cloud Map namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Namespace *string `json:"namespace,omitempty"`
	// services this service publishes.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Services []ServiceConnectService `json:"services,omitzero"`
	// logConfiguration of the Service Connect proxy.
	// +optional
	LogConfiguration *LogConfiguration `json:"logConfiguration,omitempty"`
	// accessLogConfiguration of the Service Connect proxy.
	// +optional
	AccessLogConfiguration *ServiceConnectAccessLogConfiguration `json:"accessLogConfiguration,omitempty"`
}

// ServiceConnectAccessLogConfiguration configures proxy access logs.
type ServiceConnectAccessLogConfiguration struct {
	// format is TEXT or JSON.
	// +optional
	// +kubebuilder:validation:MaxLength=16
	Format *string `json:"format,omitempty"`
	// includeQueryParameters is ENABLED or DISABLED.
	// +optional
	// +kubebuilder:validation:MaxLength=16
	IncludeQueryParameters *string `json:"includeQueryParameters,omitempty"`
}

// ServiceConnectService is one published Service Connect endpoint.
type ServiceConnectService struct {
	// portName names a portMappings entry of the task definition.
	// +kubebuilder:validation:MaxLength=64
	PortName string `json:"portName"`
	// discoveryName is the Cloud Map service name (default portName).
	// +optional
	// +kubebuilder:validation:MaxLength=64
	DiscoveryName *string `json:"discoveryName,omitempty"`
	// clientAliases are the names and ports clients use.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	ClientAliases []ServiceConnectClientAlias `json:"clientAliases,omitzero"`
	// ingressPortOverride for the proxy listener.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	IngressPortOverride *int32 `json:"ingressPortOverride,omitempty"`
	// timeout settings of the proxy.
	// +optional
	Timeout *TimeoutConfiguration `json:"timeout,omitempty"`
	// tls settings of the proxy.
	// +optional
	TLS *ServiceConnectTLSConfiguration `json:"tls,omitempty"`
}

// ServiceConnectClientAlias is a name and port clients use.
type ServiceConnectClientAlias struct {
	// port clients connect to.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`
	// dnsName clients resolve (default discoveryName.namespace).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	DNSName *string `json:"dnsName,omitempty"`
	// testTrafficRules route blue/green test traffic.
	// +optional
	TestTrafficRules *apiextensionsv1.JSON `json:"testTrafficRules,omitempty"`
}

// TimeoutConfiguration are Service Connect proxy timeouts.
type TimeoutConfiguration struct {
	// idleTimeoutSeconds of connections.
	// +optional
	// +kubebuilder:validation:Minimum=0
	IdleTimeoutSeconds *int32 `json:"idleTimeoutSeconds,omitempty"`
	// perRequestTimeoutSeconds of requests.
	// +optional
	// +kubebuilder:validation:Minimum=0
	PerRequestTimeoutSeconds *int32 `json:"perRequestTimeoutSeconds,omitempty"`
}

// ServiceConnectTLSConfiguration is Service Connect TLS.
type ServiceConnectTLSConfiguration struct {
	// issuerCertificateAuthority is the private CA.
	// +optional
	IssuerCertificateAuthority *ServiceConnectTLSCertificateAuthority `json:"issuerCertificateAuthority,omitempty"`
	// kmsKey encrypting the private key.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	KmsKey *string `json:"kmsKey,omitempty"`
	// roleArn ECS uses for TLS.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleArn *string `json:"roleArn,omitempty"`
}

// ServiceConnectTLSCertificateAuthority names the private CA.
type ServiceConnectTLSCertificateAuthority struct {
	// awsPcaAuthorityArn of the private CA.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	AwsPcaAuthorityArn *string `json:"awsPcaAuthorityArn,omitempty"`
}

// ServiceVolumeConfiguration supplies a configuredAtLaunch volume.
type ServiceVolumeConfiguration struct {
	// name of the task definition volume.
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`
	// managedEBSVolume is the EBS volume created per task.
	// +optional
	ManagedEBSVolume *ManagedEBSVolume `json:"managedEBSVolume,omitempty"`
}

// ManagedEBSVolume is an EBS volume ECS creates for each task.
type ManagedEBSVolume struct {
	// encrypted volume.
	// +optional
	Encrypted *bool `json:"encrypted,omitempty"`
	// kmsKeyId for encryption.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	KmsKeyID *string `json:"kmsKeyId,omitempty"`
	// volumeType such as gp3.
	// +optional
	// +kubebuilder:validation:MaxLength=16
	VolumeType *string `json:"volumeType,omitempty"`
	// sizeInGiB of the volume.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65536
	SizeInGiB *int32 `json:"sizeInGiB,omitempty"`
	// snapshotId to create the volume from.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	SnapshotID *string `json:"snapshotId,omitempty"`
	// volumeInitializationRate in MiB/s when restoring a snapshot.
	// +optional
	// +kubebuilder:validation:Minimum=0
	VolumeInitializationRate *int32 `json:"volumeInitializationRate,omitempty"`
	// iops of the volume.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Iops *int32 `json:"iops,omitempty"`
	// throughput in MiB/s.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Throughput *int32 `json:"throughput,omitempty"`
	// tagSpecifications for the volume.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	TagSpecifications []EBSTagSpecification `json:"tagSpecifications,omitzero"`
	// roleArn ECS uses to manage the volume.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleArn *string `json:"roleArn,omitempty"`
	// filesystemType is ext3, ext4, xfs or ntfs.
	// +optional
	// +kubebuilder:validation:Enum=ext3;ext4;xfs;ntfs
	FilesystemType *string `json:"filesystemType,omitempty"`
}

// EBSTagSpecification tags a managed EBS volume.
type EBSTagSpecification struct {
	// resourceType is volume.
	// +kubebuilder:validation:MaxLength=32
	ResourceType string `json:"resourceType"`
	// tags to apply.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Tags []Tag `json:"tags,omitzero"`
	// propagateTags from TASK_DEFINITION or SERVICE.
	// +optional
	// +kubebuilder:validation:Enum=TASK_DEFINITION;SERVICE;NONE
	PropagateTags *string `json:"propagateTags,omitempty"`
}

// VpcLatticeConfiguration registers tasks with a VPC Lattice target group.
type VpcLatticeConfiguration struct {
	// roleArn ECS uses for VPC Lattice.
	// +kubebuilder:validation:MaxLength=2048
	RoleArn string `json:"roleArn"`
	// targetGroupArn of the Lattice target group.
	// +kubebuilder:validation:MaxLength=2048
	TargetGroupArn string `json:"targetGroupArn"`
	// portName of the port mapping to register.
	// +kubebuilder:validation:MaxLength=64
	PortName string `json:"portName"`
}

// AutoScaling is the Application Auto Scaling configuration of a service.
// +kubebuilder:validation:XValidation:rule="self.minCapacity <= self.maxCapacity",message="autoScaling: minCapacity must not exceed maxCapacity"
type AutoScaling struct {
	// minCapacity is the minimum desired count.
	// +kubebuilder:validation:Minimum=0
	MinCapacity int32 `json:"minCapacity"`
	// maxCapacity is the maximum desired count.
	// +kubebuilder:validation:Minimum=1
	MaxCapacity int32 `json:"maxCapacity"`
	// targetTrackingScalingPolicies keep a metric at a target value.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	TargetTrackingScalingPolicies []TargetTrackingScalingPolicy `json:"targetTrackingScalingPolicies,omitzero"`
	// stepScalingPolicies are not translated (reported as warnings).
	// +optional
	// +kubebuilder:validation:MaxItems=10
	StepScalingPolicies []apiextensionsv1.JSON `json:"stepScalingPolicies,omitzero"`
	// scheduledActions are not translated (reported as warnings).
	// +optional
	// +kubebuilder:validation:MaxItems=50
	ScheduledActions []apiextensionsv1.JSON `json:"scheduledActions,omitzero"`
}

// TargetTrackingScalingPolicy is an Application Auto Scaling target
// tracking policy.
// +kubebuilder:validation:XValidation:rule="has(self.predefinedMetricSpecification) != has(self.customizedMetricSpecification)",message="targetTrackingScalingPolicies[]: set exactly one of predefinedMetricSpecification and customizedMetricSpecification"
type TargetTrackingScalingPolicy struct {
	// policyName names the policy.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	PolicyName *string `json:"policyName,omitempty"`
	// targetValue of the metric (a percentage for the utilization metrics).
	TargetValue float64 `json:"targetValue"`
	// predefinedMetricSpecification selects ECSServiceAverageCPUUtilization,
	// ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget.
	// +optional
	PredefinedMetricSpecification *PredefinedMetricSpecification `json:"predefinedMetricSpecification,omitempty"`
	// customizedMetricSpecification is a CloudWatch metric.
	// +optional
	CustomizedMetricSpecification *CustomizedMetricSpecification `json:"customizedMetricSpecification,omitempty"`
	// scaleOutCooldown in seconds.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=3600
	ScaleOutCooldown *int32 `json:"scaleOutCooldown,omitempty"`
	// scaleInCooldown in seconds.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=3600
	ScaleInCooldown *int32 `json:"scaleInCooldown,omitempty"`
	// disableScaleIn stops the policy from removing tasks.
	// +optional
	DisableScaleIn *bool `json:"disableScaleIn,omitempty"`
}

// CustomizedMetricSpecification is a CloudWatch metric for target tracking.
type CustomizedMetricSpecification struct {
	// metricName of the CloudWatch metric.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	MetricName *string `json:"metricName,omitempty"`
	// namespace of the CloudWatch metric.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Namespace *string `json:"namespace,omitempty"`
	// dimensions of the metric.
	// +optional
	// +kubebuilder:validation:MaxItems=30
	Dimensions []MetricDimension `json:"dimensions,omitzero"`
	// statistic such as Average or Sum.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	Statistic *string `json:"statistic,omitempty"`
	// unit of the metric.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	Unit *string `json:"unit,omitempty"`
	// metrics is a metric math query instead of a single metric.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	Metrics []apiextensionsv1.JSON `json:"metrics,omitzero"`
}

// MetricDimension is a CloudWatch metric dimension.
type MetricDimension struct {
	// name of the dimension.
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`
	// value of the dimension.
	// +kubebuilder:validation:MaxLength=1024
	Value string `json:"value"`
}

// PredefinedMetricSpecification selects a predefined metric.
type PredefinedMetricSpecification struct {
	// predefinedMetricType of the metric.
	// +kubebuilder:validation:Enum=ECSServiceAverageCPUUtilization;ECSServiceAverageMemoryUtilization;ALBRequestCountPerTarget
	PredefinedMetricType string `json:"predefinedMetricType"`
	// resourceLabel identifies the target group for ALBRequestCountPerTarget.
	// +optional
	// +kubebuilder:validation:MaxLength=1023
	ResourceLabel *string `json:"resourceLabel,omitempty"`
}

// ServiceIngress creates a load balancer for the service.
type ServiceIngress struct {
	// type is ALB (an Ingress, default) or NLB (a LoadBalancer Service).
	// +optional
	// +kubebuilder:validation:Enum=ALB;NLB
	Type *string `json:"type,omitempty"`
	// className is the IngressClass (default alb).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	ClassName *string `json:"className,omitempty"`
	// scheme is internet-facing or internal (default internal).
	// +optional
	// +kubebuilder:validation:Enum=internet-facing;internal
	Scheme *string `json:"scheme,omitempty"`
	// hosts routed to the service; none means any host.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:MaxLength=253
	Hosts []string `json:"hosts,omitzero"`
	// path routed to the service (default /).
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:Pattern=`^/`
	Path *string `json:"path,omitempty"`
	// pathType is Prefix (default) or Exact.
	// +optional
	// +kubebuilder:validation:Enum=Prefix;Exact
	PathType *string `json:"pathType,omitempty"`
	// containerName of the container receiving traffic (default: the first
	// essential container with a port mapping).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ContainerName *string `json:"containerName,omitempty"`
	// containerPort receiving traffic (default: that container's first
	// port).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	ContainerPort *int32 `json:"containerPort,omitempty"`
	// groupName shares one ALB between several services
	// (alb.ingress.kubernetes.io/group.name).
	// +optional
	// +kubebuilder:validation:MaxLength=63
	GroupName *string `json:"groupName,omitempty"`
	// groupOrder is the rule priority within the group (1–1000).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	GroupOrder *int32 `json:"groupOrder,omitempty"`
	// healthCheckPath of the target group health check.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	HealthCheckPath *string `json:"healthCheckPath,omitempty"`
	// healthCheckSuccessCodes such as "200" or "200-399".
	// +optional
	// +kubebuilder:validation:MaxLength=64
	HealthCheckSuccessCodes *string `json:"healthCheckSuccessCodes,omitempty"`
	// certificateArns of ACM certificates for HTTPS listeners.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	CertificateArns []string `json:"certificateArns,omitzero"`
	// annotations added to the Ingress or Service as they are.
	// +optional
	Annotations map[string]string `json:"annotations,omitzero"`
}

// ServiceKubernetes holds per-service operator settings.
type ServiceKubernetes struct {
	// progressDeadlineSeconds after which a deployment without progress is
	// FAILED (default 600, as the ECS circuit breaker).
	// +optional
	// +kubebuilder:validation:Minimum=30
	ProgressDeadlineSeconds *int32 `json:"progressDeadlineSeconds,omitempty"`
}

// ServiceDeployment is one ECS-style deployment of a service.
type ServiceDeployment struct {
	// id of the deployment: the service name and task definition revision.
	ID string `json:"id"`
	// status is PRIMARY (the newest), ACTIVE (still has tasks) or INACTIVE.
	Status string `json:"status"`
	// taskDefinition of the deployment, as family:revision.
	TaskDefinition string `json:"taskDefinition"`
	// desiredCount of the deployment.
	DesiredCount int32 `json:"desiredCount"`
	// pendingCount of the deployment.
	PendingCount int32 `json:"pendingCount"`
	// runningCount of the deployment.
	RunningCount int32 `json:"runningCount"`
	// failedTasks counts task start failures seen by the circuit breaker.
	// +optional
	FailedTasks int32 `json:"failedTasks,omitempty"`
	// rolloutState is IN_PROGRESS, COMPLETED or FAILED.
	// +optional
	RolloutState string `json:"rolloutState,omitempty"`
	// rolloutStateReason explains the rollout state.
	// +optional
	RolloutStateReason string `json:"rolloutStateReason,omitempty"`
	// createdAt is when the deployment started.
	// +optional
	CreatedAt *metav1.Time `json:"createdAt,omitempty"`
	// updatedAt is when its state last changed.
	// +optional
	UpdatedAt *metav1.Time `json:"updatedAt,omitempty"`
}

// ServiceEvent is an ECS-style service event.
type ServiceEvent struct {
	// id of the event.
	ID string `json:"id"`
	// createdAt is when the event happened.
	CreatedAt metav1.Time `json:"createdAt"`
	// message in ECS wording, e.g. "(service web) has reached a steady
	// state."
	Message string `json:"message"`
}

// ECSServiceStatus is the observed state of an ECSService.
type ECSServiceStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// taskDefinition is the resolved task definition, family:revision.
	// +optional
	TaskDefinition string `json:"taskDefinition,omitempty"`
	// desiredCount is the number of tasks the service should run.
	// +optional
	DesiredCount int32 `json:"desiredCount"`
	// runningCount is the number of running tasks (ready pods).
	// +optional
	RunningCount int32 `json:"runningCount"`
	// pendingCount is the number of tasks not yet running.
	// +optional
	PendingCount int32 `json:"pendingCount"`
	// deployments, newest (PRIMARY) first.
	// +optional
	// +listType=atomic
	Deployments []ServiceDeployment `json:"deployments,omitempty"`
	// events are the most recent service events, newest first.
	// +optional
	// +listType=atomic
	Events []ServiceEvent `json:"events,omitempty"`
	// warnings list ECS fields that are approximated or not honoured.
	// +optional
	// +listType=atomic
	Warnings []TranslationWarning `json:"warnings,omitempty"`
	// conditions: Ready, Reconciling, Stalled (kstatus), and
	// IntegrationsAvailable.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ECSService runs and maintains a number of tasks of a task definition, as
// an ECS service does.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ecssvc,categories=ecs
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=`.spec.cluster`
// +kubebuilder:printcolumn:name="Task Definition",type=string,JSONPath=`.status.taskDefinition`
// +kubebuilder:printcolumn:name="Desired",type=integer,JSONPath=`.status.desiredCount`
// +kubebuilder:printcolumn:name="Running",type=integer,JSONPath=`.status.runningCount`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pendingCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ECSService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec   ECSServiceSpec   `json:"spec"`
	Status ECSServiceStatus `json:"status,omitempty"`
}

// ECSServiceList is a list of ECSServices.
//
// +kubebuilder:object:root=true
type ECSServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ECSService `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ECSService{}, &ECSServiceList{})
}
