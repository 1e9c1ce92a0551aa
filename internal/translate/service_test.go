package translate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

func TestServiceDeployment(t *testing.T) {
	in := svcInput(t, `{"taskDefinition":"web","desiredCount":2}`)
	res := svcTranslate(t, in)
	d := res.Deployment
	if d == nil || res.DaemonSet != nil {
		t.Fatalf("want a Deployment only, got %+v", res)
	}
	if d.APIVersion != "apps/v1" || d.Kind != "Deployment" || d.Name != "web" || d.Namespace != "shop" {
		t.Errorf("TypeMeta/ObjectMeta = %v %v %s/%s", d.APIVersion, d.Kind, d.Namespace, d.Name)
	}
	if len(d.OwnerReferences) != 0 {
		t.Errorf("owner references are the controller's: %v", d.OwnerReferences)
	}
	wantLabels := map[string]string{ecsv1.LabelManagedBy: ecsv1.ManagedByValue, ecsv1.LabelService: "web", ecsv1.LabelCluster: "prod"}
	if !reflect.DeepEqual(d.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", d.Labels, wantLabels)
	}
	if want := (&metav1.LabelSelector{MatchLabels: map[string]string{ecsv1.LabelService: "web"}}); !equality.Semantic.DeepEqual(d.Spec.Selector, want) {
		t.Errorf("selector = %v, want %v", d.Spec.Selector, want)
	}
	if got := ptr.Deref(d.Spec.Replicas, -1); got != 2 {
		t.Errorf("replicas = %d, want 2", got)
	}
	if got := ptr.Deref(d.Spec.ProgressDeadlineSeconds, 0); got != 600 {
		t.Errorf("progressDeadlineSeconds = %d, want 600", got)
	}
	if got := ptr.Deref(d.Spec.RevisionHistoryLimit, 0); got != 10 {
		t.Errorf("revisionHistoryLimit = %d, want 10", got)
	}
	podLabels := d.Spec.Template.Labels
	for k, v := range map[string]string{
		ecsv1.LabelService: "web", ecsv1.LabelGroup: "service.web", ecsv1.LabelCluster: "prod",
		ecsv1.LabelFamily: "web", ecsv1.LabelRevision: "3", ecsv1.LabelAppName: "web",
	} {
		if podLabels[k] != v {
			t.Errorf("pod label %s = %q, want %q", k, podLabels[k], v)
		}
	}
	// Defaults 200/100 with 2 tasks: floor(2×2)−2 = 2 extra, none down.
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru.MaxSurge.String() != "2" || ru.MaxUnavailable.String() != "0" {
		t.Errorf("strategy = %v %v/%v, want RollingUpdate 2/0", d.Spec.Strategy.Type, ru.MaxSurge, ru.MaxUnavailable)
	}
}

func TestServiceNamesAreSanitised(t *testing.T) {
	in := svcInput(t, `{"serviceName":"My_Web.Service","taskDefinition":"web","desiredCount":1}`)
	res := svcTranslate(t, in)
	d := res.Deployment
	if d.Name != "my-web-service" {
		t.Errorf("name = %q, want my-web-service", d.Name)
	}
	if d.Annotations[ecsv1.AnnotationOriginalName] != "My_Web.Service" {
		t.Errorf("original-name annotation = %q", d.Annotations[ecsv1.AnnotationOriginalName])
	}
	if got := d.Spec.Selector.MatchLabels[ecsv1.LabelService]; got != "My_Web.Service" {
		t.Errorf("selector label = %q, want the label value My_Web.Service", got)
	}
	if got := d.Spec.Template.Labels[ecsv1.LabelGroup]; got != "service.My_Web.Service" {
		t.Errorf("group label = %q", got)
	}
}

