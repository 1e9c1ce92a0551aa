package translate

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// AnnotationScalingPolicies lists, on the HPA or ScaledObject, the ECS
// policyName of each metric or trigger in order (JSON array; "" for an
// unnamed policy), so a metric can be traced back to its ECS policy.
const AnnotationScalingPolicies = "ecs.operator.dev/scaling-policies"

// Predefined target tracking metrics of ECS services.
const (
	metricCPU          = "ECSServiceAverageCPUUtilization"
	metricMemory       = "ECSServiceAverageMemoryUtilization"
	metricRequestCount = "ALBRequestCountPerTarget"
)

var (
	// serviceALBResourceLabel is the resourceLabel of
	// ALBRequestCountPerTarget: app/<lb>/<id>/targetgroup/<tg>/<id>.
	serviceALBResourceLabel = regexp.MustCompile(`^app/[^/\s]+/[^/\s]+/(targetgroup/[^/\s]+/[^/\s]+)$`)
	// serviceTargetGroupDimension is the TargetGroup dimension inside a
	// target group ARN.
	serviceTargetGroupDimension = regexp.MustCompile(`:(targetgroup/[^/\s]+/[^/\s]+)$`)
)

// serviceScaling collects the translated target tracking policies.
type serviceScaling struct {
	// metrics are the CPU/memory policies as HPA metrics, triggers every
	// translated policy as KEDA triggers.
	metrics  []autoscalingv2.MetricSpec
	triggers []any
	// metricPolicies and triggerPolicies are the policy names of metrics
	// and triggers.
	metricPolicies, triggerPolicies []string
	// needsKEDA is set by a policy only KEDA can serve.
	needsKEDA bool
	behavior  autoscalingv2.HorizontalPodAutoscalerBehavior
}

// buildScaling maps the autoScaling extension (Application Auto Scaling,
// field-map §6.7) to an HPA, or to a KEDA ScaledObject when a policy needs
// CloudWatch metrics. Only one of them is created: KEDA drives its own
// HPA, and two HPAs on one Deployment fight over the replica count.
func (t *serviceTranslation) buildScaling() {
	as := t.spec.AutoScaling
	if as == nil || t.daemon {
		return
	}
	const base = "autoScaling"
	if as.MaxCapacity < 1 {
		t.rep.Fail(t.rep.Field(base, ".maxCapacity"), "must be at least 1")
	}
	if as.MinCapacity < 0 || as.MinCapacity > as.MaxCapacity {
		t.rep.Fail(t.rep.Field(base, ".minCapacity"), "must be between 0 and maxCapacity %d", as.MaxCapacity)
	}
	for i := range as.StepScalingPolicies {
		t.rep.Warn(fmt.Sprintf("%s.stepScalingPolicies[%d]", base, i), "step scaling not translated; use a target tracking policy")
	}
	for i := range as.ScheduledActions {
		t.rep.Warn(fmt.Sprintf("%s.scheduledActions[%d]", base, i), "scheduled scaling not translated (a KEDA cron trigger can schedule replicas)")
	}
	var sc serviceScaling
	for i := range as.TargetTrackingScalingPolicies {
		t.targetTrackingPolicy(&sc, fmt.Sprintf("%s.targetTrackingScalingPolicies[%d]", base, i), &as.TargetTrackingScalingPolicies[i])
	}
	if t.rep.Failed() {
		return
	}
	if len(sc.triggers) == 0 {
		// Nothing drives the replica count; keep desiredCount inside the
		// capacity range, as registering a scalable target does.
		t.desired = min(max(t.desired, as.MinCapacity), as.MaxCapacity)
		t.rep.Warn(base, "no target tracking policy translated; replicas stay at %d", t.desired)
		return
	}
	t.autoscaled = true
	if t.spec.DesiredCount != nil {
		t.rep.Info("desiredCount", "the replica count is owned by autoScaling, so desiredCount is not applied")
	}
	if sc.needsKEDA {
		t.result.ScaledObject = t.scaledObject(as, &sc)
		return
	}
	minReplicas := as.MinCapacity
	if minReplicas == 0 {
		minReplicas = 1
		t.rep.Warn(t.rep.Field(base, ".minCapacity"), "0 becomes 1: the HPA cannot scale to zero (HPAScaleToZero is alpha)")
	}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: t.childMeta(serviceObjectName(t.name)),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: serviceObjectName(t.name)},
			MinReplicas:    ptr.To(minReplicas),
			MaxReplicas:    as.MaxCapacity,
			Metrics:        sc.metrics,
		},
	}
	if sc.behavior.ScaleUp != nil || sc.behavior.ScaleDown != nil {
		hpa.Spec.Behavior = &sc.behavior
	}
	serviceAnnotatePolicies(&hpa.ObjectMeta, sc.metricPolicies)
	t.result.HorizontalPodAutoscaler = hpa
}

