package translate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// Shapes of the AWS identifiers the generated objects carry. A value that
// does not match (an unrendered template, a documentation placeholder)
// would only fail later inside an AWS controller, so it is an error here.
var (
	serviceTargetGroupARN  = regexp.MustCompile(`^arn:[^:\s]+:elasticloadbalancing:[^:\s]+:[^:\s]+:targetgroup/[^/\s]+/[^/\s]+$`)
	serviceRegistryARN     = regexp.MustCompile(`^arn:[^:\s]+:servicediscovery:[^:\s]+:[^:\s]+:service/[^/\s]+$`)
	serviceSecurityGroupID = regexp.MustCompile(`^sg-[0-9A-Za-z]+$`)
)

// Target types of a TargetGroupBinding (and ALB/NLB target-type
// annotations).
const (
	targetTypeIP       = "ip"
	targetTypeInstance = "instance"
)

// serviceSet collects the Services of a translation by name, so that a
// registry or Service Connect endpoint whose name equals another Service
// shares it instead of producing two objects with one name.
type serviceSet struct {
	list []*corev1.Service
	// portFields says which ECS field added each port ("name:port/proto").
	portFields map[string]string
}

func (s *serviceSet) get(name string) *corev1.Service {
	for _, svc := range s.list {
		if svc.Name == name {
			return svc
		}
	}
	return nil
}

// buildNetworking builds the Services, TargetGroupBindings, Ingress and
// SecurityGroupPolicy (field-map §6.1 networkConfiguration, §6.4, §6.5).
func (t *serviceTranslation) buildNetworking() {
	t.buildSecurityGroupPolicy()
	set := &serviceSet{portFields: map[string]string{}}
	bindings := t.targetGroupBindings()
	ingress := t.ingressTarget()
	instance := t.targetType() == targetTypeInstance
	if len(bindings) > 0 || (ingress != nil && !ingress.nlb) {
		svc := t.newService(set, serviceLBServiceName(t.name))
		if instance {
			// Instance targets are nodes: the load balancer reaches the
			// pods through a node port.
			svc.Spec.Type = corev1.ServiceTypeNodePort
		}
		for _, p := range t.in.Task.Ports {
			t.addServicePort(set, svc, t.servicePortFor(p), "loadBalancers")
		}
	}
	t.buildServiceRegistry(set)
	t.buildServiceConnect(set)
	for _, b := range bindings {
		t.result.TargetGroupBindings = append(t.result.TargetGroupBindings, t.targetGroupBinding(b))
	}
	if ingress != nil {
		if ingress.nlb {
			t.buildNLBService(set, ingress)
		} else {
			t.buildIngress(ingress)
		}
	}
	for _, svc := range set.list {
		t.annotateAppProtocols(svc)
	}
	t.result.Services = set.list
}

// awsvpc is the service's awsvpc configuration, nil when absent.
func (t *serviceTranslation) awsvpc() *ecsv1.AwsVpcConfiguration {
	if nc := t.spec.NetworkConfiguration; nc != nil {
		return nc.AwsvpcConfiguration
	}
	return nil
}

// targetType is how load balancers reach the pods: pod IPs for awsvpc
// tasks (as ECS registers task ENIs), nodes for bridge and host tasks (as
// ECS registers container instances).
func (t *serviceTranslation) targetType() string {
	if t.networkMode == networkModeAwsvpc {
		return targetTypeIP
	}
	return targetTypeInstance
}

