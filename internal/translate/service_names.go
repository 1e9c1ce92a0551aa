package translate

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
	"github.com/ecs-operator/ecs-operator/internal/placement"
)

// Names of every object a service translation produces, in one place
// (field-map §0 "Child names"). They depend only on the ECS service name,
// so a child keeps its name across task definition revisions and the
// controller can find and prune it.

// serviceObjectName is the name of the Deployment or DaemonSet, and of the
// HPA, ScaledObject, PodDisruptionBudget, SecurityGroupPolicy and Ingress
// that belong to it (rule 1).
func serviceObjectName(serviceName string) string { return names.Object(serviceName) }

// serviceLBServiceName is the Service in front of the task's port mappings
// that target groups and the ALB Ingress point at (rule 2: Service names
// are DNS-1035 labels).
func serviceLBServiceName(serviceName string) string { return names.Service(serviceName) }

// serviceNLBServiceName is the LoadBalancer Service of the NLB ingress
// extension. It is separate from the LB Service so that an internet-facing
// NLB exposes only the port the ingress names, never every task port.
func serviceNLBServiceName(serviceName string) string {
	return names.Suffixed(serviceLBServiceName(serviceName), "nlb")
}

// serviceTargetGroupBindingName is the binding of loadBalancers[index];
// the index is the ECS index, so a binding keeps its name when an earlier
// Classic entry is skipped.
func serviceTargetGroupBindingName(serviceName string, index int) string {
	return names.Suffixed(serviceObjectName(serviceName), strconv.Itoa(index))
}

// serviceDiscoveryName is the headless Service of a Cloud Map registry:
// the ECSService annotation ecs.operator.dev/cloudmap-name when set (the
// Cloud Map service name cannot be read offline from the registry ARN),
// else the service name.
func serviceDiscoveryName(serviceName string, annotations map[string]string) string {
	if override := strings.TrimSpace(annotations[ecsv1.AnnotationCloudMapName]); override != "" {
		return names.Service(override)
	}
	return names.Service(serviceName)
}

// serviceConnectServiceName is the Service clients reach a Service Connect
// endpoint by: the first label of its DNS name (rule 2).
func serviceConnectServiceName(dnsName string) string {
	first, _, _ := strings.Cut(dnsName, ".")
	return names.Service(first)
}

// serviceStorageClassName names the StorageClass of one managed EBS
// parameter set. Services with the same parameters share it, so the name
// hashes the parameters only (sorted key=value lines), never the service.
func serviceStorageClassName(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return "ecs-ebs-" + hex.EncodeToString(sum[:])[:10]
}

// serviceLabelValue is the value of ecs.operator.dev/service, the only
// selector label of a service's pods (rule 4).
func serviceLabelValue(serviceName string) string { return names.LabelValue(serviceName) }

// serviceGroupLabelValue is the ECS task group of a service's tasks,
// "service:<name>", as a label value (':' becomes '.').
func serviceGroupLabelValue(serviceName string) string {
	return placement.GroupLabelValue("service:" + serviceName)
}

// ServicePodSelector is the label selector of the pods of an ECS service:
// the Deployment/DaemonSet selector, and what the operator counts running
// and pending tasks by.
func ServicePodSelector(serviceName string) map[string]string {
	return map[string]string{ecsv1.LabelService: serviceLabelValue(serviceName)}
}

// serviceClusterLabelValue is the value of ecs.operator.dev/cluster.
func serviceClusterLabelValue(clusterName string) string { return names.LabelValue(clusterName) }