func TestServiceRollingUpdate(t *testing.T) {
	tests := []struct {
		desired, maxPercent, minPercent int32
		surge, unavailable              string
		stallWarning                    bool
	}{
		{4, 150, 50, "2", "2", false},    // field-map example A
		{4, 200, 100, "4", "0", false},   // ECS defaults
		{3, 200, 50, "3", "1", false},    // min rounds up: ceil(1.5) = 2 stay
		{3, 150, 100, "1", "0", false},   // max rounds down: floor(4.5) = 4
		{5, 100, 0, "0", "5", false},     // stop everything first
		{4, 50, 25, "0", "3", false},     // max below 100: no surge
		{1, 150, 100, "1", "0", true},    // floor(1.5) − 1 = 0 and 1 − 1 = 0: stalls in ECS
		{0, 100, 100, "1", "0", false},   // nothing runs, nothing stalls
		{10, 120, 90, "2", "1", false},   // 12 − 10, 10 − 9
		{7, 133, 67, "2", "2", false},    // floor(9.31) − 7, 7 − ceil(4.69)
		{2, 100, 50, "0", "1", false},    // replace in place
		{3, 100, 100, "1", "0", true},    // both zero
		{6, 1000, 100, "54", "0", false}, // large surge
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("d%d_%d_%d", tt.desired, tt.maxPercent, tt.minPercent), func(t *testing.T) {
			in := svcInput(t, fmt.Sprintf(`{"taskDefinition":"web","desiredCount":%d,"deploymentConfiguration":{"maximumPercent":%d,"minimumHealthyPercent":%d}}`, tt.desired, tt.maxPercent, tt.minPercent))
			res := svcTranslate(t, in)
			ru := res.Deployment.Spec.Strategy.RollingUpdate
			if ru.MaxSurge.String() != tt.surge || ru.MaxUnavailable.String() != tt.unavailable {
				t.Errorf("maxSurge/maxUnavailable = %s/%s, want %s/%s", ru.MaxSurge.String(), ru.MaxUnavailable.String(), tt.surge, tt.unavailable)
			}
			if ru.MaxSurge.Type != intstr.Int || ru.MaxUnavailable.Type != intstr.Int {
				t.Errorf("with the replica count known both must be integers: %#v %#v", ru.MaxSurge, ru.MaxUnavailable)
			}
			if got := svcHasNote(res.Warnings, "deploymentConfiguration", "stall"); got != tt.stallWarning {
				t.Errorf("stall warning = %v, want %v (%v)", got, tt.stallWarning, res.Warnings)
			}
		})
	}
}

func TestServiceRollingUpdateWithAutoScaling(t *testing.T) {
	tests := []struct {
		maxPercent, minPercent int32
		surge, unavailable     string
		stallWarning           bool
	}{
		{200, 100, "100%", "0", false},
		{150, 50, "50%", "50%", false},
		{100, 0, "0", "100%", false},
		{100, 100, "1", "0", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d_%d", tt.maxPercent, tt.minPercent), func(t *testing.T) {
			in := svcInput(t, fmt.Sprintf(`{"taskDefinition":"web","desiredCount":3,
				"deploymentConfiguration":{"maximumPercent":%d,"minimumHealthyPercent":%d},
				"autoScaling":{"minCapacity":2,"maxCapacity":10,"targetTrackingScalingPolicies":[{"targetValue":70,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageCPUUtilization"}}]}}`, tt.maxPercent, tt.minPercent))
			res := svcTranslate(t, in)
			d := res.Deployment
			if d.Spec.Replicas != nil {
				t.Errorf("replicas = %d, want unset (the HPA owns it)", *d.Spec.Replicas)
			}
			ru := d.Spec.Strategy.RollingUpdate
			if ru.MaxSurge.String() != tt.surge || ru.MaxUnavailable.String() != tt.unavailable {
				t.Errorf("maxSurge/maxUnavailable = %s/%s, want %s/%s", ru.MaxSurge.String(), ru.MaxUnavailable.String(), tt.surge, tt.unavailable)
			}
			if got := svcHasNote(res.Warnings, "deploymentConfiguration", "stall"); got != tt.stallWarning {
				t.Errorf("stall warning = %v, want %v", got, tt.stallWarning)
			}
		})
	}
}

