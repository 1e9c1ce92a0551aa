package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TaskDefinitionSpec is an ECS RegisterTaskDefinition request, field for
// field, plus the operator-only `kubernetes` block. Read-only fields of
// describe-task-definition output are accepted (so such output pastes in
// unchanged) and ignored.
//
// +kubebuilder:validation:XValidation:rule="!has(self.volumes) || self.volumes.all(v, !has(v.name) || self.volumes.exists_one(w, has(w.name) && w.name == v.name))",message="volumes: volume names must be unique"
// +kubebuilder:validation:XValidation:rule="!has(self.containerDefinitions) || self.containerDefinitions.all(c, !has(c.dependsOn) || c.dependsOn.all(d, d.containerName != c.name && d.containerName in self.containerDefinitions.map(e, e.name)))",message="containerDefinitions[].dependsOn: every containerName must name another container of this task definition"
// +kubebuilder:validation:XValidation:rule="!has(self.containerDefinitions) || self.containerDefinitions.all(c, !has(c.links) || c.links.all(l, l.split(':')[0] in self.containerDefinitions.map(e, e.name)))",message="containerDefinitions[].links: every link must name a container of this task definition (name or name:alias)"
// +kubebuilder:validation:XValidation:rule="!has(self.containerDefinitions) || self.containerDefinitions.all(c, !has(c.volumesFrom) || c.volumesFrom.all(v, !has(v.sourceContainer) || (v.sourceContainer != c.name && v.sourceContainer in self.containerDefinitions.map(e, e.name))))",message="containerDefinitions[].volumesFrom: every sourceContainer must name another container of this task definition"
// +kubebuilder:validation:XValidation:rule="!has(self.containerDefinitions) || self.containerDefinitions.all(c, !has(c.mountPoints) || c.mountPoints.all(m, !has(m.sourceVolume) || (has(self.volumes) && m.sourceVolume in self.volumes.filter(v, has(v.name)).map(v, v.name))))",message="containerDefinitions[].mountPoints: every sourceVolume must name a volume declared in volumes"
type TaskDefinitionSpec struct {
	// family is the ECS task definition family. Defaults to metadata.name.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Family *string `json:"family,omitempty"`

	// containerDefinitions describe the containers of the task (1 to 10).
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:XValidation:rule="self.all(c, self.exists_one(d, d.name == c.name))",message="containerDefinitions: container names must be unique"
	// +kubebuilder:validation:XValidation:rule="self.exists(c, !has(c.essential) || c.essential)",message="containerDefinitions: at least one container must be essential (essential defaults to true)"
	ContainerDefinitions []ContainerDefinition `json:"containerDefinitions"`

	// taskRoleArn is the IAM role the task's containers assume. It becomes
	// a ServiceAccount bound to the role (IRSA or EKS Pod Identity).
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	TaskRoleArn *string `json:"taskRoleArn,omitempty"`
	// executionRoleArn is the role ECS uses to pull images, fetch secrets
	// and write logs.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	ExecutionRoleArn *string `json:"executionRoleArn,omitempty"`

	// networkMode is awsvpc, bridge, host or none. "default" (Windows) and
	// the empty string are accepted and mean the Docker default network.
	// +optional
	// +kubebuilder:validation:Enum="";bridge;host;awsvpc;none;default
	NetworkMode *string `json:"networkMode,omitempty"`

	// volumes are the data volumes containers mount.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Volumes []Volume `json:"volumes,omitzero"`

	// placementConstraints for tasks of this task definition (memberOf only;
	// at most 10).
	// +optional
	// +kubebuilder:validation:MaxItems=10
	PlacementConstraints []PlacementConstraint `json:"placementConstraints,omitzero"`

	// requiresCompatibilities are the launch types the task is validated for.
	// +optional
	// +kubebuilder:validation:MaxItems=4
	// +kubebuilder:validation:items:Enum=EC2;FARGATE;EXTERNAL;MANAGED_INSTANCES
	RequiresCompatibilities []string `json:"requiresCompatibilities,omitzero"`

	// cpu is the task-level CPU: CPU units as a number or string ("1024"),
	// or vCPUs as a string ("1 vCPU", ".25 vcpu").
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="type(self) == int ? int(self) >= 0 : string(self).matches('^ *([0-9]+|[0-9]*[.]?[0-9]+ *(?i:vcpu)) *$')",message="cpu: must be CPU units (1024 or \"1024\") or vCPUs (\"1 vCPU\", \".25 vcpu\")"
	CPU *intstr.IntOrString `json:"cpu,omitempty"`
	// memory is the task-level memory: MiB as a number or string ("2048"),
	// or GB as a string ("2 GB", "2GB"; ECS GB are GiB).
	// +optional
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="type(self) == int ? int(self) >= 0 : string(self).matches('^ *([0-9]+|[0-9]*[.]?[0-9]+ *(?i:gb)) *$')",message="memory: must be MiB (2048 or \"2048\") or GB (\"2 GB\", \"2GB\", \".5 gb\")"
	Memory *intstr.IntOrString `json:"memory,omitempty"`

	// tags are the task definition's resource tags.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Tags []Tag `json:"tags,omitzero"`

	// pidMode is host or task.
	// +optional
	// +kubebuilder:validation:Enum="";host;task
	PidMode *string `json:"pidMode,omitempty"`
	// ipcMode is host, task or none.
	// +optional
	// +kubebuilder:validation:Enum="";host;task;none
	IpcMode *string `json:"ipcMode,omitempty"`

	// proxyConfiguration is the App Mesh proxy configuration.
	// +optional
	ProxyConfiguration *ProxyConfiguration `json:"proxyConfiguration,omitempty"`
	// inferenceAccelerators are Elastic Inference accelerators (retired).
	// +optional
	// +kubebuilder:validation:MaxItems=10
	InferenceAccelerators []InferenceAccelerator `json:"inferenceAccelerators,omitzero"`
	// ephemeralStorage is the task's ephemeral storage size.
	// +optional
	EphemeralStorage *EphemeralStorage `json:"ephemeralStorage,omitempty"`
	// runtimePlatform is the CPU architecture and operating system family.
	// +optional
	RuntimePlatform *RuntimePlatform `json:"runtimePlatform,omitempty"`
	// enableFaultInjection turns on the ECS fault-injection endpoints.
	// +optional
	EnableFaultInjection *bool `json:"enableFaultInjection,omitempty"`

	// taskDefinitionArn is read-only describe output; accepted and ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	TaskDefinitionArn *string `json:"taskDefinitionArn,omitempty"`
	// revision is read-only describe output; accepted and ignored (the
	// operator numbers revisions itself).
	// +optional
	Revision *int64 `json:"revision,omitempty"`
	// status is read-only describe output; accepted and ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Status *string `json:"status,omitempty"`
	// requiresAttributes is read-only describe output; accepted and ignored.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	RequiresAttributes []Attribute `json:"requiresAttributes,omitzero"`
	// compatibilities is read-only describe output; accepted and ignored.
	// +optional
	// +kubebuilder:validation:MaxItems=8
	Compatibilities []string `json:"compatibilities,omitzero"`
	// registeredAt is read-only describe output; accepted and ignored.
	// +optional
	RegisteredAt *apiextensionsv1.JSON `json:"registeredAt,omitempty"`
	// registeredBy is read-only describe output; accepted and ignored.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RegisteredBy *string `json:"registeredBy,omitempty"`
	// deregisteredAt is read-only describe output; accepted and ignored.
	// +optional
	DeregisteredAt *apiextensionsv1.JSON `json:"deregisteredAt,omitempty"`

	// kubernetes holds operator-only settings that have no ECS counterpart.
	// +optional
	Kubernetes *TaskDefinitionKubernetes `json:"kubernetes,omitempty"`
}

