package v1alpha1

// KeyValuePair is the ECS name/value pair (environment, proxy properties).
type KeyValuePair struct {
	// name of the pair.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Name *string `json:"name,omitempty"`
	// value of the pair.
	// +optional
	// +kubebuilder:validation:MaxLength=32768
	Value *string `json:"value,omitempty"`
}

// Tag is an ECS resource tag. Tags reach Kubernetes objects as labels where
// key and value are valid label syntax, and always in the
// ecs.operator.dev/tags annotation.
type Tag struct {
	// key of the tag (1–128 characters in ECS).
	// +optional
	// +kubebuilder:validation:MaxLength=128
	Key *string `json:"key,omitempty"`
	// value of the tag (0–256 characters in ECS).
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Value *string `json:"value,omitempty"`
}

// PlacementConstraint is an ECS task placement constraint.
type PlacementConstraint struct {
	// type is memberOf (with an expression in the cluster query language) or
	// distinctInstance (services only).
	// +optional
	// +kubebuilder:validation:Enum=memberOf;distinctInstance
	Type *string `json:"type,omitempty"`
	// expression in the ECS cluster query language, for memberOf.
	// +optional
	// +kubebuilder:validation:MaxLength=2000
	Expression *string `json:"expression,omitempty"`
}

// Severity says how much a translation note matters.
// +kubebuilder:validation:Enum=Warning;Info
type Severity string

const (
	// SeverityWarning marks an ECS field that is approximated or not honoured.
	SeverityWarning Severity = "Warning"
	// SeverityInfo marks a note that changes nothing for the user, such as a
	// read-only describe field that was ignored.
	SeverityInfo Severity = "Info"
)

// TranslationWarning reports an ECS field that could not be honoured exactly.
// The same list appears in status, in Kubernetes Events and in CLI output.
type TranslationWarning struct {
	// field is the ECS field path, e.g. containerDefinitions[1].ulimits.
	// +kubebuilder:validation:MaxLength=512
	Field string `json:"field"`
	// reason says what the operator did instead and, where it can, what to do.
	// +kubebuilder:validation:MaxLength=2048
	Reason string `json:"reason"`
	// severity is Warning or Info.
	// +optional
	Severity Severity `json:"severity,omitempty"`
}

// Condition types used by all three kinds. They follow kstatus: Ready is
// always present once reconciled; Reconciling and Stalled are only present
// while true.
const (
	// ConditionReady is True when the object's children are in place and,
	// for services, the desired number of tasks is running.
	ConditionReady = "Ready"
	// ConditionReconciling is True while the operator is still converging.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when progress needs the user: invalid input,
	// a refused role, a failed rollout.
	ConditionStalled = "Stalled"
	// ConditionIntegrationsAvailable is False when an optional integration
	// (External Secrets, AWS Load Balancer Controller, ...) whose objects the
	// spec needs is not installed; everything else is still applied.
	ConditionIntegrationsAvailable = "IntegrationsAvailable"
)