func TestServiceDaemonSet(t *testing.T) {
	tests := []struct {
		name, deployment   string
		surge, unavailable string
		stallWarning       bool
	}{
		{"defaults", ``, "0", "100%", false},
		{"surge", `,"deploymentConfiguration":{"maximumPercent":200,"minimumHealthyPercent":50}`, "100%", "50%", false},
		{"both zero", `,"deploymentConfiguration":{"maximumPercent":100,"minimumHealthyPercent":100}`, "0", "1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, `{"taskDefinition":"web","schedulingStrategy":"DAEMON","desiredCount":3`+tt.deployment+`}`)
			res := svcTranslate(t, in)
			ds := res.DaemonSet
			if ds == nil || res.Deployment != nil {
				t.Fatalf("want a DaemonSet only")
			}
			if ds.Kind != "DaemonSet" || ds.APIVersion != "apps/v1" || ds.Name != "web" {
				t.Errorf("DaemonSet %s %s %s", ds.APIVersion, ds.Kind, ds.Name)
			}
			ru := ds.Spec.UpdateStrategy.RollingUpdate
			if ru.MaxSurge.String() != tt.surge || ru.MaxUnavailable.String() != tt.unavailable {
				t.Errorf("maxSurge/maxUnavailable = %s/%s, want %s/%s", ru.MaxSurge.String(), ru.MaxUnavailable.String(), tt.surge, tt.unavailable)
			}
			if got := svcHasNote(res.Warnings, "deploymentConfiguration", "stall"); got != tt.stallWarning {
				t.Errorf("stall warning = %v, want %v", got, tt.stallWarning)
			}
			if !svcHasNote(res.Notes, "desiredCount", "DAEMON") {
				t.Errorf("desiredCount of a DAEMON service must be noted: %v", res.Notes)
			}
			if res.PodDisruptionBudget != nil {
				t.Errorf("a DaemonSet gets no PodDisruptionBudget")
			}
			if got := ds.Spec.Template.Labels[ecsv1.LabelService]; got != "web" {
				t.Errorf("pod service label = %q", got)
			}
		})
	}
}

func TestServiceDesiredCountDefault(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"taskDefinition":"web"}`))
	if got := ptr.Deref(res.Deployment.Spec.Replicas, -1); got != 1 {
		t.Errorf("replicas = %d, want 1", got)
	}
	if !svcHasNote(res.Warnings, "desiredCount", "CloudFormation") {
		t.Errorf("want the desiredCount warning, got %v", res.Warnings)
	}
}

func TestServiceProgressDeadline(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"taskDefinition":"web","desiredCount":1,"kubernetes":{"progressDeadlineSeconds":120},
		"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true}}}`))
	if got := ptr.Deref(res.Deployment.Spec.ProgressDeadlineSeconds, 0); got != 120 {
		t.Errorf("progressDeadlineSeconds = %d, want 120", got)
	}
	if !svcHasNote(res.Warnings, "deploymentConfiguration.deploymentCircuitBreaker.enable", "circuit breaker emulated by the operator (clamp(0.5×desired,3,200) failed starts or 120 s without progress)") {
		t.Errorf("circuit breaker warning missing: %v", res.Warnings)
	}
	if !svcHasNote(res.Notes, "deploymentConfiguration.deploymentCircuitBreaker.rollback", "COMPLETED") {
		t.Errorf("rollback note missing: %v", res.Notes)
	}
}

func TestCircuitBreakerFailureThreshold(t *testing.T) {
	for desired, want := range map[int32]int32{0: 3, 1: 3, 5: 3, 6: 3, 7: 4, 10: 5, 399: 200, 400: 200, 1000: 200} {
		if got := CircuitBreakerFailureThreshold(desired); got != want {
			t.Errorf("CircuitBreakerFailureThreshold(%d) = %d, want %d", desired, got, want)
		}
	}
}

