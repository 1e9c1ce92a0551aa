package translate

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// buildServiceConnect maps Service Connect endpoints to ClusterIP Services
// named as clients call them (field-map §6.4). Clients then reach
// <name>:<alias port> through kube-proxy, which forwards to the named
// container port, as the Service Connect proxy does. No proxy runs, so
// its settings (timeouts, TLS, logs) are reported.
func (t *serviceTranslation) buildServiceConnect(set *serviceSet) {
	sc := t.spec.ServiceConnectConfiguration
	if sc == nil {
		return
	}
	const base = "serviceConnectConfiguration"
	if !sc.Enabled {
		if len(sc.Services) > 0 {
			t.rep.Info(t.rep.Field(base, ".enabled"), "false; services ignored")
		}
		return
	}
	if sc.LogConfiguration != nil {
		t.rep.Info(t.rep.Field(base, ".logConfiguration"), "Envoy proxy logs; no proxy runs in Kubernetes; ignored")
	}
	if sc.AccessLogConfiguration != nil {
		t.rep.Info(t.rep.Field(base, ".accessLogConfiguration"), "Envoy proxy access logs; no proxy runs in Kubernetes; ignored")
	}
	namespace := ptr.Deref(sc.Namespace, "")
	t.checkServiceConnectNamespace(base+".namespace", namespace)
	if len(sc.Services) == 0 {
		t.rep.Info(t.rep.Field(base, ".services"), "client-only Service Connect: clients resolve Kubernetes Services by name; nothing to create")
		return
	}
	for i, s := range sc.Services {
		field := fmt.Sprintf("%s.services[%d]", base, i)
		port, ok := t.serviceConnectPort(field+".portName", s.PortName)
		if !ok {
			continue
		}
		if s.IngressPortOverride != nil {
			t.rep.Info(t.rep.Field(field, ".ingressPortOverride"), "no proxy sits in the path; ignored")
		}
		if s.Timeout != nil {
			t.rep.Warn(t.rep.Field(field, ".timeout"), "Service Connect timeouts/TLS need a service mesh")
		}
		if s.TLS != nil {
			t.rep.Warn(t.rep.Field(field, ".tls"), "Service Connect timeouts/TLS need a service mesh")
		}
		discovery := ptr.Deref(s.DiscoveryName, "")
		if discovery == "" {
			discovery = s.PortName
		}
		sp := t.servicePortFor(port)
		sp.TargetPort = intstr.FromString(port.Name)
		if len(s.ClientAliases) == 0 {
			// Without an alias the endpoint is only discoverable under
			// its discovery name, at the container port.
			svc := t.serviceConnectService(set, discovery)
			t.addServicePort(set, svc, sp, field)
			continue
		}
		for j, alias := range s.ClientAliases {
			aliasField := fmt.Sprintf("%s.clientAliases[%d]", field, j)
			if alias.Port <= 0 {
				t.rep.Fail(t.rep.Field(aliasField, ".port"), "required: the port clients connect to (1-65535)")
				continue
			}
			dnsName := ptr.Deref(alias.DNSName, "")
			if dnsName == "" {
				// ECS: the default DNS name is discoveryName.namespace.
				dnsName = discovery
				if namespace != "" {
					dnsName += "." + namespace
				}
			}
			t.checkServiceConnectDNSName(aliasField+".dnsName", dnsName)
			if alias.TestTrafficRules != nil {
				t.rep.Warn(t.rep.Field(aliasField, ".testTrafficRules"), "blue/green test traffic not translated")
			}
			svc := t.serviceConnectService(set, serviceConnectServiceName(dnsName))
			aliasPort := sp
			aliasPort.Port = alias.Port
			t.addServicePort(set, svc, aliasPort, aliasField)
		}
	}
}

// serviceConnectPort finds the port mapping a Service Connect service
// names; it must have a name, since it is the Service's target port.
func (t *serviceTranslation) serviceConnectPort(field, portName string) (TaskPort, bool) {
	for _, p := range t.in.Task.Ports {
		if p.ECSName != "" && p.ECSName == portName {
			return p, true
		}
	}
	t.rep.Fail(field, "no port mapping of the task definition is named %q", portName)
	return TaskPort{}, false
}

// serviceConnectService returns the Service of that name, creating a
// ClusterIP Service. A headless Cloud Map Service of the same name becomes
// a ClusterIP one: an alias port may differ from the container port, and
// only a virtual IP translates ports.
func (t *serviceTranslation) serviceConnectService(set *serviceSet, name string) *corev1.Service {
	if svc := set.get(name); svc != nil {
		if svc.Spec.ClusterIP != "" {
			svc.Spec.ClusterIP = ""
			t.rep.Warn("serviceRegistries[0].registryArn", "the Cloud Map Service %s is shared with Service Connect, so DNS returns a virtual IP rather than the task IPs", name)
		}
		return svc
	}
	return t.newService(set, name)
}

// checkServiceConnectNamespace reports a Cloud Map namespace that is not
// the Kubernetes namespace the Services are created in: short names
// resolve only within one Kubernetes namespace.
func (t *serviceTranslation) checkServiceConnectNamespace(field, namespace string) {
	if namespace == "" || namespace == t.in.Namespace {
		return
	}
	mapped, ok := t.cluster.ServiceConnectNamespaces[namespace]
	switch {
	case !ok:
		t.rep.Warn(field, "Service Connect namespace %s ≠ Kubernetes namespace %s", namespace, t.in.Namespace)
	case mapped != t.in.Namespace:
		t.rep.Warn(field, "Service Connect namespace %s maps to Kubernetes namespace %s, but this service runs in %s; clients elsewhere must use <name>.%s", namespace, mapped, t.in.Namespace, t.in.Namespace)
	}
}

// checkServiceConnectDNSName reports a dotted client alias that cluster
// DNS does not resolve by itself: <label>.<namespace> resolves through the
// pod's search path only when <namespace> is the Kubernetes namespace.
func (t *serviceTranslation) checkServiceConnectDNSName(field, dnsName string) {
	label, rest, dotted := strings.Cut(dnsName, ".")
	if !dotted || rest == t.in.Namespace || rest == t.in.Namespace+".svc" || rest == t.in.Namespace+".svc.cluster.local" {
		return
	}
	t.rep.Warn(field, "alias %s needs CoreDNS rewrite to %s.%s.svc.cluster.local", dnsName, serviceConnectServiceName(label), t.in.Namespace)
}
