package translate

import (
	"reflect"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

const svcCPUPolicy = `{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"}}`

func TestServiceHPA(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":3,"autoScaling":{"minCapacity":2,"maxCapacity":10,"targetTrackingScalingPolicies":[
		{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"},"scaleOutCooldown":60,"scaleInCooldown":300},
		{"targetValue":80,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageMemoryUtilization"},"scaleInCooldown":120}]}}`))
	hpa := res.HorizontalPodAutoscaler
	if hpa == nil || res.ScaledObject != nil {
		t.Fatalf("want an HPA only")
	}
	if hpa.APIVersion != "autoscaling/v2" || hpa.Kind != "HorizontalPodAutoscaler" || hpa.Name != "web" || hpa.Namespace != "shop" {
		t.Errorf("hpa %s %s %s/%s", hpa.APIVersion, hpa.Kind, hpa.Namespace, hpa.Name)
	}
	if hpa.Spec.ScaleTargetRef != (autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}) {
		t.Errorf("scaleTargetRef = %+v", hpa.Spec.ScaleTargetRef)
	}
	if ptr.Deref(hpa.Spec.MinReplicas, 0) != 2 || hpa.Spec.MaxReplicas != 10 {
		t.Errorf("min/max = %v/%d", hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
	// Task reservation: pod-level 500m / 1Gi. 70% of 500m = 350m; 80% of
	// 1024Mi = 819Mi (rounded to whole MiB).
	want := []struct {
		name  corev1.ResourceName
		value string
	}{{corev1.ResourceCPU, "350m"}, {corev1.ResourceMemory, "819Mi"}}
	if len(hpa.Spec.Metrics) != 2 {
		t.Fatalf("metrics = %+v", hpa.Spec.Metrics)
	}
	for i, w := range want {
		m := hpa.Spec.Metrics[i]
		if m.Type != autoscalingv2.ResourceMetricSourceType || m.Resource.Name != w.name || m.Resource.Target.Type != autoscalingv2.AverageValueMetricType || m.Resource.Target.AverageValue.String() != w.value {
			t.Errorf("metric %d = %+v, want %s AverageValue %s", i, m.Resource, w.name, w.value)
		}
	}
	b := hpa.Spec.Behavior
	if b == nil || ptr.Deref(b.ScaleUp.StabilizationWindowSeconds, 0) != 60 || ptr.Deref(b.ScaleDown.StabilizationWindowSeconds, 0) != 300 || b.ScaleDown.SelectPolicy != nil {
		t.Errorf("behavior = %+v", b)
	}
	if res.Deployment.Spec.Replicas != nil {
		t.Errorf("replicas must be left to the HPA")
	}
	if !svcHasNote(res.Notes, "desiredCount", "owned by autoScaling") || !svcHasNote(res.Notes, "autoScaling.targetTrackingScalingPolicies[0].scaleOutCooldown", "stabilization") {
		t.Errorf("notes = %v", res.Notes)
	}
}

func TestServiceHPAReservationFromContainers(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"autoScaling":{"minCapacity":0,"maxCapacity":4,"targetTrackingScalingPolicies":[
		`+svcCPUPolicy+`,{"targetValue":50,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageMemoryUtilization"},"disableScaleIn":true}]}}`)
	spec := &in.Task.PodTemplate.Spec
	spec.Resources = nil
	// ECS reserves every container: an init container with cpu 128 and
	// a hard limit of 128 MiB (the request defaults to the limit).
	spec.InitContainers = []corev1.Container{{Name: "migrate", Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("125m")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
	}}}
	res := svcTranslate(t, in)
	hpa := res.HorizontalPodAutoscaler
	// cpu 250m + 125m = 375m → 70% = 262.5m → 263m; memory 256Mi + 128Mi → 50% = 192Mi.
	got := []string{hpa.Spec.Metrics[0].Resource.Target.AverageValue.String(), hpa.Spec.Metrics[1].Resource.Target.AverageValue.String()}
	if !reflect.DeepEqual(got, []string{"263m", "192Mi"}) {
		t.Errorf("targets = %v", got)
	}
	if ptr.Deref(hpa.Spec.MinReplicas, 0) != 1 || !svcHasNote(res.Warnings, "autoScaling.minCapacity", "0 becomes 1") {
		t.Errorf("minReplicas = %v, warnings %v", hpa.Spec.MinReplicas, res.Warnings)
	}
	if sp := hpa.Spec.Behavior.ScaleDown.SelectPolicy; sp == nil || *sp != autoscalingv2.DisabledPolicySelect {
		t.Errorf("scaleDown.selectPolicy = %v, want Disabled", sp)
	}
}

func TestServiceScalingWithoutUsablePolicy(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"autoScaling":{"minCapacity":3,"maxCapacity":5,
		"targetTrackingScalingPolicies":[`+svcCPUPolicy+`],"stepScalingPolicies":[{"policyName":"x"}],"scheduledActions":[{"schedule":"cron(0 8 * * ? *)"}]}}`)
	in.Task.PodTemplate.Spec.Resources = nil
	in.Task.PodTemplate.Spec.Containers[0].Resources = corev1.ResourceRequirements{}
	res := svcTranslate(t, in)
	if res.HorizontalPodAutoscaler != nil || res.ScaledObject != nil {
		t.Fatalf("no usable policy, yet a scaler was created")
	}
	if got := ptr.Deref(res.Deployment.Spec.Replicas, 0); got != 3 {
		t.Errorf("replicas = %d, want desiredCount raised to minCapacity 3", got)
	}
	for field, substr := range map[string]string{
		"autoScaling.targetTrackingScalingPolicies[0]": "reserves no cpu",
		"autoScaling":                        "replicas stay at 3",
		"autoScaling.stepScalingPolicies[0]": "step scaling not translated",
		"autoScaling.scheduledActions[0]":    "KEDA cron",
	} {
		if !svcHasNote(res.Warnings, field, substr) {
			t.Errorf("no warning on %s with %q: %v", field, substr, res.Warnings)
		}
	}
}

func TestServiceKEDARequestCount(t *testing.T) {
	in := svcInput(t, `{"desiredCount":2,
		"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/abc","containerName":"app","containerPort":80}],
		"autoScaling":{"minCapacity":0,"maxCapacity":20,"targetTrackingScalingPolicies":[`+svcCPUPolicy+`,
		{"targetValue":1000,"predefinedMetricSpecification":{"predefinedMetricType":"ALBRequestCountPerTarget","resourceLabel":"app/shop-alb/50dc6c495c0c9188/targetgroup/web/abc"},"scaleInCooldown":600},
		{"targetValue":12.5,"customizedMetricSpecification":{"metricName":"QueueDepth","namespace":"Shop","statistic":"Maximum","unit":"Count",
		  "dimensions":[{"name":"Queue","value":"orders"},{"name":"Env","value":"prod"}]}}]}}`)
	res := svcTranslate(t, in)
	so := res.ScaledObject
	if so == nil || res.HorizontalPodAutoscaler != nil {
		t.Fatalf("want a ScaledObject only (KEDA owns the HPA)")
	}
	if so.GetAPIVersion() != "keda.sh/v1alpha1" || so.GetKind() != "ScaledObject" || so.GetName() != "web" || so.GetNamespace() != "shop" {
		t.Errorf("scaled object %s %s %s/%s", so.GetAPIVersion(), so.GetKind(), so.GetNamespace(), so.GetName())
	}
	spec := svcSpecOf(t, so)
	if spec["minReplicaCount"] != int64(0) || spec["maxReplicaCount"] != int64(20) {
		t.Errorf("min/max = %v/%v", spec["minReplicaCount"], spec["maxReplicaCount"])
	}
	if !reflect.DeepEqual(spec["scaleTargetRef"], map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}) {
		t.Errorf("scaleTargetRef = %v", spec["scaleTargetRef"])
	}
	wantTriggers := []any{
		map[string]any{"type": "cpu", "metricType": "AverageValue", "metadata": map[string]any{"value": "350m"}},
		map[string]any{"type": "aws-cloudwatch", "metricType": "Value", "metadata": map[string]any{
			"namespace": "AWS/ApplicationELB", "metricName": "RequestCountPerTarget", "dimensionName": "TargetGroup", "dimensionValue": "targetgroup/web/abc",
			"metricStat": "Sum", "metricStatPeriod": "60", "targetMetricValue": "1000", "minMetricValue": "0", "awsRegion": "eu-west-1", "identityOwner": "operator"}},
		map[string]any{"type": "aws-cloudwatch", "metricType": "Value", "metadata": map[string]any{
			"namespace": "Shop", "metricName": "QueueDepth", "dimensionName": "Queue;Env", "dimensionValue": "orders;prod", "metricStat": "Maximum", "metricUnit": "Count",
			"metricStatPeriod": "60", "targetMetricValue": "12.5", "minMetricValue": "0", "awsRegion": "eu-west-1", "identityOwner": "operator"}},
	}
	if !reflect.DeepEqual(spec["triggers"], wantTriggers) {
		t.Errorf("triggers =\n%v\nwant\n%v", spec["triggers"], wantTriggers)
	}
	behavior := spec["advanced"].(map[string]any)["horizontalPodAutoscalerConfig"].(map[string]any)["behavior"].(map[string]any)
	if behavior["scaleDown"].(map[string]any)["stabilizationWindowSeconds"] != int64(600) {
		t.Errorf("behavior = %v", behavior)
	}
	for _, field := range []string{"autoScaling.targetTrackingScalingPolicies[1].predefinedMetricSpecification", "autoScaling.targetTrackingScalingPolicies[2].customizedMetricSpecification"} {
		if !svcHasNote(res.Warnings, field, "needs KEDA") {
			t.Errorf("no KEDA warning on %s: %v", field, res.Warnings)
		}
	}
	if res.Deployment.Spec.Replicas != nil {
		t.Errorf("replicas must be left to KEDA")
	}
}

func TestServiceKEDAErrors(t *testing.T) {
	tests := []struct {
		name, policy, field, message string
	}{
		{"bad resource label", `{"targetValue":10,"predefinedMetricSpecification":{"predefinedMetricType":"ALBRequestCountPerTarget","resourceLabel":"targetgroup/web/abc"}}`,
			"autoScaling.targetTrackingScalingPolicies[0].predefinedMetricSpecification.resourceLabel", "app/<load-balancer>"},
		{"no resource label", `{"targetValue":10,"predefinedMetricSpecification":{"predefinedMetricType":"ALBRequestCountPerTarget"}}`,
			"autoScaling.targetTrackingScalingPolicies[0].predefinedMetricSpecification.resourceLabel", "required"},
		{"no region", `{"targetValue":10,"customizedMetricSpecification":{"metricName":"m","namespace":"n"}}`,
			"autoScaling.targetTrackingScalingPolicies[0].customizedMetricSpecification", "spec.region"},
		{"no metric name", `{"targetValue":10,"customizedMetricSpecification":{"namespace":"n"}}`,
			"autoScaling.targetTrackingScalingPolicies[0].customizedMetricSpecification", "metricName and namespace"},
		{"zero target", `{"targetValue":0,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"}}`,
			"autoScaling.targetTrackingScalingPolicies[0].targetValue", "positive"},
		{"no metric", `{"targetValue":10}`, "autoScaling.targetTrackingScalingPolicies[0]", "set predefinedMetricSpecification or"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"autoScaling":{"minCapacity":1,"maxCapacity":3,"targetTrackingScalingPolicies":[`+tt.policy+`]}}`))
			if !svcHasError(errs, tt.field, tt.message) {
				t.Errorf("want %s: %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
	errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"autoScaling":{"minCapacity":4,"maxCapacity":3}}`))
	if !svcHasError(errs, "autoScaling.minCapacity", "between 0 and maxCapacity 3") {
		t.Errorf("errors = %v", errs)
	}
}

func TestServiceKEDAMetricMath(t *testing.T) {
	in := svcInput(t, `{"desiredCount":2,"autoScaling":{"minCapacity":1,"maxCapacity":3,"targetTrackingScalingPolicies":[
		{"targetValue":10,"customizedMetricSpecification":{"metrics":[{"id":"m1","expression":"a/b"}]}}]}}`)
	in.Cluster.Region = "us-east-1"
	res := svcTranslate(t, in)
	if res.ScaledObject != nil || res.HorizontalPodAutoscaler != nil {
		t.Errorf("metric math cannot be translated, yet a scaler exists")
	}
	if !svcHasNote(res.Warnings, "autoScaling.targetTrackingScalingPolicies[0].customizedMetricSpecification.metrics", "metric math") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}