func TestServiceDisruptionBudget(t *testing.T) {
	tests := []struct {
		name, spec   string
		minAvailable string // "" when unset
		maxUnavail   string
		none         bool
	}{
		{"half of four", `{"desiredCount":4,"deploymentConfiguration":{"maximumPercent":150,"minimumHealthyPercent":50}}`, "2", "", false},
		{"rounds up", `{"desiredCount":3,"deploymentConfiguration":{"minimumHealthyPercent":50}}`, "2", "", false},
		{"all kept, surge possible", `{"desiredCount":4}`, "", "1", false},
		{"all kept, no surge", `{"desiredCount":4,"deploymentConfiguration":{"maximumPercent":100,"minimumHealthyPercent":100}}`, "4", "", false},
		{"min zero", `{"desiredCount":4,"deploymentConfiguration":{"minimumHealthyPercent":0}}`, "", "", true},
		{"no tasks", `{"desiredCount":0}`, "", "", true},
		{"autoscaled", `{"desiredCount":4,"deploymentConfiguration":{"minimumHealthyPercent":75},
			"autoScaling":{"minCapacity":2,"maxCapacity":8,"targetTrackingScalingPolicies":[{"targetValue":50,"predefinedMetricSpecification":{"predefinedMetricType":"ECSServiceAverageMemoryUtilization"}}]}}`, "75%", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := svcTranslate(t, svcInput(t, tt.spec))
			pdb := res.PodDisruptionBudget
			if tt.none {
				if pdb != nil {
					t.Fatalf("want no PodDisruptionBudget, got %+v", pdb.Spec)
				}
				return
			}
			if pdb == nil {
				t.Fatal("want a PodDisruptionBudget")
			}
			if pdb.Kind != "PodDisruptionBudget" || pdb.APIVersion != "policy/v1" || pdb.Name != "web" || pdb.Namespace != "shop" {
				t.Errorf("metadata %s %s %s/%s", pdb.APIVersion, pdb.Kind, pdb.Namespace, pdb.Name)
			}
			got := func(v *intstr.IntOrString) string {
				if v == nil {
					return ""
				}
				return v.String()
			}
			if got(pdb.Spec.MinAvailable) != tt.minAvailable || got(pdb.Spec.MaxUnavailable) != tt.maxUnavail {
				t.Errorf("minAvailable/maxUnavailable = %q/%q, want %q/%q", got(pdb.Spec.MinAvailable), got(pdb.Spec.MaxUnavailable), tt.minAvailable, tt.maxUnavail)
			}
			if ptr.Deref(pdb.Spec.UnhealthyPodEvictionPolicy, "") != policyv1.AlwaysAllow {
				t.Errorf("unhealthyPodEvictionPolicy = %v", pdb.Spec.UnhealthyPodEvictionPolicy)
			}
			if pdb.Spec.Selector.MatchLabels[ecsv1.LabelService] != "web" {
				t.Errorf("selector = %v", pdb.Spec.Selector)
			}
		})
	}
}

