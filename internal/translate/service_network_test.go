package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

const svcTargetGroup = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef"

// svcSpecOf returns the spec map of an unstructured object.
func svcSpecOf(t *testing.T, u *unstructured.Unstructured) map[string]any {
	t.Helper()
	spec, ok := u.Object["spec"].(map[string]any)
	if !ok {
		t.Fatalf("%s %s has no spec", u.GetKind(), u.GetName())
	}
	return spec
}

func svcServiceNamed(res *ServiceResult, name string) *corev1.Service {
	for _, s := range res.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func TestServiceTargetGroupBindingIP(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":2,"loadBalancers":[
		{"targetGroupArn":"`+svcTargetGroup+`","containerName":"app","containerPort":80}]}`))
	if len(res.Services) != 1 {
		t.Fatalf("services = %d, want 1", len(res.Services))
	}
	svc := res.Services[0]
	if svc.Name != "web" || svc.Kind != "Service" || svc.APIVersion != "v1" || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("service %s %s %s %s", svc.APIVersion, svc.Kind, svc.Name, svc.Spec.Type)
	}
	want := []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")}}
	if !reflect.DeepEqual(svc.Spec.Ports, want) {
		t.Errorf("ports = %+v, want %+v", svc.Spec.Ports, want)
	}
	if !reflect.DeepEqual(svc.Spec.Selector, map[string]string{ecsv1.LabelService: "web"}) {
		t.Errorf("selector = %v", svc.Spec.Selector)
	}
	if got := svc.Annotations[ecsv1.AnnotationAppProtocols]; got != `{"http":"http"}` {
		t.Errorf("app-protocols annotation = %q", got)
	}
	if len(res.TargetGroupBindings) != 1 {
		t.Fatalf("bindings = %d", len(res.TargetGroupBindings))
	}
	tgb := res.TargetGroupBindings[0]
	if tgb.GetAPIVersion() != "elbv2.k8s.aws/v1beta1" || tgb.GetKind() != "TargetGroupBinding" || tgb.GetName() != "web-0" || tgb.GetNamespace() != "shop" {
		t.Errorf("binding %s %s %s/%s", tgb.GetAPIVersion(), tgb.GetKind(), tgb.GetNamespace(), tgb.GetName())
	}
	wantSpec := map[string]any{
		"serviceRef":     map[string]any{"name": "web", "port": int64(80)},
		"targetGroupARN": svcTargetGroup,
		"targetType":     "ip",
	}
	if !reflect.DeepEqual(svcSpecOf(t, tgb), wantSpec) {
		t.Errorf("binding spec = %v, want %v", svcSpecOf(t, tgb), wantSpec)
	}
	if !svcHasNote(res.Notes, "loadBalancers", "pod-readiness-gate-inject") {
		t.Errorf("readiness gate note missing")
	}
}

func TestServiceTargetGroupBindingInstance(t *testing.T) {
	res := svcTranslate(t, svcBridgeInput(t, `{"desiredCount":2,"loadBalancers":[
		{"targetGroupArn":"`+svcTargetGroup+`","containerName":"app","containerPort":8080},
		{"loadBalancerName":"classic"},
		{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/metrics/fedcba","containerName":"sidecar","containerPort":9000}]}`))
	svc := res.Services[0]
	if svc.Spec.Type != corev1.ServiceTypeNodePort {
		t.Errorf("type = %s, want NodePort for instance targets", svc.Spec.Type)
	}
	want := []corev1.ServicePort{
		{Name: "tcp-8080", Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromInt32(8080)},
		{Name: "metrics", Protocol: corev1.ProtocolTCP, Port: 9000, TargetPort: intstr.FromString("metrics")},
	}
	if !reflect.DeepEqual(svc.Spec.Ports, want) {
		t.Errorf("ports = %+v, want %+v", svc.Spec.Ports, want)
	}
	if len(res.TargetGroupBindings) != 2 {
		t.Fatalf("bindings = %d, want 2", len(res.TargetGroupBindings))
	}
	// Names follow the ECS index, so the Classic entry leaves a gap.
	for i, want := range []struct {
		name string
		port int64
	}{{"web-0", 8080}, {"web-2", 9000}} {
		tgb := res.TargetGroupBindings[i]
		spec := svcSpecOf(t, tgb)
		if tgb.GetName() != want.name || spec["targetType"] != "instance" || spec["serviceRef"].(map[string]any)["port"] != want.port {
			t.Errorf("binding %d = %s %v", i, tgb.GetName(), spec)
		}
	}
	if !svcHasNote(res.Warnings, "loadBalancers[1].loadBalancerName", "Classic Load Balancer not supported") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServiceLoadBalancerErrors(t *testing.T) {
	tests := []struct {
		name, lb, field, message string
	}{
		{"unknown container", `{"targetGroupArn":"` + svcTargetGroup + `","containerName":"db","containerPort":80}`, "loadBalancers[0].containerPort", `container "db" has no port mapping`},
		{"unknown port", `{"targetGroupArn":"` + svcTargetGroup + `","containerName":"app","containerPort":81}`, "loadBalancers[0].containerPort", "containerPort 81"},
		{"no container", `{"targetGroupArn":"` + svcTargetGroup + `","containerPort":80}`, "loadBalancers[0].containerName", "required"},
		{"template", `{"targetGroupArn":"{{ tfstate ` + "`x`" + ` }}","containerName":"app","containerPort":80}`, "loadBalancers[0].targetGroupArn", "render templates"},
		{"placeholder", `{"targetGroupArn":"PLACEHOLDER_TARGET_GROUP","containerName":"app","containerPort":80}`, "loadBalancers[0].targetGroupArn", "not a target group ARN"},
		{"nothing", `{"containerName":"app","containerPort":80}`, "loadBalancers[0].targetGroupArn", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"loadBalancers":[`+tt.lb+`]}`))
			if !svcHasError(errs, tt.field, tt.message) {
				t.Errorf("want %s: %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
}

func TestServiceSecurityGroupPolicy(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,"networkConfiguration":{"awsvpcConfiguration":{
		"securityGroups":["sg-0123456789abcdef0","sg-1"],"assignPublicIp":"ENABLED"}}}`))
	sgp := res.SecurityGroupPolicy
	if sgp == nil {
		t.Fatal("no SecurityGroupPolicy")
	}
	if sgp.GetAPIVersion() != "vpcresources.k8s.aws/v1beta1" || sgp.GetKind() != "SecurityGroupPolicy" || sgp.GetName() != "web" || sgp.GetNamespace() != "shop" {
		t.Errorf("policy %s %s %s/%s", sgp.GetAPIVersion(), sgp.GetKind(), sgp.GetNamespace(), sgp.GetName())
	}
	want := map[string]any{
		"podSelector":    map[string]any{"matchLabels": map[string]any{ecsv1.LabelService: "web"}},
		"securityGroups": map[string]any{"groupIds": []any{"sg-0123456789abcdef0", "sg-1"}},
	}
	if !reflect.DeepEqual(svcSpecOf(t, sgp), want) {
		t.Errorf("spec = %v, want %v", svcSpecOf(t, sgp), want)
	}
	if !svcHasNote(res.Warnings, "networkConfiguration.awsvpcConfiguration.assignPublicIp", "pods cannot get public IPs") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServiceNetworkConfigurationErrors(t *testing.T) {
	errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"networkConfiguration":{"awsvpcConfiguration":{"securityGroups":["{{ ssm `+"`sg`"+` }}"],"subnets":["PLACEHOLDER_SUBNET"]}}}`))
	if !svcHasError(errs, "networkConfiguration.awsvpcConfiguration.securityGroups", "not a security group ID") ||
		!svcHasError(errs, "networkConfiguration.awsvpcConfiguration.subnets", "not a subnet ID") {
		t.Errorf("errors = %v", errs)
	}
	errs = svcErrors(t, svcBridgeInput(t, `{"desiredCount":1,"networkConfiguration":{"awsvpcConfiguration":{"securityGroups":["sg-1"]}}}`))
	if !svcHasError(errs, "networkConfiguration.awsvpcConfiguration", "networkMode awsvpc") {
		t.Errorf("errors = %v", errs)
	}
}

func TestServiceSubnetZones(t *testing.T) {
	const spec = `{"desiredCount":1,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-b","subnet-a","subnet-c"]}}}`
	tests := []struct {
		name, cluster string
		zones         []string
		warning       string
	}{
		{"mapped", `{"subnetZones":{"subnet-a":"us-east-1a","subnet-b":"us-east-1b","subnet-c":"us-east-1a"}}`, []string{"us-east-1a", "us-east-1b"}, "restricted to their zones us-east-1a, us-east-1b"},
		{"custom zone label", `{"subnetZones":{"subnet-a":"a","subnet-b":"b","subnet-c":"c"},"attributes":{"ecs.availability-zone":"example.com/zone"}}`, []string{"a", "b", "c"}, "restricted"},
		{"partly mapped", `{"subnetZones":{"subnet-a":"us-east-1a"}}`, nil, "subnet-b, subnet-c not in ECSCluster spec.subnetZones"},
		{"no map", `{}`, nil, "does not map them to zones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, spec)
			in.Cluster = svcClusterSpec(t, tt.cluster)
			res := svcTranslate(t, in)
			aff := res.Deployment.Spec.Template.Spec.Affinity
			if tt.zones == nil {
				if aff != nil {
					t.Errorf("affinity = %+v, want none", aff)
				}
			} else {
				terms := aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
				key := "topology.kubernetes.io/zone"
				if tt.name == "custom zone label" {
					key = "example.com/zone"
				}
				want := []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: corev1.NodeSelectorOpIn, Values: tt.zones}}}}
				if !reflect.DeepEqual(terms, want) {
					t.Errorf("terms = %+v, want %+v", terms, want)
				}
			}
			if !svcHasNote(res.Warnings, "networkConfiguration.awsvpcConfiguration.subnets", tt.warning) {
				t.Errorf("warnings = %v", res.Warnings)
			}
		})
	}
}

