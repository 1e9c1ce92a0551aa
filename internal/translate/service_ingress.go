package translate

import (
	"encoding/json"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Annotations of the AWS Load Balancer Controller.
const (
	albPrefix = "alb.ingress.kubernetes.io/"
	nlbPrefix = "service.beta.kubernetes.io/aws-load-balancer-"
)

// serviceIngressTarget is the validated ingress extension.
type serviceIngressTarget struct {
	nlb  bool
	port TaskPort
}

// ingressTarget validates spec.ingress and picks the port it routes to:
// containerName/containerPort, else the first port of the first essential
// container that has one.
func (t *serviceTranslation) ingressTarget() *serviceIngressTarget {
	ing := t.spec.Ingress
	if ing == nil {
		return nil
	}
	target := &serviceIngressTarget{}
	switch typ := ptr.Deref(ing.Type, "ALB"); typ {
	case "ALB":
	case "NLB":
		target.nlb = true
	default:
		t.rep.Fail("ingress.type", "%q is not ALB or NLB", typ)
		return nil
	}
	if t.networkMode == networkModeNone {
		t.rep.Fail("ingress", "the task definition uses networkMode none; a load balancer cannot reach it")
		return nil
	}
	container := ptr.Deref(ing.ContainerName, "")
	if container == "" {
		for _, def := range t.task.ContainerDefinitions {
			if ptr.Deref(def.Essential, true) && t.containerHasPort(def.Name) {
				container = def.Name
				break
			}
		}
		if container == "" {
			t.rep.Fail("ingress", "no essential container of the task definition has a port mapping to route to; set containerName and containerPort")
			return nil
		}
	} else if !t.containerHasPort(container) {
		t.rep.Fail("ingress.containerName", "container %q has no port mapping", container)
		return nil
	}
	if ing.ContainerPort == nil {
		for _, p := range t.in.Task.Ports {
			if p.Container == container {
				target.port = p
				break
			}
		}
	} else {
		p, ok := t.taskPort(container, *ing.ContainerPort)
		if !ok {
			t.rep.Fail("ingress.containerPort", "container %q has no port mapping with containerPort %d", container, *ing.ContainerPort)
			return nil
		}
		target.port = p
	}
	if !target.nlb && target.port.Protocol == corev1.ProtocolUDP {
		t.rep.Fail("ingress.containerPort", "an ALB routes HTTP; port %d is UDP (use type NLB)", target.port.ContainerPort)
		return nil
	}
	return target
}

func (t *serviceTranslation) containerHasPort(container string) bool {
	for _, p := range t.in.Task.Ports {
		if p.Container == container {
			return true
		}
	}
	return false
}

// buildIngress builds the ALB Ingress in front of the LB Service (design
// ingress extension; field-map §6.5): ingressClassName alb, the AWS Load
// Balancer Controller annotations, and one rule per host.
func (t *serviceTranslation) buildIngress(target *serviceIngressTarget) {
	ing := t.spec.Ingress
	meta := t.childMeta(serviceObjectName(t.name))
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	a := meta.Annotations
	a[albPrefix+"scheme"] = ptr.Deref(ing.Scheme, "internal")
	a[albPrefix+"target-type"] = t.targetType()
	if g := ptr.Deref(ing.GroupName, ""); g != "" {
		a[albPrefix+"group.name"] = g
	}
	if ing.GroupOrder != nil {
		a[albPrefix+"group.order"] = strconv.Itoa(int(*ing.GroupOrder))
	}
	if p := ptr.Deref(ing.HealthCheckPath, ""); p != "" {
		a[albPrefix+"healthcheck-path"] = p
	}
	if c := ptr.Deref(ing.HealthCheckSuccessCodes, ""); c != "" {
		a[albPrefix+"success-codes"] = c
	}
	if len(ing.CertificateArns) > 0 {
		a[albPrefix+"certificate-arn"] = strings.Join(ing.CertificateArns, ",")
		listen, _ := json.Marshal([]map[string]int{{"HTTP": 80}, {"HTTPS": 443}})
		a[albPrefix+"listen-ports"] = string(listen)
	}
	switch strings.ToLower(target.port.AppProtocol) {
	case "grpc":
		a[albPrefix+"backend-protocol-version"] = "GRPC"
	case "http2":
		a[albPrefix+"backend-protocol-version"] = "HTTP2"
	}
	for k, v := range ing.Annotations {
		a[k] = v
	}

	pathType := networkingv1.PathTypePrefix
	switch pt := ptr.Deref(ing.PathType, "Prefix"); pt {
	case "Prefix":
	case "Exact":
		pathType = networkingv1.PathTypeExact
	default:
		t.rep.Fail("ingress.pathType", "%q is not Prefix or Exact", pt)
	}
	http := &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
		Path:     ptr.Deref(ing.Path, "/"),
		PathType: &pathType,
		Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: serviceLBServiceName(t.name),
			Port: networkingv1.ServiceBackendPort{Number: target.port.ContainerPort},
		}},
	}}}
	var rules []networkingv1.IngressRule
	for _, host := range ing.Hosts {
		rules = append(rules, networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: http.DeepCopy()}})
	}
	if len(rules) == 0 {
		rules = []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{HTTP: http}}}
	}
	t.result.Ingress = &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: meta,
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To(ptr.Deref(ing.ClassName, "alb")),
			Rules:            rules,
		},
	}
}

