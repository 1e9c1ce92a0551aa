package placement

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// strategies translates placementStrategy (field-map.md §7).
func (t *translator) strategies() ([]corev1.TopologySpreadConstraint, string) {
	strategies := t.in.Strategies
	if len(strategies) == 0 {
		if !t.in.Daemon {
			t.rep.Info("placementStrategy", "no strategy: ECS spreads tasks over Availability Zones by default, and the Kubernetes default topology spreading (zone and hostname, ScheduleAnyway) is close to it")
		}
		return nil, ""
	}
	if t.in.Daemon {
		t.rep.Fail(strategies[0].Field, "placement strategies are not allowed with schedulingStrategy DAEMON (ECS rejects them: a daemon runs one task on every instance)")
		return nil, ""
	}
	if len(strategies) > MaxStrategies {
		t.rep.Fail(strategies[MaxStrategies].Field, "ECS allows at most %d placement strategies; found %d", MaxStrategies, len(strategies))
		return nil, ""
	}
	if len(strategies) > 1 {
		t.rep.Info(strategies[1].Field, "ECS applies placement strategies in order, each breaking the ties of the one before; the Kubernetes scheduler scores them together")
	}
	var spread []corev1.TopologySpreadConstraint
	schedulerName, schedulerField := "", ""
	for _, s := range strategies {
		field := deref(s.PlacementStrategy.Field)
		switch kind := deref(s.Type); kind {
		case "random":
			// The default scheduler breaks score ties at random, which is
			// all ECS random placement promises.
			if field != "" {
				t.rep.Info(s.Field+".field", "random placement takes no field; %q is ignored", field)
			}
		case "spread":
			key, ok := t.spreadKey(s, field)
			if !ok {
				continue
			}
			if containsSpreadKey(spread, key) {
				t.rep.Info(s.Field, "spread on %s repeats an earlier strategy; added once", key)
				continue
			}
			selector, ok := t.selector(s.Field)
			if !ok {
				continue
			}
			// ECS spread is best effort: it never leaves a task unplaced
			// to keep the balance, hence ScheduleAnyway with skew 1.
			spread = append(spread, corev1.TopologySpreadConstraint{
				MaxSkew:           1,
				TopologyKey:       key,
				WhenUnsatisfiable: corev1.ScheduleAnyway,
				LabelSelector:     selector,
			})
		case "binpack":
			name, ok := t.binpackScheduler(s, field)
			if !ok || name == "" {
				continue
			}
			switch {
			case schedulerName == "":
				schedulerName, schedulerField = name, s.Field
			case name != schedulerName:
				t.rep.Warn(s.Field, "a pod has one scheduler: binpack(%s) would use %q, but %s already chose %q", field, name, schedulerField, schedulerName)
			}
		case "":
			t.rep.Fail(s.Field+".type", "type is required: random, spread or binpack")
		default:
			t.rep.Fail(s.Field+".type", "unknown placement strategy type %q: use random, spread or binpack", kind)
		}
	}
	return spread, schedulerName
}

// spreadKey gives the node label a spread strategy balances over.
func (t *translator) spreadKey(s Strategy, field string) (string, bool) {
	switch {
	case strings.EqualFold(field, "instanceId"), strings.EqualFold(field, "host"):
		return corev1.LabelHostname, true
	case strings.HasPrefix(field, "attribute:"):
		name := strings.TrimPrefix(field, "attribute:")
		key, err := attributeLabel(t.in.Attributes, name)
		if err != nil {
			if name == osFamilyAttribute {
				t.rep.Fail(s.Field+".field", "spread on ecs.os-family needs one node label; map it in ECSCluster.spec.attributes[ecs.os-family] (or spread on attribute:ecs.os-type)")
			} else {
				t.rep.Fail(s.Field+".field", "spread on %s: %v", field, err)
			}
			return "", false
		}
		return key, true
	case field == "":
		t.rep.Fail(s.Field+".field", "spread needs a field: instanceId, host or attribute:NAME")
	default:
		t.rep.Fail(s.Field+".field", "cannot spread on %q: use instanceId, host or attribute:NAME", field)
	}
	return "", false
}

// binpackScheduler gives the scheduler profile for binpack on field.
// ECS binpack fills the instance with the least remaining cpu or memory;
// Kubernetes does that with a NodeResourcesFit MostAllocated scoring
// profile, which only a second scheduler (or profile) can provide.
func (t *translator) binpackScheduler(s Strategy, field string) (string, bool) {
	resource := strings.ToLower(field)
	if resource != "cpu" && resource != "memory" {
		t.rep.Fail(s.Field+".field", "binpack needs field cpu or memory, not %q", field)
		return "", false
	}
	if names := t.in.BinpackSchedulerNames; names != nil {
		if resource == "cpu" && names.CPU != "" {
			return names.CPU, true
		}
		if resource == "memory" && names.Memory != "" {
			return names.Memory, true
		}
	}
	if t.in.BinpackSchedulerName != "" {
		return t.in.BinpackSchedulerName, true
	}
	t.rep.Warn(s.Field, "binpack needs a MostAllocated scheduler profile; default scheduler spreads (set ECSCluster.spec.binpackSchedulerName to a profile with NodeResourcesFit scoringStrategy MostAllocated)")
	return "", true
}

func containsSpreadKey(spread []corev1.TopologySpreadConstraint, key string) bool {
	for _, s := range spread {
		if s.TopologyKey == key {
			return true
		}
	}
	return false
}