// TaskDefinitionKubernetes holds per-task-definition operator settings.
type TaskDefinitionKubernetes struct {
	// resolveImageDigests pins each image to its digest when a revision is
	// registered, as ECS does with versionConsistency enabled.
	// +optional
	ResolveImageDigests *bool `json:"resolveImageDigests,omitempty"`
	// wrapCompleteContainers makes containers that others depend on with
	// COMPLETE exit 0 whatever their real exit code, as ECS COMPLETE allows.
	// +optional
	WrapCompleteContainers *bool `json:"wrapCompleteContainers,omitempty"`
	// dnsServersKeepCluster keeps cluster DNS first when dnsServers is set,
	// so Kubernetes Services still resolve.
	// +optional
	DNSServersKeepCluster *bool `json:"dnsServersKeepCluster,omitempty"`
	// revisionHistoryLimit is how many revisions not used by any service are
	// retained (default 10).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	RevisionHistoryLimit *int32 `json:"revisionHistoryLimit,omitempty"`
}

// ContainerDefinition is an ECS container definition.
type ContainerDefinition struct {
	// name of the container; unique within the task definition.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`
	// image reference, copied verbatim.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Image string `json:"image"`
	// repositoryCredentials names the secret holding private registry
	// credentials.
	// +optional
	RepositoryCredentials *RepositoryCredentials `json:"repositoryCredentials,omitempty"`
	// cpu units reserved for the container (1024 units = 1 vCPU).
	// +optional
	// +kubebuilder:validation:Minimum=0
	CPU *int32 `json:"cpu,omitempty"`
	// memory is the hard limit in MiB.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Memory *int32 `json:"memory,omitempty"`
	// memoryReservation is the soft limit (reservation) in MiB.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MemoryReservation *int32 `json:"memoryReservation,omitempty"`
	// links to other containers, as name or name:alias (bridge mode).
	// +optional
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:MaxLength=512
	Links []string `json:"links,omitzero"`
	// portMappings expose container ports.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	PortMappings []PortMapping `json:"portMappings,omitzero"`
	// essential containers stop the task when they exit (default true).
	// +optional
	Essential *bool `json:"essential,omitempty"`
	// restartPolicy restarts the container in place when it exits.
	// +optional
	RestartPolicy *ContainerRestartPolicy `json:"restartPolicy,omitempty"`
	// entryPoint overrides the image ENTRYPOINT (Kubernetes command).
	// +optional
	// +kubebuilder:validation:MaxItems=256
	EntryPoint []string `json:"entryPoint,omitzero"`
	// command overrides the image CMD (Kubernetes args).
	// +optional
	// +kubebuilder:validation:MaxItems=256
	Command []string `json:"command,omitzero"`
	// environment variables, in order.
	// +optional
	// +kubebuilder:validation:MaxItems=1000
	Environment []KeyValuePair `json:"environment,omitzero"`
	// environmentFiles are S3 objects of environment variables.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	EnvironmentFiles []EnvironmentFile `json:"environmentFiles,omitzero"`
	// mountPoints mount task volumes into the container.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	MountPoints []MountPoint `json:"mountPoints,omitzero"`
	// volumesFrom mounts every volume of another container.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	VolumesFrom []VolumeFrom `json:"volumesFrom,omitzero"`
	// linuxParameters are Linux-specific settings.
	// +optional
	LinuxParameters *LinuxParameters `json:"linuxParameters,omitempty"`
	// secrets are environment variables taken from Secrets Manager or SSM
	// Parameter Store.
	// +optional
	// +kubebuilder:validation:MaxItems=1000
	Secrets []Secret `json:"secrets,omitzero"`
	// dependsOn orders container start-up.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	DependsOn []ContainerDependency `json:"dependsOn,omitzero"`
	// startTimeout is how long, in seconds, dependencies may take to reach
	// their condition.
	// +optional
	// +kubebuilder:validation:Minimum=0
	StartTimeout *int32 `json:"startTimeout,omitempty"`
	// stopTimeout is the grace period, in seconds, before the container is
	// killed.
	// +optional
	// +kubebuilder:validation:Minimum=0
	StopTimeout *int32 `json:"stopTimeout,omitempty"`
	// versionConsistency is enabled (pin the image digest) or disabled.
	// +optional
	// +kubebuilder:validation:Enum=enabled;disabled
	VersionConsistency *string `json:"versionConsistency,omitempty"`
	// hostname of the container.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Hostname *string `json:"hostname,omitempty"`
	// user is uid, uid:gid, user or user:group.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	User *string `json:"user,omitempty"`
	// workingDirectory of the command.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	WorkingDirectory *string `json:"workingDirectory,omitempty"`
	// disableNetworking turns networking off for the container.
	// +optional
	DisableNetworking *bool `json:"disableNetworking,omitempty"`
	// privileged gives the container root on the host.
	// +optional
	Privileged *bool `json:"privileged,omitempty"`
	// readonlyRootFilesystem mounts the root filesystem read-only.
	// +optional
	ReadonlyRootFilesystem *bool `json:"readonlyRootFilesystem,omitempty"`
	// dnsServers for the container.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	DNSServers []string `json:"dnsServers,omitzero"`
	// dnsSearchDomains for the container.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	DNSSearchDomains []string `json:"dnsSearchDomains,omitzero"`
	// extraHosts are /etc/hosts entries.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	ExtraHosts []HostEntry `json:"extraHosts,omitzero"`
	// dockerSecurityOptions are SELinux/AppArmor/no-new-privileges/
	// credentialspec options.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	DockerSecurityOptions []string `json:"dockerSecurityOptions,omitzero"`
	// interactive keeps stdin open.
	// +optional
	Interactive *bool `json:"interactive,omitempty"`
	// pseudoTerminal allocates a TTY.
	// +optional
	PseudoTerminal *bool `json:"pseudoTerminal,omitempty"`
	// dockerLabels are labels added to the container.
	// +optional
	DockerLabels map[string]string `json:"dockerLabels,omitzero"`
	// ulimits for the container.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	Ulimits []Ulimit `json:"ulimits,omitzero"`
	// logConfiguration selects the log driver and its options.
	// +optional
	LogConfiguration *LogConfiguration `json:"logConfiguration,omitempty"`
	// healthCheck is the container health check.
	// +optional
	HealthCheck *HealthCheck `json:"healthCheck,omitempty"`
	// systemControls are namespaced kernel parameters (sysctls).
	// +optional
	// +kubebuilder:validation:MaxItems=50
	SystemControls []SystemControl `json:"systemControls,omitzero"`
	// resourceRequirements request GPUs or inference accelerators.
	// +optional
	// +kubebuilder:validation:MaxItems=4
	ResourceRequirements []ResourceRequirement `json:"resourceRequirements,omitzero"`
	// firelensConfiguration makes this container the FireLens log router.
	// +optional
	FirelensConfiguration *FirelensConfiguration `json:"firelensConfiguration,omitempty"`
	// credentialSpecs are gMSA credential spec ARNs (Windows and domainless
	// Linux).
	// +optional
	// +kubebuilder:validation:MaxItems=1
	CredentialSpecs []string `json:"credentialSpecs,omitzero"`
}