// buildSecurityGroupPolicy maps awsvpcConfiguration: security groups to a
// SecurityGroupPolicy (branch ENIs per pod), public IPs to a warning.
func (t *serviceTranslation) buildSecurityGroupPolicy() {
	vpc := t.awsvpc()
	if vpc == nil {
		return
	}
	const field = "networkConfiguration.awsvpcConfiguration"
	if t.networkMode != networkModeAwsvpc {
		t.rep.Fail(field, "only valid for task definitions with networkMode awsvpc (this one uses %s); remove it", t.networkMode)
		return
	}
	switch ip := ptr.Deref(vpc.AssignPublicIP, ""); ip {
	case "", "DISABLED":
	case "ENABLED":
		t.rep.Warn(t.rep.Field(field, ".assignPublicIp"), "pods cannot get public IPs")
	default:
		t.rep.Fail(t.rep.Field(field, ".assignPublicIp"), "%q is not ENABLED or DISABLED", ip)
	}
	if len(vpc.SecurityGroups) == 0 {
		return
	}
	groups := make([]any, 0, len(vpc.SecurityGroups))
	for _, sg := range vpc.SecurityGroups {
		if !serviceSecurityGroupID.MatchString(sg) {
			t.rep.Fail(t.rep.Field(field, ".securityGroups"), "%q is not a security group ID (sg-…); render templates and placeholders first", sg)
			continue
		}
		groups = append(groups, sg)
	}
	t.rep.Info(t.rep.Field(field, ".securityGroups"), "security groups per pod need the VPC CNI with ENABLE_POD_ENI=true on Nitro nodes")
	t.result.SecurityGroupPolicy = t.newUnstructured("vpcresources.k8s.aws/v1beta1", "SecurityGroupPolicy", serviceObjectName(t.name), map[string]any{
		"podSelector":    map[string]any{"matchLabels": stringMapToAny(t.podSelector())},
		"securityGroups": map[string]any{"groupIds": groups},
	})
}

// newService adds an empty ClusterIP Service selecting the service's pods.
func (t *serviceTranslation) newService(set *serviceSet, name string) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: t.childMeta(name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: t.podSelector(),
		},
	}
	set.list = append(set.list, svc)
	return svc
}

// servicePortFor is the Service port of a task port mapping: the same
// number, the named container port as target (so the Service follows the
// pod if the number changes), and the appProtocol of field-map §3.2.
func (t *serviceTranslation) servicePortFor(p TaskPort) corev1.ServicePort {
	protocol := p.Protocol
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	sp := corev1.ServicePort{Name: p.Name, Protocol: protocol, Port: p.ContainerPort, TargetPort: intstr.FromInt32(p.ContainerPort)}
	if p.Name != "" {
		sp.TargetPort = intstr.FromString(p.Name)
	} else {
		sp.Name = strings.ToLower(string(protocol)) + "-" + strconv.Itoa(int(p.ContainerPort))
	}
	if ap := serviceAppProtocol(p.AppProtocol); ap != "" {
		sp.AppProtocol = ptr.To(ap)
	}
	return sp
}

// serviceAppProtocol maps an ECS appProtocol to a Service appProtocol
// (field-map §3.2, §11.7): grpc is not a standard Kubernetes value, and
// both gRPC and HTTP/2 are cleartext HTTP/2 on the wire.
func serviceAppProtocol(ecs string) string {
	switch strings.ToLower(ecs) {
	case "http":
		return "http"
	case "http2", "grpc":
		return "kubernetes.io/h2c"
	}
	return ""
}

// addServicePort adds a port to a Service. The same number and protocol
// twice is kept once when it reaches the same target, and is an error
// when it does not (one Service port cannot lead to two container ports).
// Port names must be unique within a Service, so a clashing name gets the
// port number appended.
func (t *serviceTranslation) addServicePort(set *serviceSet, svc *corev1.Service, sp corev1.ServicePort, field string) {
	for _, have := range svc.Spec.Ports {
		if have.Port != sp.Port || have.Protocol != sp.Protocol {
			continue
		}
		if have.TargetPort != sp.TargetPort {
			key := svc.Name + ":" + strconv.Itoa(int(have.Port)) + "/" + string(have.Protocol)
			t.rep.Fail(field, "port %d/%s of Service %s already leads to %s (from %s); use another port", sp.Port, sp.Protocol, svc.Name, have.TargetPort.String(), set.portFields[key])
		}
		return
	}
	if slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == sp.Name }) {
		sp.Name = sp.Name + "-" + strconv.Itoa(int(sp.Port))
	}
	set.portFields[svc.Name+":"+strconv.Itoa(int(sp.Port))+"/"+string(sp.Protocol)] = field
	svc.Spec.Ports = append(svc.Spec.Ports, sp)
}