func TestServiceSubnetZonesJoinPlacementTerms(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"]}},
		"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type == m5.large or attribute:ecs.os-type == windows"}]}`)
	in.Cluster = svcClusterSpec(t, `{"subnetZones":{"subnet-a":"us-east-1a"}}`)
	res := svcTranslate(t, in)
	terms := res.Deployment.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) != 2 {
		t.Fatalf("terms = %+v, want the two alternatives", terms)
	}
	for _, term := range terms {
		last := term.MatchExpressions[len(term.MatchExpressions)-1]
		if last.Key != "topology.kubernetes.io/zone" || !reflect.DeepEqual(last.Values, []string{"us-east-1a"}) {
			t.Errorf("term %+v lacks the zone restriction", term)
		}
	}
}

func TestServiceRegistry(t *testing.T) {
	const arn = "arn:aws:servicediscovery:us-east-1:111122223333:service/srv-utcrh6wavdkggqtk"
	tests := []struct {
		name, registry string
		bridge         bool
		annotations    map[string]string
		svcName        string
		ports          []corev1.ServicePort
	}{
		{"A records only", `{"registryArn":"` + arn + `"}`, false, nil, "web", nil},
		{"awsvpc SRV", `{"registryArn":"` + arn + `","port":80}`, false, nil, "web",
			[]corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")}}},
		{"bridge SRV", `{"registryArn":"` + arn + `","containerName":"app","containerPort":8080}`, true, nil, "web",
			[]corev1.ServicePort{{Name: "tcp-8080", Protocol: corev1.ProtocolTCP, Port: 8080, TargetPort: intstr.FromInt32(8080)}}},
		{"name override", `{"registryArn":"` + arn + `"}`, false, map[string]string{ecsv1.AnnotationCloudMapName: "Backend"}, "backend", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, `{"desiredCount":1,"serviceRegistries":[`+tt.registry+`]}`)
			if tt.bridge {
				in = svcBridgeInput(t, `{"desiredCount":1,"serviceRegistries":[`+tt.registry+`]}`)
			}
			in.Annotations = tt.annotations
			res := svcTranslate(t, in)
			if len(res.Services) != 1 {
				t.Fatalf("services = %d", len(res.Services))
			}
			svc := res.Services[0]
			if svc.Name != tt.svcName || svc.Spec.ClusterIP != corev1.ClusterIPNone {
				t.Errorf("service %s clusterIP %q, want headless %s", svc.Name, svc.Spec.ClusterIP, tt.svcName)
			}
			if !reflect.DeepEqual(svc.Spec.Ports, tt.ports) {
				t.Errorf("ports = %+v, want %+v", svc.Spec.Ports, tt.ports)
			}
			if !svcHasNote(res.Warnings, "serviceRegistries[0].registryArn", "srv-utcrh6wavdkggqtk becomes "+tt.svcName+".shop.svc") {
				t.Errorf("warnings = %v", res.Warnings)
			}
		})
	}
}

func TestServiceRegistrySharesLoadBalancerService(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,
		"loadBalancers":[{"targetGroupArn":"`+svcTargetGroup+`","containerName":"app","containerPort":80}],
		"serviceRegistries":[{"registryArn":"arn:aws:servicediscovery:us-east-1:1:service/srv-1","port":80}]}`))
	if len(res.Services) != 1 || res.Services[0].Spec.ClusterIP == corev1.ClusterIPNone {
		t.Fatalf("want one ClusterIP Service, got %+v", res.Services)
	}
	if len(res.Services[0].Spec.Ports) != 1 {
		t.Errorf("ports = %+v", res.Services[0].Spec.Ports)
	}
	if !svcHasNote(res.Warnings, "serviceRegistries[0].registryArn", "virtual IP") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServiceRegistryErrors(t *testing.T) {
	tests := []struct {
		name, registries, field, message string
	}{
		{"two", `{"registryArn":"arn:aws:servicediscovery:r:1:service/srv-1"},{"registryArn":"arn:aws:servicediscovery:r:1:service/srv-2"}`, "serviceRegistries", "one service registry"},
		{"empty arn", `{"registryArn":""}`, "serviceRegistries[0].registryArn", "not a Cloud Map service ARN"},
		{"port and container", `{"registryArn":"arn:aws:servicediscovery:r:1:service/srv-1","port":80,"containerName":"app","containerPort":80}`, "serviceRegistries[0]", "not both"},
		{"unknown port", `{"registryArn":"arn:aws:servicediscovery:r:1:service/srv-1","port":81}`, "serviceRegistries[0].port", "containerPort 81"},
		{"unknown container", `{"registryArn":"arn:aws:servicediscovery:r:1:service/srv-1","containerName":"db","containerPort":80}`, "serviceRegistries[0].containerPort", `"db"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"serviceRegistries":[`+tt.registries+`]}`))
			if !svcHasError(errs, tt.field, tt.message) {
				t.Errorf("want %s: %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
}

func TestServiceConnect(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"serviceConnectConfiguration":{"enabled":true,"namespace":"internal",
		"services":[
		  {"portName":"http","discoveryName":"web-api","clientAliases":[{"port":8080},{"port":80,"dnsName":"api"},{"port":443,"dnsName":"api.example.internal"}],
		   "timeout":{"idleTimeoutSeconds":30},"ingressPortOverride":15000},
		  {"portName":"http"}],
		"logConfiguration":{"logDriver":"awslogs"}}}`)
	in.Cluster = svcClusterSpec(t, `{"serviceConnectNamespaces":{"internal":"shop"}}`)
	res := svcTranslate(t, in)
	byName := map[string][]int32{}
	for _, s := range res.Services {
		if s.Spec.Type != corev1.ServiceTypeClusterIP || s.Spec.ClusterIP != "" {
			t.Errorf("%s: type %s clusterIP %q", s.Name, s.Spec.Type, s.Spec.ClusterIP)
		}
		for _, p := range s.Spec.Ports {
			byName[s.Name] = append(byName[s.Name], p.Port)
			if p.TargetPort != intstr.FromString("http") {
				t.Errorf("%s port %d targets %v, want the named container port", s.Name, p.Port, p.TargetPort)
			}
		}
	}
	want := map[string][]int32{"web-api": {8080}, "api": {80, 443}, "http": {80}}
	if !reflect.DeepEqual(byName, want) {
		t.Errorf("services = %v, want %v", byName, want)
	}
	api := svcServiceNamed(res, "api")
	if api.Spec.Ports[0].Name == api.Spec.Ports[1].Name {
		t.Errorf("port names must be unique: %+v", api.Spec.Ports)
	}
	for field, substr := range map[string]string{
		"serviceConnectConfiguration.services[0].clientAliases[2].dnsName": "alias api.example.internal needs CoreDNS rewrite to api.shop.svc.cluster.local",
		"serviceConnectConfiguration.services[0].clientAliases[0].dnsName": "alias web-api.internal needs CoreDNS rewrite",
		"serviceConnectConfiguration.services[0].timeout":                  "service mesh",
	} {
		if !svcHasNote(res.Warnings, field, substr) {
			t.Errorf("no warning on %s with %q: %v", field, substr, res.Warnings)
		}
	}
	if svcHasNote(res.Warnings, "serviceConnectConfiguration.namespace", "") {
		t.Errorf("a mapped namespace needs no warning")
	}
	for _, f := range []string{"serviceConnectConfiguration.services[0].ingressPortOverride", "serviceConnectConfiguration.logConfiguration"} {
		if !svcHasNote(res.Notes, f, "") {
			t.Errorf("no note on %s", f)
		}
	}
}

func TestServiceConnectNamespaces(t *testing.T) {
	tests := []struct {
		name, namespace, cluster, warning string
	}{
		{"same name", "shop", `{}`, ""},
		{"unmapped", "internal", `{}`, "Service Connect namespace internal ≠ Kubernetes namespace shop"},
		{"mapped elsewhere", "internal", `{"serviceConnectNamespaces":{"internal":"backend"}}`, "maps to Kubernetes namespace backend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, `{"desiredCount":1,"serviceConnectConfiguration":{"enabled":true,"namespace":"`+tt.namespace+`","services":[{"portName":"http","clientAliases":[{"port":80,"dnsName":"web"}]}]}}`)
			in.Cluster = svcClusterSpec(t, tt.cluster)
			res := svcTranslate(t, in)
			got := svcHasNote(res.Warnings, "serviceConnectConfiguration.namespace", tt.warning)
			if tt.warning == "" {
				got = !svcHasNote(res.Warnings, "serviceConnectConfiguration.namespace", "")
			}
			if !got {
				t.Errorf("warnings = %v", res.Warnings)
			}
		})
	}
}

func TestServiceConnectClientOnlyAndErrors(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,"serviceConnectConfiguration":{"enabled":true}}`))
	if len(res.Services) != 0 || !svcHasNote(res.Notes, "serviceConnectConfiguration.services", "client-only") {
		t.Errorf("client-only: services %d notes %v", len(res.Services), res.Notes)
	}
	res = svcTranslate(t, svcInput(t, `{"desiredCount":1,"serviceConnectConfiguration":{"enabled":false,"services":[{"portName":"http"}]}}`))
	if len(res.Services) != 0 {
		t.Errorf("disabled Service Connect created %d Services", len(res.Services))
	}
	errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"grpc"}]}}`))
	if !svcHasError(errs, "serviceConnectConfiguration.services[0].portName", `named "grpc"`) {
		t.Errorf("errors = %v", errs)
	}
	// One Service port cannot lead to two container ports.
	errs = svcErrors(t, svcBridgeInput(t, `{"desiredCount":1,
		"loadBalancers":[{"targetGroupArn":"`+svcTargetGroup+`","containerName":"app","containerPort":8080}],
		"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"metrics","clientAliases":[{"port":8080,"dnsName":"web"}]}]}}`))
	if !svcHasError(errs, "serviceConnectConfiguration.services[0].clientAliases[0]", "port 8080/TCP of Service web already leads to 8080 (from loadBalancers)") {
		t.Errorf("errors = %v", errs)
	}
}

func TestServiceConnectSharesNameWithLoadBalancerService(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,
		"loadBalancers":[{"targetGroupArn":"`+svcTargetGroup+`","containerName":"app","containerPort":80}],
		"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":8080,"dnsName":"web"},{"port":80,"dnsName":"web"}]}]}}`)
	res := svcTranslate(t, in)
	if len(res.Services) != 1 {
		t.Fatalf("services = %d, want one shared Service", len(res.Services))
	}
	var ports []int32
	for _, p := range res.Services[0].Spec.Ports {
		ports = append(ports, p.Port)
	}
	if !reflect.DeepEqual(ports, []int32{80, 8080}) {
		t.Errorf("ports = %v, want [80 8080] (80 reaches the same target once)", ports)
	}
}