func TestServiceErrors(t *testing.T) {
	tests := []struct {
		name, spec, field, message string
	}{
		{"launch type and strategy", `{"launchType":"EC2","capacityProviderStrategy":[{"capacityProvider":"FARGATE","weight":1}]}`, "launchType", "mutually exclusive"},
		{"unknown launch type", `{"launchType":"LAMBDA"}`, "launchType", "not EC2"},
		{"daemon on fargate", `{"schedulingStrategy":"DAEMON","launchType":"FARGATE"}`, "launchType", "DAEMON is not supported on Fargate"},
		{"daemon with volumes", `{"schedulingStrategy":"DAEMON","volumeConfigurations":[{"name":"data"}]}`, "volumeConfigurations", "DAEMON"},
		{"daemon with strategy", `{"schedulingStrategy":"DAEMON","placementStrategy":[{"type":"spread","field":"instanceId"}]}`, "placementStrategy[0]", "DAEMON"},
		{"daemon with autoscaling", `{"schedulingStrategy":"DAEMON","autoScaling":{"minCapacity":1,"maxCapacity":2}}`, "autoScaling", "DAEMON"},
		{"external controller", `{"deploymentController":{"type":"EXTERNAL"}}`, "deploymentController.type", "task sets"},
		{"min above default max", `{"schedulingStrategy":"DAEMON","deploymentConfiguration":{"minimumHealthyPercent":100,"maximumPercent":50}}`, "deploymentConfiguration.minimumHealthyPercent", "exceeds maximumPercent 50"},
		{"unknown scheduling", `{"schedulingStrategy":"BATCH"}`, "schedulingStrategy", "REPLICA or DAEMON"},
		{"negative desired", `{"desiredCount":-1}`, "desiredCount", "negative"},
		{"bad propagateTags", `{"propagateTags":"CLUSTER"}`, "propagateTags", "SERVICE"},
		{"blue/green strategy typo", `{"deploymentConfiguration":{"strategy":"ROLLOUT"}}`, "deploymentConfiguration.strategy", "ROLLING"},
		{"memberOf syntax", `{"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type =="}]}`, "placementConstraints[0]", ""},
		{"bad availabilityZoneRebalancing", `{"availabilityZoneRebalancing":"SOMETIMES"}`, "availabilityZoneRebalancing", "ENABLED or DISABLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := svcErrors(t, svcInput(t, tt.spec))
			found := false
			for _, e := range errs {
				if strings.HasPrefix(e.Field, tt.field) && strings.Contains(e.Message, tt.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("want an error on %s containing %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
}

func TestServiceInputErrors(t *testing.T) {
	in := svcInput(t, `{}`)
	in.Spec = nil
	svcErrors(t, in)
	in = svcInput(t, `{}`)
	in.Task = nil
	if errs := svcErrors(t, in); !svcHasError(errs, "taskDefinition", "translate it before") {
		t.Errorf("errors = %v", errs)
	}
	in = svcInput(t, `{"serviceName":""}`)
	in.Name = ""
	if errs := svcErrors(t, in); !svcHasError(errs, "serviceName", "required") {
		t.Errorf("errors = %v", errs)
	}
}

func TestServiceDoesNotModifyInput(t *testing.T) {
	in := svcInput(t, `{"desiredCount":3,"launchType":"EC2","healthCheckGracePeriodSeconds":120,"propagateTags":"SERVICE",
		"tags":[{"key":"team","value":"shop"}],
		"placementConstraints":[{"type":"distinctInstance"}],
		"placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"}],
		"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-1"],"securityGroups":["sg-1"]}},
		"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc","containerName":"app","containerPort":80}]}`)
	in.Cluster = svcClusterSpec(t, `{"subnetZones":{"subnet-1":"us-east-1a"},"capacityProviders":[{"name":"EC2","nodeSelector":{"pool":"general"},"tolerations":[{"key":"dedicated","operator":"Exists"}]}]}`)
	podBefore := in.Task.PodTemplate.DeepCopy()
	portsBefore := append([]TaskPort(nil), in.Task.Ports...)
	specBefore := in.Spec.DeepCopy()
	first := svcTranslate(t, in)
	if !equality.Semantic.DeepEqual(podBefore, &in.Task.PodTemplate) || !reflect.DeepEqual(portsBefore, in.Task.Ports) {
		t.Errorf("TranslateService modified the TaskResult")
	}
	if !equality.Semantic.DeepEqual(specBefore, in.Spec) {
		t.Errorf("TranslateService modified the spec")
	}
	second := svcTranslate(t, in)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("two translations of the same input differ")
	}
	if first.Deployment.Spec.Template.Spec.Containers[0].StartupProbe == nil {
		t.Errorf("the translation itself must have widened the probe")
	}
}

func TestServiceIgnoredFields(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,"platformVersion":"LATEST","role":"ecsServiceRole","clientToken":"abc",
		"serviceArn":"arn:aws:ecs:us-east-1:1:service/web","clusterArn":"arn","status":"ACTIVE","runningCount":1,"pendingCount":0,
		"roleArn":"arn","platformFamily":"Linux","createdAt":1510811361.128,"createdBy":"me","deployments":[],"events":[],"taskSets":[]}`))
	for _, f := range []string{"platformVersion", "role", "clientToken", "serviceArn", "clusterArn", "status", "runningCount", "pendingCount", "roleArn", "platformFamily", "createdAt", "createdBy", "deployments", "events", "taskSets"} {
		if !svcHasNote(res.Notes, f, "") {
			t.Errorf("no info note on %s", f)
		}
		if svcHasNote(res.Warnings, f, "") {
			t.Errorf("%s must be info only", f)
		}
	}
}

func TestServiceDeploymentOptions(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,"deploymentController":{"type":"CODE_DEPLOY"},
		"enableExecuteCommand":false,"enableECSManagedTags":true,
		"vpcLatticeConfigurations":[{"roleArn":"r","targetGroupArn":"t","portName":"http"}],
		"deploymentConfiguration":{"strategy":"BLUE_GREEN","bakeTimeInMinutes":5,"alarms":{"alarmNames":["a"],"enable":true,"rollback":true},
		  "lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:us-east-1:1:function:f"}],"linearConfiguration":{"stepPercent":10},"canaryConfiguration":{"canaryPercent":5}}}`))
	for field, substr := range map[string]string{
		"deploymentController.type":                   "CodeDeploy blue/green not translated; rolling update used",
		"enableExecuteCommand":                        "restrict pods/exec via RBAC",
		"vpcLatticeConfigurations[0]":                 "VPC Lattice not translated",
		"deploymentConfiguration.strategy":            "BLUE_GREEN deployment replaced by rolling update",
		"deploymentConfiguration.bakeTimeInMinutes":   "blue/green",
		"deploymentConfiguration.alarms":              "CloudWatch alarm rollback not translated",
		"deploymentConfiguration.lifecycleHooks[0]":   "blue/green",
		"deploymentConfiguration.linearConfiguration": "blue/green",
		"deploymentConfiguration.canaryConfiguration": "blue/green",
	} {
		if !svcHasNote(res.Warnings, field, substr) {
			t.Errorf("no warning on %s containing %q: %v", field, substr, res.Warnings)
		}
	}
	if !svcHasNote(res.Notes, "enableECSManagedTags", ecsv1.LabelService) {
		t.Errorf("enableECSManagedTags note missing: %v", res.Notes)
	}
	if res.Deployment.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		t.Errorf("strategy = %v", res.Deployment.Spec.Strategy.Type)
	}
}

