package placement

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// defaultAttributeLabels are the node labels Kubernetes itself sets for
// the ECS built-in attributes (field-map.md §5).
var defaultAttributeLabels = map[string]string{
	"ecs.availability-zone": corev1.LabelTopologyZone,
	"ecs.instance-type":     corev1.LabelInstanceTypeStable,
	"ecs.os-type":           corev1.LabelOSStable,
	"ecs.cpu-architecture":  corev1.LabelArchStable,
}

// customAttributePrefix is the label prefix of custom attributes that
// ECSCluster.spec.attributes does not map.
const customAttributePrefix = "ecs.operator.dev/"

// osFamilyAttribute has no single node label: by default it becomes a
// condition on kubernetes.io/os and node.kubernetes.io/windows-build (see
// osFamilyFormula).
const osFamilyAttribute = "ecs.os-family"

// AttributeLabel gives the node label key that carries an ECS container
// instance attribute: the key configured in attrs
// (ECSCluster.spec.attributes), else the Kubernetes well-known label for
// ecs.availability-zone, ecs.instance-type, ecs.os-type and
// ecs.cpu-architecture, else ecs.operator.dev/NAME for a custom attribute
// whose name makes a valid label key. Other built-in ecs.* attributes
// (ecs.ami-id, ecs.vpc-id, ...) and ecs.os-family have no single default
// label; ok is false for them and for invalid configured keys.
func AttributeLabel(attrs map[string]string, ecsAttribute string) (labelKey string, ok bool) {
	key, err := attributeLabel(attrs, ecsAttribute)
	return key, err == nil
}

func attributeLabel(attrs map[string]string, name string) (string, error) {
	if key, configured := attrs[name]; configured && key != "" {
		if errs := validation.IsQualifiedName(key); len(errs) > 0 {
			return "", fmt.Errorf("ECSCluster.spec.attributes[%s] is %q, which is not a valid label key: %s", name, key, strings.Join(errs, "; "))
		}
		return key, nil
	}
	if key, builtIn := defaultAttributeLabels[name]; builtIn {
		return key, nil
	}
	if strings.HasPrefix(name, "ecs.") {
		// Built-in attributes such as ecs.ami-id or ecs.subnet-id describe
		// EC2 facts that nodes do not carry as labels unless the cluster
		// admin adds them; guessing a key would leave tasks Pending with no
		// hint why.
		return "", fmt.Errorf("attribute %s has no default node label; map it to the node label that carries it in ECSCluster.spec.attributes[%s]", name, name)
	}
	key := customAttributePrefix + name
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return "", fmt.Errorf("custom attribute %q does not make a valid label key %q (%s); map it in ECSCluster.spec.attributes[%s]", name, key, strings.Join(errs, "; "), name)
	}
	return key, nil
}

// fieldLabel gives the label for a subject that is not an attribute
// (ec2InstanceId): only a configured mapping counts, since Kubernetes has
// no label for it.
func fieldLabel(attrs map[string]string, subject string) (string, error) {
	if key := attrs[subject]; key != "" {
		return attributeLabel(attrs, subject)
	}
	return "", fmt.Errorf("%s has no node label; map it in ECSCluster.spec.attributes[%s] to a label that carries the EC2 instance ID", subject, subject)
}

// labelValue maps an ECS attribute value to the value the node label key
// holds for it. ok is false when no node can carry it: the value is not a
// valid label value, or (for kubernetes.io/arch) it is the Kubernetes name
// of an architecture that ECS spells differently.
func labelValue(key, ecsValue string) (string, bool) {
	value := ecsValue
	if key == corev1.LabelArchStable {
		// ECS reports x86_64 where Kubernetes says amd64; arm64 is the
		// same in both. An ECS instance never reports amd64, so that
		// value matches nothing in ECS and must match nothing here.
		switch ecsValue {
		case "x86_64":
			value = "amd64"
		case "amd64":
			return "", false
		}
	}
	return value, len(validation.IsValidLabelValue(value)) == 0
}

// ecsValue is the inverse of labelValue: the ECS value a node label value
// stands for.
func ecsValue(key, value string) (string, bool) {
	if key == corev1.LabelArchStable {
		switch value {
		case "amd64":
			return "x86_64", true
		case "x86_64":
			return "", false
		}
	}
	return value, true
}

// unmappableReason explains why labelValue refused a value.
func unmappableReason(key, ecsValue string) string {
	if key == corev1.LabelArchStable && ecsValue == "amd64" {
		return "ECS names this architecture x86_64, so no ECS instance has the value amd64"
	}
	return "it is not a valid Kubernetes label value, so no node label can hold it"
}

// GroupLabelValue is the value of the ecs.operator.dev/group pod label
// for an ECS task group: ':' becomes '.', then label-value sanitising
// (service:web → service.web). task:group constraints select pods by it,
// so the pod template must use the same function.
func GroupLabelValue(group string) string {
	return names.LabelValue(strings.ReplaceAll(group, ":", "."))
}

// groupLabel is the pod label task:group expressions select on.
const groupLabel = ecsv1.LabelGroup

// osFamilies are the values ECS reports for ecs.os-family (the
// runtimePlatform.operatingSystemFamily enum); =~ expands against them.
var osFamilies = []string{
	"LINUX",
	"WINDOWS_SERVER_2004_CORE",
	"WINDOWS_SERVER_2016_FULL",
	"WINDOWS_SERVER_2019_CORE",
	"WINDOWS_SERVER_2019_FULL",
	"WINDOWS_SERVER_2022_CORE",
	"WINDOWS_SERVER_2022_FULL",
	"WINDOWS_SERVER_2025_CORE",
	"WINDOWS_SERVER_2025_FULL",
	"WINDOWS_SERVER_20H2_CORE",
}

// windowsBuilds give node.kubernetes.io/windows-build (which the kubelet
// sets to major.minor.build) for each Windows Server release.
var windowsBuilds = map[string]string{
	"2004": "10.0.19041",
	"2016": "10.0.14393",
	"2019": "10.0.17763",
	"2022": "10.0.20348",
	"2025": "10.0.26100",
	"20H2": "10.0.19042",
}

var windowsFamily = regexp.MustCompile(`^WINDOWS_SERVER_([0-9A-Z]+)_(FULL|CORE)$`)