// targetTrackingPolicy translates one target tracking policy into sc.
func (t *serviceTranslation) targetTrackingPolicy(sc *serviceScaling, field string, p *ecsv1.TargetTrackingScalingPolicy) {
	if p.TargetValue <= 0 || math.IsInf(p.TargetValue, 0) || math.IsNaN(p.TargetValue) {
		t.rep.Fail(t.rep.Field(field, ".targetValue"), "must be a positive number")
		return
	}
	t.policyBehavior(sc, field, p)
	metrics, triggers := len(sc.metrics), len(sc.triggers)
	defer func() {
		name := ptr.Deref(p.PolicyName, "")
		if len(sc.metrics) > metrics {
			sc.metricPolicies = append(sc.metricPolicies, name)
		}
		if len(sc.triggers) > triggers {
			sc.triggerPolicies = append(sc.triggerPolicies, name)
		}
	}()
	switch {
	case p.PredefinedMetricSpecification != nil && p.CustomizedMetricSpecification != nil:
		t.rep.Fail(field, "set exactly one of predefinedMetricSpecification and customizedMetricSpecification")
	case p.PredefinedMetricSpecification != nil:
		switch typ := p.PredefinedMetricSpecification.PredefinedMetricType; typ {
		case metricCPU:
			t.resourcePolicy(sc, field, corev1.ResourceCPU, p.TargetValue)
		case metricMemory:
			t.resourcePolicy(sc, field, corev1.ResourceMemory, p.TargetValue)
		case metricRequestCount:
			t.requestCountPolicy(sc, field+".predefinedMetricSpecification", p)
		default:
			t.rep.Fail(t.rep.Field(field, ".predefinedMetricSpecification.predefinedMetricType"), "%q is not %s, %s or %s", typ, metricCPU, metricMemory, metricRequestCount)
		}
	case p.CustomizedMetricSpecification != nil:
		t.customMetricPolicy(sc, field+".customizedMetricSpecification", p)
	default:
		t.rep.Fail(field, "set predefinedMetricSpecification or customizedMetricSpecification")
	}
}

// policyBehavior maps cooldowns and disableScaleIn. One HPA has one
// behavior, so the longest cooldown of any policy wins; ECS scales in only
// when every policy agrees, so one policy without scale-in stops it.
func (t *serviceTranslation) policyBehavior(sc *serviceScaling, field string, p *ecsv1.TargetTrackingScalingPolicy) {
	b := &sc.behavior
	if p.ScaleOutCooldown != nil {
		if b.ScaleUp == nil {
			b.ScaleUp = &autoscalingv2.HPAScalingRules{}
		}
		b.ScaleUp.StabilizationWindowSeconds = ptr.To(max(ptr.Deref(b.ScaleUp.StabilizationWindowSeconds, 0), *p.ScaleOutCooldown))
		t.rep.Info(t.rep.Field(field, ".scaleOutCooldown"), "becomes the scale-up stabilization window (a look-back window, not a cooldown)")
	}
	if p.ScaleInCooldown != nil {
		if b.ScaleDown == nil {
			b.ScaleDown = &autoscalingv2.HPAScalingRules{}
		}
		b.ScaleDown.StabilizationWindowSeconds = ptr.To(max(ptr.Deref(b.ScaleDown.StabilizationWindowSeconds, 0), *p.ScaleInCooldown))
		t.rep.Info(t.rep.Field(field, ".scaleInCooldown"), "becomes the scale-down stabilization window (a look-back window, not a cooldown)")
	}
	if ptr.Deref(p.DisableScaleIn, false) {
		if b.ScaleDown == nil {
			b.ScaleDown = &autoscalingv2.HPAScalingRules{}
		}
		b.ScaleDown.SelectPolicy = ptr.To(autoscalingv2.DisabledPolicySelect)
	}
}