func TestServiceTags(t *testing.T) {
	tests := []struct {
		name, propagate string
		podLabels       map[string]string
		podAnnotation   string
	}{
		{"service", "SERVICE", map[string]string{"team": "shop", "env": "prod"}, `{"aws:cloudformation:stack-name":"s","env":"prod","team":"shop"}`},
		{"task definition", "TASK_DEFINITION", map[string]string{"owner": "payments"}, `{"owner":"payments"}`},
		{"none", "NONE", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, `{"desiredCount":1,"propagateTags":"`+tt.propagate+`",
				"tags":[{"key":"team","value":"shop"},{"key":"env","value":"prod"},{"key":"aws:cloudformation:stack-name","value":"s"}],
				"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc","containerName":"app","containerPort":80}]}`)
			in.TaskSpec.Tags = []ecsv1.Tag{{Key: ptr.To("owner"), Value: ptr.To("payments")}}
			res := svcTranslate(t, in)
			pod := res.Deployment.Spec.Template
			for k, v := range tt.podLabels {
				if pod.Labels[k] != v {
					t.Errorf("pod label %s = %q, want %q", k, pod.Labels[k], v)
				}
			}
			if _, ok := pod.Labels["aws:cloudformation:stack-name"]; ok {
				t.Errorf("aws: tags must not become labels")
			}
			if got := pod.Annotations[ecsv1.AnnotationTags]; got != tt.podAnnotation {
				t.Errorf("pod tags annotation = %q, want %q", got, tt.podAnnotation)
			}
			// Every child carries the service's own tags.
			objects := []metav1.Object{res.Deployment, res.PodDisruptionBudget, res.Services[0], res.TargetGroupBindings[0]}
			for _, o := range objects {
				if o.GetLabels()["team"] != "shop" || o.GetAnnotations()[ecsv1.AnnotationTags] == "" {
					t.Errorf("%s: tags missing: %v %v", o.GetName(), o.GetLabels(), o.GetAnnotations())
				}
				if o.GetLabels()[ecsv1.LabelService] != "web" || o.GetLabels()[ecsv1.LabelManagedBy] != ecsv1.ManagedByValue {
					t.Errorf("%s: operator labels missing: %v", o.GetName(), o.GetLabels())
				}
			}
		})
	}
}