// buildNLBService builds the LoadBalancer Service of an NLB ingress: the
// AWS Load Balancer Controller provisions an NLB for it
// (aws-load-balancer-type external). It exposes the ingress port only.
func (t *serviceTranslation) buildNLBService(set *serviceSet, target *serviceIngressTarget) {
	ing := t.spec.Ingress
	albOnly := []struct {
		field string
		set   bool
	}{
		{"ingress.className", ing.ClassName != nil},
		{"ingress.hosts", len(ing.Hosts) > 0},
		{"ingress.path", ing.Path != nil},
		{"ingress.pathType", ing.PathType != nil},
		{"ingress.groupName", ing.GroupName != nil},
		{"ingress.groupOrder", ing.GroupOrder != nil},
	}
	for _, f := range albOnly {
		if f.set {
			t.rep.Warn(f.field, "applies to ALB ingresses only; ignored for an NLB")
		}
	}
	name := serviceNLBServiceName(t.name)
	if set.get(name) != nil {
		// Merging would publish the other Service's ports on the NLB.
		t.rep.Fail("ingress", "the NLB Service %s has the name of a Service Connect or Cloud Map Service; rename that endpoint", name)
		return
	}
	svc := t.newService(set, name)
	svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	if svc.Annotations == nil {
		svc.Annotations = map[string]string{}
	}
	a := svc.Annotations
	a[nlbPrefix+"type"] = "external"
	a[nlbPrefix+"nlb-target-type"] = t.targetType()
	a[nlbPrefix+"scheme"] = ptr.Deref(ing.Scheme, "internal")
	if p := ptr.Deref(ing.HealthCheckPath, ""); p != "" {
		a[nlbPrefix+"healthcheck-protocol"] = "HTTP"
		a[nlbPrefix+"healthcheck-path"] = p
	}
	if c := ptr.Deref(ing.HealthCheckSuccessCodes, ""); c != "" {
		a[nlbPrefix+"healthcheck-success-codes"] = c
	}
	if len(ing.CertificateArns) > 0 {
		a[nlbPrefix+"ssl-cert"] = strings.Join(ing.CertificateArns, ",")
		a[nlbPrefix+"ssl-ports"] = strconv.Itoa(int(target.port.ContainerPort))
	}
	for k, v := range ing.Annotations {
		a[k] = v
	}
	t.addServicePort(set, svc, t.servicePortFor(target.port), "ingress")
}
