package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// svcTranslatePair translates a task definition with TranslateTask and
// the service on top of it, as the controller and kubectl-ecs do.
func svcTranslatePair(t *testing.T, namespace string, revision int64, taskJSON, serviceJSON string, cluster *ecsv1.ECSClusterSpec) (*TaskResult, *ServiceResult) {
	t.Helper()
	task := svcTaskSpec(t, taskJSON)
	taskRes, err := TranslateTask(TaskInput{
		Namespace: namespace, Name: ptr.Deref(task.Family, ""), Revision: revision, Spec: task,
		ClusterName: "default", Cluster: cluster, Capabilities: AllCapabilities(), Workload: WorkloadService,
	})
	if err != nil {
		t.Fatalf("TranslateTask: %v", err)
	}
	svc := svcSpec(t, serviceJSON)
	res, err := TranslateService(ServiceInput{
		Namespace: namespace, Name: ptr.Deref(svc.ServiceName, ""), Spec: svc, TaskSpec: task, Task: taskRes,
		Revision: revision, ClusterName: "default", Cluster: cluster, Capabilities: AllCapabilities(),
	})
	if err != nil {
		t.Fatalf("TranslateService: %v", err)
	}
	return taskRes, res
}

// TestServiceExampleA is field-map §10 example A: an awsvpc task behind an
// ALB target group on EC2 → Deployment, Service, TargetGroupBinding.
func TestServiceExampleA(t *testing.T) {
	_, res := svcTranslatePair(t, "default", 1,
		`{"family":"web","networkMode":"awsvpc","cpu":"0.5 vCPU","memory":"1GB",
		 "containerDefinitions":[{"name":"app","image":"nginx:1.27","cpu":256,"memoryReservation":256,
		   "portMappings":[{"name":"http","containerPort":80,"appProtocol":"http"}],
		   "healthCheck":{"command":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"startPeriod":60}}]}`,
		`{"serviceName":"web","taskDefinition":"web","desiredCount":4,"launchType":"EC2",
		 "deploymentConfiguration":{"maximumPercent":150,"minimumHealthyPercent":50},
		 "loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc","containerName":"app","containerPort":80}]}`,
		nil)

	d := res.Deployment
	if d == nil || d.Name != "web" || ptr.Deref(d.Spec.Replicas, 0) != 4 {
		t.Fatalf("Deployment web with 4 replicas expected, got %+v", d)
	}
	ru := d.Spec.Strategy.RollingUpdate
	if *ru.MaxSurge != intstr.FromInt32(2) || *ru.MaxUnavailable != intstr.FromInt32(2) {
		t.Errorf("strategy = %v/%v, want 2/2", ru.MaxSurge, ru.MaxUnavailable)
	}
	spec := d.Spec.Template.Spec
	task := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi")}
	if spec.Resources == nil || !svcSameResources(spec.Resources.Requests, task) || !svcSameResources(spec.Resources.Limits, task) {
		t.Errorf("pod resources = %+v, want requests = limits = 500m/1Gi", spec.Resources)
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("containers = %+v", spec.Containers)
	}
	c := spec.Containers[0]
	if c.Name != "app" || c.Image != "nginx:1.27" {
		t.Errorf("container %s %s", c.Name, c.Image)
	}
	if !reflect.DeepEqual(c.Ports, []corev1.ContainerPort{{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP}}) {
		t.Errorf("ports = %+v", c.Ports)
	}
	if !svcSameResources(c.Resources.Requests, corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("256Mi")}) || len(c.Resources.Limits) != 0 {
		t.Errorf("container resources = %+v", c.Resources)
	}
	exec := []string{"/bin/sh", "-c", "curl -f http://localhost/ || exit 1"}
	for name, probe := range map[string]struct {
		p         *corev1.Probe
		threshold int32
	}{"startup": {c.StartupProbe, 5}, "readiness": {c.ReadinessProbe, 3}, "liveness": {c.LivenessProbe, 3}} {
		p := probe.p
		if p == nil || p.Exec == nil || !reflect.DeepEqual(p.Exec.Command, exec) || p.PeriodSeconds != 30 || p.TimeoutSeconds != 5 || p.FailureThreshold != probe.threshold {
			t.Errorf("%s probe = %+v, want exec %v period 30 timeout 5 failureThreshold %d", name, p, exec, probe.threshold)
		}
	}

	if len(res.Services) != 1 {
		t.Fatalf("services = %+v", res.Services)
	}
	svc := res.Services[0]
	wantPorts := []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")}}
	if svc.Name != "web" || svc.Spec.Type != corev1.ServiceTypeClusterIP || !reflect.DeepEqual(svc.Spec.Ports, wantPorts) {
		t.Errorf("service = %s %s %+v", svc.Name, svc.Spec.Type, svc.Spec.Ports)
	}

	if len(res.TargetGroupBindings) != 1 {
		t.Fatalf("bindings = %d", len(res.TargetGroupBindings))
	}
	tgb := res.TargetGroupBindings[0]
	want := map[string]any{
		"serviceRef":     map[string]any{"name": "web", "port": int64(80)},
		"targetGroupARN": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc",
		"targetType":     "ip",
	}
	if tgb.GetAPIVersion() != "elbv2.k8s.aws/v1beta1" || tgb.GetKind() != "TargetGroupBinding" || tgb.GetName() != "web-0" || !reflect.DeepEqual(svcSpecOf(t, tgb), want) {
		t.Errorf("binding = %s %s %v", tgb.GetKind(), tgb.GetName(), tgb.Object["spec"])
	}
	// Half the tasks must stay: a budget of ceil(4×0.5) = 2.
	if pdb := res.PodDisruptionBudget; pdb == nil || pdb.Spec.MinAvailable.String() != "2" {
		t.Errorf("pdb = %+v", pdb)
	}
}

