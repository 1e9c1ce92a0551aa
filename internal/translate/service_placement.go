package translate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/ecs-operator/ecs-operator/internal/placement"
)

// serviceZoneLabel is the node label of ecs.availability-zone unless the
// cluster maps the attribute elsewhere.
const serviceZoneLabel = "topology.kubernetes.io/zone"

var serviceSubnetID = regexp.MustCompile(`^subnet-[0-9A-Za-z]+$`)

// applyPlacement turns the task definition's and the service's placement
// (field-map §7, ANDed as in ECS) into scheduling constraints on the pod
// template, and the awsvpc subnets into a zone restriction.
func (t *serviceTranslation) applyPlacement() {
	in := placement.Input{
		Attributes:            t.cluster.Attributes,
		Inventory:             t.in.Nodes,
		KnownAttributeValues:  t.cluster.KnownAttributeValues,
		Selector:              t.podSelector(),
		BinpackSchedulerName:  t.cluster.BinpackSchedulerName,
		BinpackSchedulerNames: t.cluster.BinpackSchedulerNames,
		Daemon:                t.daemon,
		Fargate:               t.capacity.fargate,
	}
	for i, c := range t.task.PlacementConstraints {
		in.Constraints = append(in.Constraints, placement.Constraint{Field: fmt.Sprintf("taskDefinition.placementConstraints[%d]", i), TaskDefinition: true, PlacementConstraint: c})
	}
	for i, c := range t.spec.PlacementConstraints {
		in.Constraints = append(in.Constraints, placement.Constraint{Field: fmt.Sprintf("placementConstraints[%d]", i), PlacementConstraint: c})
	}
	for i, s := range t.spec.PlacementStrategy {
		in.Strategies = append(in.Strategies, placement.Strategy{Field: fmt.Sprintf("placementStrategy[%d]", i), PlacementStrategy: s})
	}
	res := placement.Translate(in, t.rep)
	pod := &t.pod.Spec
	if a := res.Affinity; a != nil {
		if pod.Affinity == nil {
			pod.Affinity = &corev1.Affinity{}
		}
		if a.NodeAffinity != nil {
			pod.Affinity.NodeAffinity = a.NodeAffinity
		}
		if a.PodAffinity != nil {
			pod.Affinity.PodAffinity = a.PodAffinity
		}
		if a.PodAntiAffinity != nil {
			pod.Affinity.PodAntiAffinity = a.PodAntiAffinity
		}
	}
	pod.TopologySpreadConstraints = append(pod.TopologySpreadConstraints, res.TopologySpreadConstraints...)
	if res.SchedulerName != "" {
		pod.SchedulerName = res.SchedulerName
	}
	t.applySubnets()
	t.checkZoneRebalancing()
}

// checkZoneRebalancing reports availabilityZoneRebalancing (ENABLED is the
// ECS default for new services): ECS moves running tasks to even out
// zones, Kubernetes only spreads pods when it schedules them.
func (t *serviceTranslation) checkZoneRebalancing() {
	const field = "availabilityZoneRebalancing"
	value := ptr.Deref(t.spec.AvailabilityZoneRebalancing, "")
	zoneKey := t.zoneLabel()
	zoneSpread := slices.ContainsFunc(t.pod.Spec.TopologySpreadConstraints, func(c corev1.TopologySpreadConstraint) bool { return c.TopologyKey == zoneKey })
	switch value {
	case "", "ENABLED":
		switch {
		case zoneSpread:
			t.rep.Warn(field, "Kubernetes does not move running pods to rebalance zones (use descheduler)")
		case value != "":
			t.rep.Info(field, "Kubernetes does not move running pods to rebalance zones; no zone spread is configured")
		}
	case "DISABLED":
		t.rep.Info(field, "Kubernetes never moves running pods between zones")
	default:
		t.rep.Fail(field, "%q is not ENABLED or DISABLED", value)
	}
}

// zoneLabel is the node label of ecs.availability-zone.
func (t *serviceTranslation) zoneLabel() string {
	if key, ok := placement.AttributeLabel(t.cluster.Attributes, "ecs.availability-zone"); ok {
		return key
	}
	return serviceZoneLabel
}

// applySubnets restricts pods to the zones of the service's subnets
// (field-map §6.1): a pod cannot choose its subnet (the VPC CNI assigns
// addresses per node), but it can be kept out of zones the service's
// subnets do not reach.
func (t *serviceTranslation) applySubnets() {
	vpc := t.awsvpc()
	if vpc == nil || len(vpc.Subnets) == 0 {
		return
	}
	const field = "networkConfiguration.awsvpcConfiguration.subnets"
	valid := true
	for _, s := range vpc.Subnets {
		if !serviceSubnetID.MatchString(s) {
			t.rep.Fail(field, "%q is not a subnet ID (subnet-…); render templates and placeholders first", s)
			valid = false
		}
	}
	if !valid {
		return
	}
	if t.capacity.fargate {
		t.rep.Warn(field, "on EKS Fargate pod subnets come from the Fargate profile; task subnets ignored")
		return
	}
	if len(t.cluster.SubnetZones) == 0 {
		t.rep.Warn(field, "task subnets not selectable per pod; ECSCluster spec.subnetZones does not map them to zones, so pods are not restricted")
		return
	}
	var zones, unmapped []string
	for _, s := range vpc.Subnets {
		zone, ok := t.cluster.SubnetZones[s]
		if !ok {
			unmapped = append(unmapped, s)
			continue
		}
		if !slices.Contains(zones, zone) {
			zones = append(zones, zone)
		}
	}
	if len(unmapped) > 0 {
		t.rep.Warn(field, "task subnets not selectable per pod; %s not in ECSCluster spec.subnetZones, so pods are not restricted to zones", strings.Join(unmapped, ", "))
		return
	}
	slices.Sort(zones)
	serviceRequireNodes(&t.pod.Spec, corev1.NodeSelectorRequirement{Key: t.zoneLabel(), Operator: corev1.NodeSelectorOpIn, Values: zones})
	t.rep.Warn(field, "task subnets not selectable per pod; restricted to their zones %s", strings.Join(zones, ", "))
}

// serviceRequireNodes ANDs a node requirement into the pod's required node
// affinity: node selector terms are ORed, so it goes into every term.
func serviceRequireNodes(pod *corev1.PodSpec, req corev1.NodeSelectorRequirement) {
	if pod.Affinity == nil {
		pod.Affinity = &corev1.Affinity{}
	}
	if pod.Affinity.NodeAffinity == nil {
		pod.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	na := pod.Affinity.NodeAffinity
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		na.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{}
	}
	sel := na.RequiredDuringSchedulingIgnoredDuringExecution
	if len(sel.NodeSelectorTerms) == 0 {
		sel.NodeSelectorTerms = []corev1.NodeSelectorTerm{{}}
	}
	for i := range sel.NodeSelectorTerms {
		term := &sel.NodeSelectorTerms[i]
		term.MatchExpressions = append(term.MatchExpressions, *req.DeepCopy())
	}
}
