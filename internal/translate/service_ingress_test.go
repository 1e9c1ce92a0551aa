package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestServiceIngressALB(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":2,"ingress":{"scheme":"internet-facing","hosts":["shop.example.com","www.shop.example.com"],
		"path":"/api","pathType":"Prefix","groupName":"shop","groupOrder":10,"healthCheckPath":"/healthz","healthCheckSuccessCodes":"200-399",
		"certificateArns":["arn:aws:acm:us-east-1:1:certificate/a","arn:aws:acm:us-east-1:1:certificate/b"],
		"annotations":{"alb.ingress.kubernetes.io/ssl-redirect":"443","alb.ingress.kubernetes.io/scheme":"internal"}}}`))
	ing := res.Ingress
	if ing == nil {
		t.Fatal("no Ingress")
	}
	if ing.APIVersion != "networking.k8s.io/v1" || ing.Kind != "Ingress" || ing.Name != "web" || ing.Namespace != "shop" {
		t.Errorf("ingress %s %s %s/%s", ing.APIVersion, ing.Kind, ing.Namespace, ing.Name)
	}
	if ptr.Deref(ing.Spec.IngressClassName, "") != "alb" {
		t.Errorf("class = %v", ing.Spec.IngressClassName)
	}
	for k, v := range map[string]string{
		"alb.ingress.kubernetes.io/scheme":           "internal", // the user's annotation wins
		"alb.ingress.kubernetes.io/target-type":      "ip",
		"alb.ingress.kubernetes.io/group.name":       "shop",
		"alb.ingress.kubernetes.io/group.order":      "10",
		"alb.ingress.kubernetes.io/healthcheck-path": "/healthz",
		"alb.ingress.kubernetes.io/success-codes":    "200-399",
		"alb.ingress.kubernetes.io/certificate-arn":  "arn:aws:acm:us-east-1:1:certificate/a,arn:aws:acm:us-east-1:1:certificate/b",
		"alb.ingress.kubernetes.io/listen-ports":     `[{"HTTP":80},{"HTTPS":443}]`,
		"alb.ingress.kubernetes.io/ssl-redirect":     "443",
	} {
		if ing.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, ing.Annotations[k], v)
		}
	}
	prefix := networkingv1.PathTypePrefix
	path := networkingv1.HTTPIngressPath{Path: "/api", PathType: &prefix, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}}
	want := []networkingv1.IngressRule{
		{Host: "shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{path}}}},
		{Host: "www.shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{path}}}},
	}
	if !reflect.DeepEqual(ing.Spec.Rules, want) {
		t.Errorf("rules = %+v", ing.Spec.Rules)
	}
	if svc := svcServiceNamed(res, "web"); svc == nil || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("the Ingress needs the ClusterIP Service web: %+v", res.Services)
	}
}

func TestServiceIngressDefaults(t *testing.T) {
	in := svcBridgeInput(t, `{"desiredCount":1,"ingress":{}}`)
	in.TaskSpec.ContainerDefinitions = append(in.TaskSpec.ContainerDefinitions, in.TaskSpec.ContainerDefinitions[0])
	in.TaskSpec.ContainerDefinitions[0].Name = "sidecar"
	in.TaskSpec.ContainerDefinitions[0].Essential = ptr.To(false)
	res := svcTranslate(t, in)
	ing := res.Ingress
	if ing.Annotations["alb.ingress.kubernetes.io/scheme"] != "internal" || ing.Annotations["alb.ingress.kubernetes.io/target-type"] != "instance" {
		t.Errorf("annotations = %v", ing.Annotations)
	}
	rule := ing.Spec.Rules[0]
	if rule.Host != "" || rule.HTTP.Paths[0].Path != "/" || *rule.HTTP.Paths[0].PathType != networkingv1.PathTypePrefix {
		t.Errorf("rule = %+v", rule)
	}
	// The first essential container with a port is app (8080), not the
	// non-essential sidecar listed first.
	if rule.HTTP.Paths[0].Backend.Service.Port.Number != 8080 {
		t.Errorf("backend port = %d, want 8080", rule.HTTP.Paths[0].Backend.Service.Port.Number)
	}
	if svc := svcServiceNamed(res, "web"); svc.Spec.Type != corev1.ServiceTypeNodePort {
		t.Errorf("instance targets need a NodePort Service, got %s", svc.Spec.Type)
	}
}

func TestServiceIngressGRPC(t *testing.T) {
	in := svcInput(t, `{"desiredCount":1,"ingress":{"containerName":"app","containerPort":80}}`)
	in.Task.Ports[0].AppProtocol = "grpc"
	res := svcTranslate(t, in)
	if got := res.Ingress.Annotations["alb.ingress.kubernetes.io/backend-protocol-version"]; got != "GRPC" {
		t.Errorf("backend-protocol-version = %q", got)
	}
	if got := res.Services[0].Spec.Ports[0].AppProtocol; ptr.Deref(got, "") != "kubernetes.io/h2c" {
		t.Errorf("appProtocol = %v", got)
	}
	if got := res.Services[0].Annotations["ecs.operator.dev/app-protocols"]; got != `{"http":"grpc"}` {
		t.Errorf("app-protocols = %q", got)
	}
}

func TestServiceIngressNLB(t *testing.T) {
	res := svcTranslate(t, svcInput(t, `{"desiredCount":1,"ingress":{"type":"NLB","scheme":"internet-facing","hosts":["x.example.com"],
		"healthCheckPath":"/ready","certificateArns":["arn:aws:acm:us-east-1:1:certificate/a"],"annotations":{"service.beta.kubernetes.io/aws-load-balancer-attributes":"load_balancing.cross_zone.enabled=true"}}}`))
	if res.Ingress != nil {
		t.Errorf("an NLB needs no Ingress")
	}
	if len(res.Services) != 1 {
		t.Fatalf("services = %d, want only the NLB Service", len(res.Services))
	}
	svc := res.Services[0]
	if svc.Name != "web-nlb" || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		t.Errorf("service %s %s", svc.Name, svc.Spec.Type)
	}
	for k, v := range map[string]string{
		"service.beta.kubernetes.io/aws-load-balancer-type":                 "external",
		"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":      "ip",
		"service.beta.kubernetes.io/aws-load-balancer-scheme":               "internet-facing",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-path":     "/ready",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "HTTP",
		"service.beta.kubernetes.io/aws-load-balancer-ssl-cert":             "arn:aws:acm:us-east-1:1:certificate/a",
		"service.beta.kubernetes.io/aws-load-balancer-ssl-ports":            "80",
		"service.beta.kubernetes.io/aws-load-balancer-attributes":           "load_balancing.cross_zone.enabled=true",
	} {
		if svc.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, svc.Annotations[k], v)
		}
	}
	want := []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("http")}}
	if !reflect.DeepEqual(svc.Spec.Ports, want) {
		t.Errorf("ports = %+v", svc.Spec.Ports)
	}
	if !svcHasNote(res.Warnings, "ingress.hosts", "ALB ingresses only") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestServiceIngressErrors(t *testing.T) {
	tests := []struct {
		name, ingress, field, message string
		udp                           bool
	}{
		{"unknown container", `{"containerName":"db"}`, "ingress.containerName", "no port mapping", false},
		{"unknown port", `{"containerName":"app","containerPort":81}`, "ingress.containerPort", "containerPort 81", false},
		{"bad type", `{"type":"CLB"}`, "ingress.type", "ALB or NLB", false},
		{"udp behind ALB", `{}`, "ingress.containerPort", "UDP", true},
		{"bad path type", `{"pathType":"ImplementationSpecific"}`, "ingress.pathType", "Prefix or Exact", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := svcInput(t, `{"desiredCount":1,"ingress":`+tt.ingress+`}`)
			if tt.udp {
				in.Task.Ports[0].Protocol = corev1.ProtocolUDP
			}
			errs := svcErrors(t, in)
			if !svcHasError(errs, tt.field, tt.message) {
				t.Errorf("want %s: %q, got %v", tt.field, tt.message, errs)
			}
		})
	}
	errs := svcErrors(t, svcInput(t, `{"desiredCount":1,"ingress":{"type":"NLB"},
		"serviceConnectConfiguration":{"enabled":true,"services":[{"portName":"http","clientAliases":[{"port":81,"dnsName":"web-nlb"}]}]}}`))
	if !svcHasError(errs, "ingress", "NLB Service web-nlb has the name of a Service Connect") {
		t.Errorf("errors = %v", errs)
	}
	in := svcInput(t, `{"desiredCount":1,"ingress":{}}`)
	in.Task.Ports = nil
	if errs = svcErrors(t, in); !svcHasError(errs, "ingress", "no essential container") {
		t.Errorf("errors = %v", errs)
	}
}