// annotateAppProtocols keeps the ECS appProtocol of each port in the
// ecs.operator.dev/app-protocols annotation (JSON, port name → ECS value),
// because grpc and http2 share one Kubernetes value.
func (t *serviceTranslation) annotateAppProtocols(svc *corev1.Service) {
	protocols := map[string]string{}
	for _, sp := range svc.Spec.Ports {
		for _, p := range t.in.Task.Ports {
			if p.AppProtocol != "" && (sp.TargetPort == intstr.FromString(p.Name) || (p.Name == "" && sp.TargetPort == intstr.FromInt32(p.ContainerPort))) {
				protocols[sp.Name] = p.AppProtocol
				break
			}
		}
	}
	if len(protocols) == 0 {
		return
	}
	encoded, _ := json.Marshal(protocols) // a map of strings always encodes
	if svc.Annotations == nil {
		svc.Annotations = map[string]string{}
	}
	svc.Annotations[ecsv1.AnnotationAppProtocols] = string(encoded)
}

// taskPort finds the port mapping of an ECS container and container port.
func (t *serviceTranslation) taskPort(container string, port int32) (TaskPort, bool) {
	for _, p := range t.in.Task.Ports {
		if p.Container == container && p.ContainerPort == port {
			return p, true
		}
	}
	return TaskPort{}, false
}

// serviceBinding is one validated loadBalancers entry.
type serviceBinding struct {
	index int
	arn   string
	port  TaskPort
}

// targetGroupBindings validates loadBalancers (field-map §6.5) and returns
// the entries that become TargetGroupBindings.
func (t *serviceTranslation) targetGroupBindings() []serviceBinding {
	var out []serviceBinding
	for i, lb := range t.spec.LoadBalancers {
		field := fmt.Sprintf("loadBalancers[%d]", i)
		if lb.LoadBalancerName != nil {
			t.rep.Warn(t.rep.Field(field, ".loadBalancerName"), "Classic Load Balancer not supported")
		}
		if lb.AdvancedConfiguration != nil {
			t.rep.Warn(t.rep.Field(field, ".advancedConfiguration"), "blue/green target groups and listener rules not translated (rolling update used)")
		}
		arn := ptr.Deref(lb.TargetGroupArn, "")
		if arn == "" {
			if lb.LoadBalancerName == nil {
				t.rep.Fail(t.rep.Field(field, ".targetGroupArn"), "required: the target group to register the tasks with")
			}
			continue
		}
		if !serviceTargetGroupARN.MatchString(arn) {
			t.rep.Fail(t.rep.Field(field, ".targetGroupArn"), "%q is not a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID); render templates and placeholders first", arn)
			continue
		}
		port, ok := t.loadBalancerPort(field, lb.ContainerName, lb.ContainerPort)
		if !ok {
			continue
		}
		out = append(out, serviceBinding{index: i, arn: arn, port: port})
	}
	if len(out) > 0 {
		t.rep.Info("loadBalancers", "label the namespace elbv2.k8s.aws/pod-readiness-gate-inject=enabled so rollouts wait for target health, as ECS does")
	}
	return out
}

// loadBalancerPort resolves the containerName/containerPort of a load
// balancer entry to a task port mapping.
func (t *serviceTranslation) loadBalancerPort(field string, container *string, port *int32) (TaskPort, bool) {
	if t.networkMode == networkModeNone {
		t.rep.Fail(field, "the task definition uses networkMode none; a load balancer cannot reach it")
		return TaskPort{}, false
	}
	switch {
	case ptr.Deref(container, "") == "":
		t.rep.Fail(t.rep.Field(field, ".containerName"), "required: the container to register")
		return TaskPort{}, false
	case port == nil || *port == 0:
		t.rep.Fail(t.rep.Field(field, ".containerPort"), "required: the container port to register")
		return TaskPort{}, false
	}
	p, ok := t.taskPort(*container, *port)
	if !ok {
		t.rep.Fail(t.rep.Field(field, ".containerPort"), "container %q has no port mapping with containerPort %d", *container, *port)
	}
	return p, ok
}