// RepositoryCredentials point at a Secrets Manager secret with registry
// credentials.
type RepositoryCredentials struct {
	// credentialsParameter is the ARN of the secret.
	// +kubebuilder:validation:MaxLength=2048
	CredentialsParameter string `json:"credentialsParameter"`
}

// PortMapping is an ECS port mapping.
type PortMapping struct {
	// containerPort is the port the application listens on.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	ContainerPort *int32 `json:"containerPort,omitempty"`
	// hostPort is the host port (bridge/host mode; 0 means dynamic).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	HostPort *int32 `json:"hostPort,omitempty"`
	// protocol is tcp (default) or udp.
	// +optional
	// +kubebuilder:validation:Enum=tcp;udp
	Protocol *string `json:"protocol,omitempty"`
	// name of the port mapping, used by Service Connect.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	Name *string `json:"name,omitempty"`
	// appProtocol is http, http2 or grpc ("" is accepted as unset, as
	// ecspresso writes it).
	// +optional
	// +kubebuilder:validation:Enum="";http;http2;grpc
	AppProtocol *string `json:"appProtocol,omitempty"`
	// containerPortRange is a range of ports, "first-last".
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+-[0-9]+$`
	ContainerPortRange *string `json:"containerPortRange,omitempty"`
}

// ContainerRestartPolicy is the ECS container restart policy.
type ContainerRestartPolicy struct {
	// enabled turns the restart policy on.
	Enabled bool `json:"enabled"`
	// ignoredExitCodes do not cause a restart.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	IgnoredExitCodes []int32 `json:"ignoredExitCodes,omitzero"`
	// restartAttemptPeriod is how long, in seconds, a container must run
	// before a restart is attempted (60–1800).
	// +optional
	// +kubebuilder:validation:Minimum=60
	// +kubebuilder:validation:Maximum=1800
	RestartAttemptPeriod *int32 `json:"restartAttemptPeriod,omitempty"`
}

// EnvironmentFile is an S3 object holding environment variables.
type EnvironmentFile struct {
	// value is the S3 object ARN.
	// +kubebuilder:validation:MaxLength=2048
	Value string `json:"value"`
	// type is s3.
	// +kubebuilder:validation:Enum=s3
	Type string `json:"type"`
}

// MountPoint mounts a task volume into a container.
type MountPoint struct {
	// sourceVolume names a task volume.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	SourceVolume *string `json:"sourceVolume,omitempty"`
	// containerPath is where the volume is mounted.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	ContainerPath *string `json:"containerPath,omitempty"`
	// readOnly mounts the volume read-only.
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// VolumeFrom mounts the volumes of another container.
type VolumeFrom struct {
	// sourceContainer names the container whose volumes are mounted.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	SourceContainer *string `json:"sourceContainer,omitempty"`
	// readOnly mounts them read-only.
	// +optional
	ReadOnly *bool `json:"readOnly,omitempty"`
}

// LinuxParameters are Linux-specific container settings.
type LinuxParameters struct {
	// capabilities to add or drop.
	// +optional
	Capabilities *KernelCapabilities `json:"capabilities,omitempty"`
	// devices exposed from the host.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Devices []Device `json:"devices,omitzero"`
	// initProcessEnabled runs an init process that reaps zombies.
	// +optional
	InitProcessEnabled *bool `json:"initProcessEnabled,omitempty"`
	// sharedMemorySize is the size of /dev/shm in MiB.
	// +optional
	// +kubebuilder:validation:Minimum=0
	SharedMemorySize *int32 `json:"sharedMemorySize,omitempty"`
	// tmpfs mounts.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Tmpfs []Tmpfs `json:"tmpfs,omitzero"`
	// maxSwap is the swap the container may use, in MiB.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxSwap *int32 `json:"maxSwap,omitempty"`
	// swappiness is 0–100.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Swappiness *int32 `json:"swappiness,omitempty"`
}

// KernelCapabilities are Linux capabilities to add and drop.
type KernelCapabilities struct {
	// add these capabilities.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	Add []string `json:"add,omitzero"`
	// drop these capabilities.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	Drop []string `json:"drop,omitzero"`
}

// Device is a host device exposed to a container.
type Device struct {
	// hostPath of the device.
	// +kubebuilder:validation:MaxLength=4096
	HostPath string `json:"hostPath"`
	// containerPath of the device.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	ContainerPath *string `json:"containerPath,omitempty"`
	// permissions are read, write and mknod.
	// +optional
	// +kubebuilder:validation:MaxItems=3
	// +kubebuilder:validation:items:Enum=read;write;mknod
	Permissions []string `json:"permissions,omitzero"`
}

// Tmpfs is a tmpfs mount.
type Tmpfs struct {
	// containerPath of the mount.
	// +kubebuilder:validation:MaxLength=4096
	ContainerPath string `json:"containerPath"`
	// size in MiB.
	// +kubebuilder:validation:Minimum=0
	Size int32 `json:"size"`
	// mountOptions such as ro, noexec.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	MountOptions []string `json:"mountOptions,omitzero"`
}

// Secret is an environment variable taken from Secrets Manager or SSM.
type Secret struct {
	// name of the environment variable.
	// +kubebuilder:validation:MaxLength=1024
	Name string `json:"name"`
	// valueFrom is a Secrets Manager ARN (optionally with
	// :json-key:version-stage:version-id) or an SSM parameter ARN or name.
	// +kubebuilder:validation:MaxLength=2048
	ValueFrom string `json:"valueFrom"`
}

// ContainerDependency orders container start-up.
type ContainerDependency struct {
	// containerName is the container depended on.
	// +kubebuilder:validation:MaxLength=255
	ContainerName string `json:"containerName"`
	// condition is START, COMPLETE, SUCCESS or HEALTHY.
	// +kubebuilder:validation:Enum=START;COMPLETE;SUCCESS;HEALTHY
	Condition string `json:"condition"`
}

// HostEntry is an /etc/hosts entry.
type HostEntry struct {
	// hostname to resolve.
	// +kubebuilder:validation:MaxLength=255
	Hostname string `json:"hostname"`
	// ipAddress it resolves to.
	// +kubebuilder:validation:MaxLength=64
	IPAddress string `json:"ipAddress"`
}

// Ulimit is a resource limit.
type Ulimit struct {
	// name of the limit, e.g. nofile.
	// +kubebuilder:validation:MaxLength=64
	Name string `json:"name"`
	// softLimit value.
	SoftLimit int64 `json:"softLimit"`
	// hardLimit value.
	HardLimit int64 `json:"hardLimit"`
}

// LogConfiguration selects a log driver.
type LogConfiguration struct {
	// logDriver such as awslogs, awsfirelens, splunk, fluentd.
	// +kubebuilder:validation:MaxLength=64
	LogDriver string `json:"logDriver"`
	// options of the driver.
	// +optional
	Options map[string]string `json:"options,omitzero"`
	// secretOptions pass secrets to the driver.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	SecretOptions []Secret `json:"secretOptions,omitzero"`
}

// HealthCheck is a container health check. ECS defaults: interval 30,
// timeout 5, retries 3, startPeriod 0.
type HealthCheck struct {
	// command is ["CMD", exe, args...], ["CMD-SHELL", "shell command"] or
	// ["NONE"]. ECS registers other forms, which Docker then ignores; the
	// translation refuses them with a field-named error.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=256
	Command []string `json:"command"`
	// interval between checks in seconds (5–300).
	// +optional
	// +kubebuilder:validation:Minimum=5
	// +kubebuilder:validation:Maximum=300
	Interval *int32 `json:"interval,omitempty"`
	// timeout of one check in seconds (2–60).
	// +optional
	// +kubebuilder:validation:Minimum=2
	// +kubebuilder:validation:Maximum=60
	Timeout *int32 `json:"timeout,omitempty"`
	// retries before the container is unhealthy (1–10).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10
	Retries *int32 `json:"retries,omitempty"`
	// startPeriod is the grace period in seconds (0–300).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=300
	StartPeriod *int32 `json:"startPeriod,omitempty"`
}

// SystemControl is a namespaced kernel parameter.
type SystemControl struct {
	// namespace is the sysctl name, e.g. net.core.somaxconn.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Namespace *string `json:"namespace,omitempty"`
	// value of the sysctl.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Value *string `json:"value,omitempty"`
}

// ResourceRequirement requests GPUs or an inference accelerator.
type ResourceRequirement struct {
	// value is the number of GPUs, or the accelerator's deviceName.
	// +kubebuilder:validation:MaxLength=255
	Value string `json:"value"`
	// type is GPU or InferenceAccelerator.
	// +kubebuilder:validation:Enum=GPU;InferenceAccelerator
	Type string `json:"type"`
}

// FirelensConfiguration makes a container the FireLens log router.
type FirelensConfiguration struct {
	// type is fluentbit or fluentd.
	// +kubebuilder:validation:Enum=fluentbit;fluentd
	Type string `json:"type"`
	// options such as enable-ecs-log-metadata, config-file-type,
	// config-file-value.
	// +optional
	Options map[string]string `json:"options,omitzero"`
}

// Volume is a task data volume.
type Volume struct {
	// name of the volume, referenced by mountPoints.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Name *string `json:"name,omitempty"`
	// host is a bind mount (sourcePath) or an empty task-scoped volume.
	// +optional
	Host *HostVolumeProperties `json:"host,omitempty"`
	// dockerVolumeConfiguration is a Docker volume.
	// +optional
	DockerVolumeConfiguration *DockerVolumeConfiguration `json:"dockerVolumeConfiguration,omitempty"`
	// efsVolumeConfiguration is an Amazon EFS file system.
	// +optional
	EFSVolumeConfiguration *EFSVolumeConfiguration `json:"efsVolumeConfiguration,omitempty"`
	// fsxWindowsFileServerVolumeConfiguration is an FSx for Windows File
	// Server file system.
	// +optional
	FSxWindowsFileServerVolumeConfiguration *FSxWindowsFileServerVolumeConfiguration `json:"fsxWindowsFileServerVolumeConfiguration,omitempty"`
	// configuredAtLaunch means the service supplies the volume
	// (volumeConfigurations, managed EBS).
	// +optional
	ConfiguredAtLaunch *bool `json:"configuredAtLaunch,omitempty"`
}

// HostVolumeProperties is a bind mount from the host.
type HostVolumeProperties struct {
	// sourcePath on the host; empty means a task-scoped empty volume.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	SourcePath *string `json:"sourcePath,omitempty"`
}

// DockerVolumeConfiguration is a Docker volume.
type DockerVolumeConfiguration struct {
	// scope is task (removed with the task) or shared (outlives it).
	// +optional
	// +kubebuilder:validation:Enum=task;shared
	Scope *string `json:"scope,omitempty"`
	// autoprovision creates a shared volume when missing.
	// +optional
	Autoprovision *bool `json:"autoprovision,omitempty"`
	// driver is the volume driver, e.g. local or rexray/ebs.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Driver *string `json:"driver,omitempty"`
	// driverOpts are options for the driver.
	// +optional
	DriverOpts map[string]string `json:"driverOpts,omitzero"`
	// labels of the volume.
	// +optional
	Labels map[string]string `json:"labels,omitzero"`
}

// EFSVolumeConfiguration is an Amazon EFS volume.
type EFSVolumeConfiguration struct {
	// fileSystemId of the EFS file system.
	// +kubebuilder:validation:MaxLength=255
	FileSystemID string `json:"fileSystemId"`
	// rootDirectory inside the file system.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	RootDirectory *string `json:"rootDirectory,omitempty"`
	// transitEncryption is ENABLED or DISABLED.
	// +optional
	// +kubebuilder:validation:Enum=ENABLED;DISABLED
	TransitEncryption *string `json:"transitEncryption,omitempty"`
	// transitEncryptionPort for the EFS mount helper.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	TransitEncryptionPort *int32 `json:"transitEncryptionPort,omitempty"`
	// authorizationConfig selects an access point and IAM authorization.
	// +optional
	AuthorizationConfig *EFSAuthorizationConfig `json:"authorizationConfig,omitempty"`
}

// EFSAuthorizationConfig is EFS access point and IAM authorization.
type EFSAuthorizationConfig struct {
	// accessPointId of the EFS access point.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	AccessPointID *string `json:"accessPointId,omitempty"`
	// iam is ENABLED or DISABLED.
	// +optional
	// +kubebuilder:validation:Enum=ENABLED;DISABLED
	IAM *string `json:"iam,omitempty"`
}

// FSxWindowsFileServerVolumeConfiguration is an FSx for Windows volume.
type FSxWindowsFileServerVolumeConfiguration struct {
	// fileSystemId of the FSx file system.
	// +kubebuilder:validation:MaxLength=255
	FileSystemID string `json:"fileSystemId"`
	// rootDirectory inside the file system.
	// +kubebuilder:validation:MaxLength=4096
	RootDirectory string `json:"rootDirectory"`
	// authorizationConfig holds the credentials to mount it.
	AuthorizationConfig FSxWindowsFileServerAuthorizationConfig `json:"authorizationConfig"`
}

// FSxWindowsFileServerAuthorizationConfig holds FSx credentials.
type FSxWindowsFileServerAuthorizationConfig struct {
	// credentialsParameter is a Secrets Manager or SSM ARN.
	// +kubebuilder:validation:MaxLength=2048
	CredentialsParameter string `json:"credentialsParameter"`
	// domain of the file server.
	// +kubebuilder:validation:MaxLength=255
	Domain string `json:"domain"`
}

// ProxyConfiguration is the App Mesh proxy configuration.
type ProxyConfiguration struct {
	// type is APPMESH.
	// +optional
	// +kubebuilder:validation:Enum=APPMESH
	Type *string `json:"type,omitempty"`
	// containerName of the proxy.
	// +kubebuilder:validation:MaxLength=255
	ContainerName string `json:"containerName"`
	// properties of the proxy.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Properties []KeyValuePair `json:"properties,omitzero"`
}

// InferenceAccelerator is an Elastic Inference accelerator.
type InferenceAccelerator struct {
	// deviceName referenced by resourceRequirements.
	// +kubebuilder:validation:MaxLength=255
	DeviceName string `json:"deviceName"`
	// deviceType such as eia2.medium.
	// +kubebuilder:validation:MaxLength=255
	DeviceType string `json:"deviceType"`
}

// EphemeralStorage is the task's ephemeral storage.
type EphemeralStorage struct {
	// sizeInGiB (21–200 on Fargate).
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=200
	SizeInGiB int32 `json:"sizeInGiB"`
}

// RuntimePlatform is the task's CPU architecture and OS family.
type RuntimePlatform struct {
	// cpuArchitecture is X86_64 or ARM64.
	// +optional
	// +kubebuilder:validation:Enum=X86_64;ARM64
	CPUArchitecture *string `json:"cpuArchitecture,omitempty"`
	// operatingSystemFamily such as LINUX or WINDOWS_SERVER_2022_CORE.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	OperatingSystemFamily *string `json:"operatingSystemFamily,omitempty"`
}

// Attribute is an ECS attribute (read-only requiresAttributes output).
type Attribute struct {
	// name of the attribute.
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`
	// value of the attribute.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	Value *string `json:"value,omitempty"`
	// targetType of the attribute.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	TargetType *string `json:"targetType,omitempty"`
	// targetId of the attribute.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	TargetID *string `json:"targetId,omitempty"`
}