// resourcePolicy maps ECSServiceAverageCPU/MemoryUtilization. ECS measures
// utilization against the task's reservation (task cpu/memory, else the
// sum of the containers'); an HPA Utilization target measures against
// container requests, which differ under pod-level resources, so the
// target is an AverageValue of targetValue% × the reservation
// (field-map §11.3).
func (t *serviceTranslation) resourcePolicy(sc *serviceScaling, field string, name corev1.ResourceName, targetPercent float64) {
	reservation, ok := serviceTaskReservation(&t.pod.Spec, name)
	if !ok {
		t.rep.Warn(field, "the task definition reserves no %s (task or container level); the utilization policy cannot be translated", name)
		return
	}
	var target resource.Quantity
	if name == corev1.ResourceCPU {
		target = *resource.NewMilliQuantity(int64(math.Round(float64(reservation.MilliValue())*targetPercent/100)), resource.DecimalSI)
	} else {
		mib := int64(math.Round(float64(reservation.Value()) / (1 << 20) * targetPercent / 100))
		target = *resource.NewQuantity(mib<<20, resource.BinarySI)
	}
	sc.metrics = append(sc.metrics, autoscalingv2.MetricSpec{
		Type: autoscalingv2.ResourceMetricSourceType,
		Resource: &autoscalingv2.ResourceMetricSource{
			Name:   name,
			Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: &target},
		},
	})
	sc.triggers = append(sc.triggers, map[string]any{
		"type":       string(name),
		"metricType": string(autoscalingv2.AverageValueMetricType),
		"metadata":   map[string]any{"value": target.String()},
	})
}

// serviceTaskReservation is what ECS reserves for a task: the pod-level
// request (task cpu/memory), else the sum over all containers of their
// request, or their limit where the request defaults to it.
func serviceTaskReservation(pod *corev1.PodSpec, name corev1.ResourceName) (resource.Quantity, bool) {
	if pod.Resources != nil {
		if q, ok := pod.Resources.Requests[name]; ok && !q.IsZero() {
			return q, true
		}
	}
	var total resource.Quantity
	for _, list := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for _, c := range list {
			if q, ok := c.Resources.Requests[name]; ok {
				total.Add(q)
			} else if q, ok := c.Resources.Limits[name]; ok {
				total.Add(q)
			}
		}
	}
	return total, !total.IsZero()
}

// requestCountPolicy maps ALBRequestCountPerTarget to a KEDA aws-cloudwatch
// trigger on RequestCountPerTarget of the target group. The metric is
// already per target, so the trigger's metricType is Value: the HPA then
// computes replicas × metric / target, which is how target tracking
// scales.
func (t *serviceTranslation) requestCountPolicy(sc *serviceScaling, field string, p *ecsv1.TargetTrackingScalingPolicy) {
	label := ptr.Deref(p.PredefinedMetricSpecification.ResourceLabel, "")
	var targetGroup string
	if m := serviceALBResourceLabel.FindStringSubmatch(label); m != nil {
		targetGroup = m[1]
	} else if label != "" {
		t.rep.Fail(t.rep.Field(field, ".resourceLabel"), "%q is not app/<load-balancer>/<id>/targetgroup/<target-group>/<id>", label)
		return
	} else if arns := t.targetGroupARNs(); len(arns) == 1 {
		targetGroup = serviceTargetGroupDimension.FindStringSubmatch(arns[0])[1]
	} else {
		t.rep.Fail(t.rep.Field(field, ".resourceLabel"), "required: app/<load-balancer>/<id>/targetgroup/<target-group>/<id>")
		return
	}
	region, ok := t.metricRegion(field)
	if !ok {
		return
	}
	t.rep.Warn(field, "ALB request-count scaling needs KEDA")
	sc.needsKEDA = true
	sc.triggers = append(sc.triggers, serviceCloudWatchTrigger(region, p.TargetValue, map[string]any{
		"namespace":      "AWS/ApplicationELB",
		"metricName":     "RequestCountPerTarget",
		"dimensionName":  "TargetGroup",
		"dimensionValue": targetGroup,
		"metricStat":     "Sum",
	}))
}