// targetGroupBinding builds the binding of one target group to the LB
// Service.
func (t *serviceTranslation) targetGroupBinding(b serviceBinding) *unstructured.Unstructured {
	return t.newUnstructured("elbv2.k8s.aws/v1beta1", "TargetGroupBinding", serviceTargetGroupBindingName(t.name, b.index), map[string]any{
		"serviceRef":     map[string]any{"name": serviceLBServiceName(t.name), "port": int64(b.port.ContainerPort)},
		"targetGroupARN": b.arn,
		"targetType":     t.targetType(),
	})
}

// buildServiceRegistry maps the Cloud Map registry to a headless Service
// (field-map §6.4): DNS then answers with the task IPs, as Cloud Map does.
func (t *serviceTranslation) buildServiceRegistry(set *serviceSet) {
	regs := t.spec.ServiceRegistries
	if len(regs) == 0 {
		return
	}
	if len(regs) > 1 {
		t.rep.Fail("serviceRegistries", "ECS supports one service registry per service; %d given", len(regs))
		return
	}
	const field = "serviceRegistries[0]"
	reg := regs[0]
	arn := ptr.Deref(reg.RegistryArn, "")
	if !serviceRegistryARN.MatchString(arn) {
		t.rep.Fail(t.rep.Field(field, ".registryArn"), "%q is not a Cloud Map service ARN (arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-…); render templates and placeholders first", arn)
		return
	}
	var ports []corev1.ServicePort
	container, containerPort := ptr.Deref(reg.ContainerName, ""), ptr.Deref(reg.ContainerPort, 0)
	switch {
	case reg.Port != nil && (container != "" || containerPort != 0):
		t.rep.Fail(field, "set either port or containerName and containerPort, not both (as in ECS)")
		return
	case container != "" || containerPort != 0:
		p, ok := t.loadBalancerPort(field, reg.ContainerName, reg.ContainerPort)
		if !ok {
			return
		}
		ports = append(ports, t.servicePortFor(p))
	case reg.Port != nil:
		if t.networkMode != networkModeAwsvpc {
			t.rep.Fail(t.rep.Field(field, ".port"), "bridge and host tasks name the SRV port with containerName and containerPort")
			return
		}
		i := slices.IndexFunc(t.in.Task.Ports, func(p TaskPort) bool { return p.ContainerPort == *reg.Port })
		if i < 0 {
			t.rep.Fail(t.rep.Field(field, ".port"), "no container of the task definition has a port mapping with containerPort %d", *reg.Port)
			return
		}
		ports = append(ports, t.servicePortFor(t.in.Task.Ports[i]))
	}
	// When the load balancer Service already has the name, the registry
	// shares it instead of a second object with the same name: clients
	// still resolve the name and reach the tasks, through a virtual IP.
	name := serviceDiscoveryName(t.name, t.in.Annotations)
	srvID := arn[strings.LastIndex(arn, "/")+1:]
	svc := set.get(name)
	if svc == nil {
		svc = t.newService(set, name)
		svc.Spec.ClusterIP = corev1.ClusterIPNone
		t.rep.Warn(t.rep.Field(field, ".registryArn"), "Cloud Map service %s becomes %s.%s.svc (set annotation %s to its Cloud Map name)", srvID, name, t.in.Namespace, ecsv1.AnnotationCloudMapName)
	} else {
		t.rep.Warn(t.rep.Field(field, ".registryArn"), "Cloud Map service %s becomes %s.%s.svc, shared with the load balancer Service, so DNS returns a virtual IP rather than the task IPs", srvID, name, t.in.Namespace)
	}
	for _, sp := range ports {
		t.addServicePort(set, svc, sp, field)
	}
}

// newUnstructured builds an integration object (a CRD kind the operator
// does not import types for) with the child metadata.
func (t *serviceTranslation) newUnstructured(apiVersion, kind, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	meta := t.childMeta(name)
	u.SetName(meta.Name)
	u.SetNamespace(meta.Namespace)
	u.SetLabels(meta.Labels)
	u.SetAnnotations(meta.Annotations)
	return u
}
