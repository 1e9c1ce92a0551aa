package translate

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Built-in capacity provider names (launch types and the Fargate
// providers every ECS cluster has).
const (
	capacityEC2              = "EC2"
	capacityFargate          = "FARGATE"
	capacityFargateSpot      = "FARGATE_SPOT"
	capacityExternal         = "EXTERNAL"
	capacityManagedInstances = "MANAGED_INSTANCES"
)

// serviceCapacity is the capacity provider a service's pods run on.
type serviceCapacity struct {
	// field is the ECS field that chose the provider (for messages).
	field string
	// name is the provider name.
	name string
	// profile says how pods land there.
	profile ecsv1.CapacityProvider
	// fargate is an EKS Fargate profile: no node placement, no daemons.
	fargate bool
}

// resolveCapacity applies the capacity selection order of field-map §6.2:
// launchType → capacityProviderStrategy → the cluster's
// defaultCapacityProviderStrategy → the task definition's
// requiresCompatibilities (§1: FARGATE-only task definitions default to
// FARGATE) → EC2.
func (t *serviceTranslation) resolveCapacity() {
	s := t.spec
	launchType := ptr.Deref(s.LaunchType, "")
	switch {
	case launchType != "" && len(s.CapacityProviderStrategy) > 0:
		t.rep.Fail("launchType", "launchType %s and capacityProviderStrategy are mutually exclusive (as in ECS); set one of them", launchType)
		return
	case launchType != "":
		switch launchType {
		case capacityEC2, capacityFargate, capacityExternal, capacityManagedInstances:
		default:
			t.rep.Fail("launchType", "%q is not EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES", launchType)
			return
		}
		t.useCapacityProvider("launchType", launchType)
	case len(s.CapacityProviderStrategy) > 0:
		if name, ok := t.pickCapacityProvider("capacityProviderStrategy", s.CapacityProviderStrategy, ""); ok {
			t.useCapacityProvider("capacityProviderStrategy", name)
		}
	case len(t.cluster.DefaultCapacityProviderStrategy) > 0:
		if name, ok := t.pickCapacityProvider("capacityProviderStrategy", t.cluster.DefaultCapacityProviderStrategy, "the cluster's defaultCapacityProviderStrategy: "); ok {
			t.useCapacityProvider("capacityProviderStrategy", name)
		}
	default:
		t.useCapacityProvider("launchType", t.defaultLaunchType())
	}
	if t.capacity.fargate && t.daemon {
		t.rep.Fail(t.capacity.field, "schedulingStrategy DAEMON is not supported on Fargate (ECS rejects it; EKS Fargate runs no DaemonSets)")
	}
}

// defaultLaunchType is the launch type ECS falls back to when the service
// and the cluster name none: EC2, unless the task definition can only run
// elsewhere (a FARGATE-only task definition is clearly meant for Fargate).
func (t *serviceTranslation) defaultLaunchType() string {
	compat := t.task.RequiresCompatibilities
	if len(compat) == 0 || slices.Contains(compat, capacityEC2) {
		return capacityEC2
	}
	return compat[0]
}

// pickCapacityProvider chooses the one provider all pods use: the provider
// with a base, else the highest weight (the first on ties). Kubernetes has
// no weighted split across node pools for one Deployment, so a split is
// reported.
func (t *serviceTranslation) pickCapacityProvider(field string, items []ecsv1.CapacityProviderStrategyItem, source string) (string, bool) {
	chosen, bestWeight := -1, int32(math.MinInt32)
	var carrying []string
	for i, item := range items {
		itemField := fmt.Sprintf("%s[%d].capacityProvider", field, i)
		if source != "" {
			itemField = field
		}
		if item.CapacityProvider == "" {
			t.rep.Fail(itemField, "%srequired: name a capacity provider of the cluster", source)
			return "", false
		}
		base, weight := ptr.Deref(item.Base, 0), ptr.Deref(item.Weight, 0)
		if base > 0 {
			if chosen >= 0 && ptr.Deref(items[chosen].Base, 0) > 0 {
				t.rep.Fail(field, "%sonly one capacity provider may have a base (as in ECS)", source)
				return "", false
			}
			chosen, bestWeight = i, int32(1<<30)
		} else if weight > bestWeight {
			chosen, bestWeight = i, weight
		}
		if base > 0 || weight > 0 {
			desc := item.CapacityProvider
			if base > 0 {
				desc += fmt.Sprintf(" base %d", base)
			}
			desc += fmt.Sprintf(" weight %d", weight)
			carrying = append(carrying, desc)
		}
	}
	name := items[chosen].CapacityProvider
	if len(carrying) > 1 {
		t.rep.Warn(field, "%scapacity provider split %s not reproduced; all pods use %s", source, strings.Join(carrying, ", "), name)
	}
	return name, true
}

// useCapacityProvider looks the provider up in the cluster, falling back
// to the built-in meaning of EC2 (any node) and FARGATE (EKS Fargate).
func (t *serviceTranslation) useCapacityProvider(field, name string) {
	t.capacity = serviceCapacity{field: field, name: name}
	if p, ok := t.clusterCapacityProvider(name); ok {
		t.capacity.profile, t.capacity.fargate = p, p.Fargate
		return
	}
	switch name {
	case capacityEC2:
		t.capacity.profile = ecsv1.CapacityProvider{Name: capacityEC2}
	case capacityFargate:
		t.capacity.profile, t.capacity.fargate = ecsv1.CapacityProvider{Name: capacityFargate, Fargate: true}, true
	case capacityFargateSpot:
		t.rep.Warn(field, "EKS Fargate has no Spot; FARGATE used")
		t.useCapacityProvider(field, capacityFargate)
		t.capacity.name = capacityFargateSpot
	default:
		// ECS would refuse a provider the cluster does not have. Here the
		// cluster policy may simply not describe it yet (kubectl-ecs renders
		// without one), so pods run unconstrained and the gap is reported.
		t.rep.Warn(field, "capacity provider %s is not defined in the ECSCluster's spec.capacityProviders; pods may run on any node", name)
		t.capacity.profile = ecsv1.CapacityProvider{Name: name}
	}
}

func (t *serviceTranslation) clusterCapacityProvider(name string) (ecsv1.CapacityProvider, bool) {
	for _, p := range t.cluster.CapacityProviders {
		if p.Name == name {
			return p, true
		}
	}
	return ecsv1.CapacityProvider{}, false
}

// applyCapacity puts the provider's pod labels, node selector and
// tolerations on the pod template. EKS Fargate ignores node placement, so
// a Fargate provider contributes pod labels only (its profile selects pods
// by namespace and labels), and the task must be one Fargate can run.
func (t *serviceTranslation) applyCapacity() {
	p := &t.pod
	c := t.capacity
	for k, v := range c.profile.PodLabels {
		if p.Labels == nil {
			p.Labels = map[string]string{}
		}
		p.Labels[k] = v
	}
	if c.fargate {
		t.checkFargateTask()
		if len(c.profile.PodLabels) == 0 {
			t.rep.Info(c.field, "pods run on EKS Fargate only where a Fargate profile selects namespace %q", t.in.Namespace)
		}
		return
	}
	// Sorted, so that conflicts are reported in a stable order.
	for _, k := range slices.Sorted(maps.Keys(c.profile.NodeSelector)) {
		v := c.profile.NodeSelector[k]
		if p.Spec.NodeSelector == nil {
			p.Spec.NodeSelector = map[string]string{}
		}
		if old, ok := p.Spec.NodeSelector[k]; ok && old != v {
			t.rep.Fail(c.field, "capacity provider %s needs node label %s=%s but the task definition needs %s=%s; no node can satisfy both", c.name, k, v, k, old)
			continue
		}
		p.Spec.NodeSelector[k] = v
	}
	for _, tol := range c.profile.Tolerations {
		if !slices.ContainsFunc(p.Spec.Tolerations, func(have corev1.Toleration) bool { return equality.Semantic.DeepEqual(have, tol) }) {
			p.Spec.Tolerations = append(p.Spec.Tolerations, tol)
		}
	}
}

// checkFargateTask rejects what neither ECS nor EKS Fargate runs: other
// network modes than awsvpc, privileged containers and GPUs.
func (t *serviceTranslation) checkFargateTask() {
	field := t.capacity.field
	if t.networkMode != networkModeAwsvpc {
		t.rep.Fail(field, "Fargate requires networkMode awsvpc; the task definition uses %s", t.networkMode)
	}
	for i, c := range t.task.ContainerDefinitions {
		if c.Privileged != nil && *c.Privileged {
			t.rep.Fail(field, "Fargate does not run privileged containers (containerDefinitions[%d] %s)", i, c.Name)
		}
		for _, r := range c.ResourceRequirements {
			if r.Type == "GPU" {
				t.rep.Fail(field, "Fargate has no GPUs (containerDefinitions[%d] %s)", i, c.Name)
			}
		}
	}
}