// TestServiceExampleC is field-map §10 example C: a DAEMON service whose
// task definition has a memberOf constraint and a secret → DaemonSet with
// node affinity, ExternalSecret (from the task translation). The example
// abbreviates the account ID of the secret ARN to "1"; the task
// translation accepts only real (12-digit) account IDs, so one is used.
func TestServiceExampleC(t *testing.T) {
	cluster := svcClusterSpec(t, `{"region":"us-east-1","secretStoreRef":{"kind":"ClusterSecretStore","name":"aws-secretsmanager-us-east-1"}}`)
	task, res := svcTranslatePair(t, "default", 3,
		`{"family":"agent","containerDefinitions":[{"name":"agent","image":"agent:2","memory":128,
		  "secrets":[{"name":"API_KEY","valueFrom":"arn:aws:secretsmanager:us-east-1:111122223333:secret:agent-Ab12Cd:key::"}]}],
		 "placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.cpu-architecture == arm64 and not(attribute:ecs.availability-zone in [us-east-1d])"}]}`,
		`{"serviceName":"agent","taskDefinition":"agent:3","schedulingStrategy":"DAEMON"}`,
		cluster)

	ds := res.DaemonSet
	if ds == nil || res.Deployment != nil || ds.Name != "agent" {
		t.Fatalf("DaemonSet agent expected, got %+v", res)
	}
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	if *ru.MaxUnavailable != intstr.FromString("100%") || *ru.MaxSurge != intstr.FromInt32(0) {
		t.Errorf("updateStrategy = %v/%v, want maxUnavailable 100%% maxSurge 0", ru.MaxUnavailable, ru.MaxSurge)
	}
	spec := ds.Spec.Template.Spec
	wantTerms := []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
		{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"arm64"}},
		{Key: "topology.kubernetes.io/zone", Operator: corev1.NodeSelectorOpNotIn, Values: []string{"us-east-1d"}},
	}}}
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || !reflect.DeepEqual(spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms, wantTerms) {
		t.Errorf("affinity = %+v, want %+v", spec.Affinity, wantTerms)
	}
	c := spec.Containers[0]
	if c.Name != "agent" || c.Image != "agent:2" || !svcSameResources(c.Resources.Limits, corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")}) {
		t.Errorf("container = %+v", c)
	}
	var env *corev1.EnvVar
	for i := range c.Env {
		if c.Env[i].Name == "API_KEY" {
			env = &c.Env[i]
		}
	}
	if env == nil || env.ValueFrom == nil || env.ValueFrom.SecretKeyRef == nil || env.ValueFrom.SecretKeyRef.Name != "agent-secrets-r3" || env.ValueFrom.SecretKeyRef.Key != "API_KEY" {
		t.Errorf("API_KEY env = %+v", env)
	}
	if len(task.ExternalSecrets) != 1 || task.ExternalSecrets[0].GetName() != "agent-secrets-r3" {
		t.Fatalf("external secrets = %+v", task.ExternalSecrets)
	}
	if res.PodDisruptionBudget != nil || res.HorizontalPodAutoscaler != nil || len(res.Services) != 0 {
		t.Errorf("a bare daemon gets only its DaemonSet: %+v", res)
	}
}

// svcSameResources compares resource lists by quantity value.
func svcSameResources(got, want corev1.ResourceList) bool {
	if len(got) != len(want) {
		return false
	}
	for name, q := range want {
		g, ok := got[name]
		if !ok || g.Cmp(q) != 0 {
			return false
		}
	}
	return true
}