// customMetricPolicy maps a customized CloudWatch metric to a KEDA
// aws-cloudwatch trigger. Target tracking assumes the metric falls as
// tasks are added, the HPA Value semantics.
func (t *serviceTranslation) customMetricPolicy(sc *serviceScaling, field string, p *ecsv1.TargetTrackingScalingPolicy) {
	spec := p.CustomizedMetricSpecification
	if len(spec.Metrics) > 0 {
		t.rep.Warn(t.rep.Field(field, ".metrics"), "metric math queries not translated; use a single metric")
		return
	}
	metricName, namespace := ptr.Deref(spec.MetricName, ""), ptr.Deref(spec.Namespace, "")
	if metricName == "" || namespace == "" {
		t.rep.Fail(field, "metricName and namespace are required")
		return
	}
	region, ok := t.metricRegion(field)
	if !ok {
		return
	}
	metadata := map[string]any{
		"namespace":  namespace,
		"metricName": metricName,
		"metricStat": ptr.Deref(spec.Statistic, "Average"),
	}
	if len(spec.Dimensions) > 0 {
		dimNames := make([]string, len(spec.Dimensions))
		dimValues := make([]string, len(spec.Dimensions))
		for i, d := range spec.Dimensions {
			dimNames[i], dimValues[i] = d.Name, d.Value
		}
		metadata["dimensionName"] = strings.Join(dimNames, ";")
		metadata["dimensionValue"] = strings.Join(dimValues, ";")
	}
	if unit := ptr.Deref(spec.Unit, ""); unit != "" {
		metadata["metricUnit"] = unit
	}
	t.rep.Warn(field, "custom metric scaling needs KEDA (aws-cloudwatch scaler)")
	sc.needsKEDA = true
	sc.triggers = append(sc.triggers, serviceCloudWatchTrigger(region, p.TargetValue, metadata))
}

// serviceCloudWatchTrigger completes an aws-cloudwatch trigger. KEDA reads
// CloudWatch with its operator's identity (identityOwner operator), so no
// TriggerAuthentication is needed when KEDA has an IAM role; one-minute
// periods match target tracking alarms.
func serviceCloudWatchTrigger(region string, target float64, metadata map[string]any) map[string]any {
	metadata["targetMetricValue"] = strconv.FormatFloat(target, 'f', -1, 64)
	metadata["minMetricValue"] = "0"
	metadata["metricStatPeriod"] = "60"
	metadata["awsRegion"] = region
	metadata["identityOwner"] = "operator"
	return map[string]any{"type": "aws-cloudwatch", "metricType": string(autoscalingv2.ValueMetricType), "metadata": metadata}
}

// metricRegion is the AWS region of CloudWatch metrics: the cluster's, else
// the region of the service's target groups.
func (t *serviceTranslation) metricRegion(field string) (string, bool) {
	if t.cluster.Region != "" {
		return t.cluster.Region, true
	}
	for _, arn := range t.targetGroupARNs() {
		if parts := strings.Split(arn, ":"); len(parts) > 3 && parts[3] != "" {
			return parts[3], true
		}
	}
	t.rep.Fail(field, "the AWS region of the metric is unknown; set ECSCluster spec.region")
	return "", false
}

// targetGroupARNs are the well-formed target group ARNs of loadBalancers.
func (t *serviceTranslation) targetGroupARNs() []string {
	var arns []string
	for _, lb := range t.spec.LoadBalancers {
		if arn := ptr.Deref(lb.TargetGroupArn, ""); serviceTargetGroupARN.MatchString(arn) {
			arns = append(arns, arn)
		}
	}
	return arns
}

// scaledObject builds the KEDA ScaledObject holding every policy.
func (t *serviceTranslation) scaledObject(as *ecsv1.AutoScaling, sc *serviceScaling) *unstructured.Unstructured {
	spec := map[string]any{
		"scaleTargetRef":  map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": serviceObjectName(t.name)},
		"minReplicaCount": int64(as.MinCapacity),
		"maxReplicaCount": int64(as.MaxCapacity),
		"triggers":        sc.triggers,
	}
	if sc.behavior.ScaleUp != nil || sc.behavior.ScaleDown != nil {
		behavior, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(&sc.behavior) // a typed struct always converts
		spec["advanced"] = map[string]any{"horizontalPodAutoscalerConfig": map[string]any{"behavior": behavior}}
	}
	if len(sc.metrics) > 0 {
		t.rep.Info("autoScaling", "the CPU/memory policies are KEDA triggers too: KEDA owns the service's HPA")
	}
	t.rep.Info("autoScaling", "KEDA reads CloudWatch with its operator's IAM identity (identityOwner: operator); grant it cloudwatch:GetMetricData")
	so := t.newUnstructured("keda.sh/v1alpha1", "ScaledObject", serviceObjectName(t.name), spec)
	var meta metav1.ObjectMeta
	meta.Annotations = so.GetAnnotations()
	serviceAnnotatePolicies(&meta, sc.triggerPolicies)
	so.SetAnnotations(meta.Annotations)
	return so
}

// serviceAnnotatePolicies records the policy names when any is set.
func serviceAnnotatePolicies(meta *metav1.ObjectMeta, policies []string) {
	if !slices.ContainsFunc(policies, func(name string) bool { return name != "" }) {
		return
	}
	encoded, _ := json.Marshal(policies) // a list of strings always encodes
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	meta.Annotations[AnnotationScalingPolicies] = string(encoded)
}