// TaskDefinitionRevision is one retained revision of a task definition.
type TaskDefinitionRevision struct {
	// revision number, from 1.
	Revision int64 `json:"revision"`
	// controllerRevision is the name of the immutable snapshot.
	ControllerRevision string `json:"controllerRevision"`
}

// TaskDefinitionStatus is the observed state of a TaskDefinition.
type TaskDefinitionStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// revision is the latest registered revision.
	// +optional
	Revision int64 `json:"revision,omitempty"`
	// taskDefinition is the latest revision as family:revision.
	// +optional
	TaskDefinition string `json:"taskDefinition,omitempty"`
	// revisions are the retained revisions, oldest first.
	// +optional
	// +listType=atomic
	Revisions []TaskDefinitionRevision `json:"revisions,omitempty"`
	// warnings list ECS fields that are approximated or not honoured.
	// +optional
	// +listType=atomic
	Warnings []TranslationWarning `json:"warnings,omitempty"`
	// conditions: Ready, Reconciling, Stalled (kstatus).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// TaskDefinition is an ECS task definition family. Every change of spec
// registers a new immutable revision that services can pin as family:N.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ecstd,categories=ecs
// +kubebuilder:printcolumn:name="Family",type=string,JSONPath=`.spec.family`
// +kubebuilder:printcolumn:name="Revision",type=integer,JSONPath=`.status.revision`
// +kubebuilder:printcolumn:name="Containers",type=string,JSONPath=`.spec.containerDefinitions[*].name`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type TaskDefinition struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec   TaskDefinitionSpec   `json:"spec"`
	Status TaskDefinitionStatus `json:"status,omitempty"`
}

// TaskDefinitionList is a list of TaskDefinitions.
//
// +kubebuilder:object:root=true
type TaskDefinitionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TaskDefinition `json:"items"`
}

func init() {
	SchemeBuilder.Register(&TaskDefinition{}, &TaskDefinitionList{})
}
