package v1alpha1

// Labels and annotations the operator puts on the objects it creates. Every
// operator-owned key uses the API group as prefix.
const (
	// LabelCluster carries the ECSCluster name on pods and children.
	LabelCluster = "ecs.operator.dev/cluster"
	// LabelService carries the ECS service name; it alone is the
	// Deployment/DaemonSet selector, so it never changes for a service.
	LabelService = "ecs.operator.dev/service"
	// LabelFamily carries the task definition family.
	LabelFamily = "ecs.operator.dev/family"
	// LabelRevision carries the task definition revision.
	LabelRevision = "ecs.operator.dev/revision"
	// LabelGroup carries the ECS task group (e.g. service.web; ':' becomes
	// '.'), used by task:group placement expressions.
	LabelGroup = "ecs.operator.dev/group"
	// LabelTaskDefinition marks ControllerRevisions with the TaskDefinition
	// object they snapshot.
	LabelTaskDefinition = "ecs.operator.dev/task-definition"

	// LabelAppName is app.kubernetes.io/name (the family).
	LabelAppName = "app.kubernetes.io/name"
	// LabelManagedBy is app.kubernetes.io/managed-by.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ManagedByValue is the value of LabelManagedBy.
	ManagedByValue = "ecs-operator"

	// AnnotationOriginalName keeps the ECS name of an object whose
	// Kubernetes name had to be sanitised.
	AnnotationOriginalName = "ecs.operator.dev/original-name"
	// AnnotationTags keeps all ECS tags as JSON.
	AnnotationTags = "ecs.operator.dev/tags"
	// AnnotationSourceRevision keeps the revision number of describe output.
	AnnotationSourceRevision = "ecs.operator.dev/source-revision"
	// AnnotationDockerLabelsPrefix + container name keeps dockerLabels as
	// JSON.
	AnnotationDockerLabelsPrefix = "ecs.operator.dev/docker-labels."
	// AnnotationLogPrefix + container name keeps the log driver and its
	// options as JSON.
	AnnotationLogPrefix = "ecs.operator.dev/log."
	// AnnotationAppProtocols keeps the ECS appProtocol of each Service port
	// as JSON.
	AnnotationAppProtocols = "ecs.operator.dev/app-protocols"
	// AnnotationCloudMapName overrides the Service name of a Cloud Map
	// registry.
	AnnotationCloudMapName = "ecs.operator.dev/cloudmap-name"

	// FieldManager is the server-side apply field manager of the operator.
	FieldManager = "ecs-operator"
)