func TestServiceTagsCannotOverrideSelector(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"propagateTags":"SERVICE","tags":[{"key":"ecs.operator.dev/service","value":"other"},{"key":"","value":"x"}]}`)
	res := svcTranslate(t, in)
	if got := res.Deployment.Spec.Template.Labels[ecsv1.LabelService]; got != "web" {
		t.Errorf("service label = %q, want web", got)
	}
	if !svcHasNote(res.Warnings, "tags[1].key", "without a key") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServiceHealthCheckGracePeriod(t *testing.T) {
	tests := []struct {
		name        string
		grace       int32
		startup     *corev1.Probe // the task's startupProbe
		want        int32         // startup failureThreshold; 0: no probe
		noteNothing bool
	}{
		{"created", 90, nil, 6, false},          // ceil(90/30)+3
		{"widened", 120, svcProbe(5), 7, false}, // startPeriod 60 → 5; grace 120 → 4+3
		{"kept", 30, svcProbe(5), 5, true},      // grace below startPeriod
		{"zero grace", 0, nil, 0, false},        // nothing to do
		{"odd grace", 31, nil, 5, false},        // ceil(31/30)+3
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, fmt.Sprintf(`{"desiredCount":1,"healthCheckGracePeriodSeconds":%d}`, tt.grace))
			in.Task.PodTemplate.Spec.Containers[0].StartupProbe = tt.startup
			res := svcTranslate(t, in)
			c := res.Deployment.Spec.Template.Spec.Containers[0]
			got := int32(0)
			if c.StartupProbe != nil {
				got = c.StartupProbe.FailureThreshold
				if c.StartupProbe.PeriodSeconds != 30 || c.StartupProbe.Exec == nil {
					t.Errorf("startup probe = %+v", c.StartupProbe)
				}
			}
			if got != tt.want {
				t.Errorf("startupProbe.failureThreshold = %d, want %d", got, tt.want)
			}
			if c.ReadinessProbe.FailureThreshold != 3 || c.LivenessProbe.FailureThreshold != 3 {
				t.Errorf("readiness/liveness must keep retries")
			}
			if n := svcHasNote(res.Notes, "healthCheckGracePeriodSeconds", ""); n != tt.noteNothing {
				t.Errorf("note = %v, want %v (%v)", n, tt.noteNothing, res.Notes)
			}
		})
	}
}

func TestServiceHealthCheckGracePeriodSkipsNonEssential(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"healthCheckGracePeriodSeconds":300}`)
	// A non-essential container has no readiness probe, only what its
	// dependents need.
	in.Task.PodTemplate.Spec.Containers = append(in.Task.PodTemplate.Spec.Containers, corev1.Container{Name: "helper", Image: "busybox"})
	res := svcTranslate(t, in)
	if p := res.Deployment.Spec.Template.Spec.Containers[1].StartupProbe; p != nil {
		t.Errorf("non-essential container got a startup probe: %+v", p)
	}
	if p := res.Deployment.Spec.Template.Spec.Containers[0].StartupProbe; p == nil || p.FailureThreshold != 13 {
		t.Errorf("essential container startup probe = %+v, want failureThreshold 13", p)
	}
}
