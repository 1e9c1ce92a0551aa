package translate

import (
	"net"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// translateNetworkMode maps networkMode and the task-wide process and IPC
// namespaces (field-map §1).
func (t *taskTranslation) translateNetworkMode() {
	mode := ptr.Deref(t.spec.NetworkMode, "")
	switch mode {
	case "awsvpc":
		t.networkMode = mode
	case "bridge":
		t.networkMode = mode
		if len(t.spec.ContainerDefinitions) > 1 {
			t.rep.Warn("networkMode", "bridge networking: containers now share one network namespace; ports must not clash")
		}
	case "", "default":
		// The Docker default network (bridge on Linux, NAT on Windows):
		// every container gets its own address in ECS, the pod has one.
		t.networkMode = ""
		if len(t.spec.ContainerDefinitions) > 1 && !t.fargate {
			t.rep.Info("networkMode", "Docker default network: containers now share one network namespace; ports must not clash")
		}
	case "host":
		t.networkMode = mode
		t.pod.HostNetwork = true
		t.pod.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	case "none":
		t.networkMode = mode
	default:
		t.rep.Fail("networkMode", "unknown network mode %q: use awsvpc, bridge, host or none", mode)
	}
	if t.networkMode != "none" && t.allContainersDisableNetworking() {
		t.networkMode = "none"
		t.rep.Warn("containerDefinitions", "every container sets disableNetworking: task treated as networkMode none")
	}
	if t.networkMode == "none" {
		t.rep.Warn("networkMode", "networkMode none approximated by deny-all NetworkPolicy (needs a policy-enforcing CNI)")
	}
	if t.fargate {
		if t.networkMode != "awsvpc" {
			t.rep.Fail("networkMode", "FARGATE requires networkMode awsvpc (got %q)", mode)
		}
	}

	if t.windows {
		if ptr.Deref(t.spec.PidMode, "") != "" {
			t.rep.Warn("pidMode", "pidMode does not apply to Windows pods; ignored")
		}
		if ptr.Deref(t.spec.IpcMode, "") != "" {
			t.rep.Warn("ipcMode", "ipcMode does not apply to Windows pods; ignored")
		}
		return
	}
	switch pid := ptr.Deref(t.spec.PidMode, ""); pid {
	case "":
	case "task":
		t.pod.ShareProcessNamespace = ptr.To(true)
	case "host":
		t.pod.HostPID = true
		t.rep.Warn("pidMode", "hostPID violates baseline PSS")
	default:
		t.rep.Fail("pidMode", "unknown pidMode %q: use host or task", pid)
	}
	switch ipc := ptr.Deref(t.spec.IpcMode, ""); ipc {
	case "", "task":
		// A pod's containers already share one IPC namespace.
	case "host":
		t.pod.HostIPC = true
	case "none":
		t.rep.Warn("ipcMode", "private per-container IPC is not possible in a pod")
	default:
		t.rep.Fail("ipcMode", "unknown ipcMode %q: use host, task or none", ipc)
	}
}

// portMappings counts the port mappings of all containers.
func (t *taskTranslation) portMappings() int {
	n := 0
	for _, tc := range t.containers {
		n += len(tc.def.PortMappings)
	}
	return n
}

// translatePorts maps portMappings (field-map §3.2) into container ports and
// TaskResult.Ports.
func (t *taskTranslation) translatePorts(tc *taskContainer) {
	type portKey struct {
		port     int32
		protocol corev1.Protocol
	}
	seen := map[portKey]bool{}
	protocolsByPort := map[int32]corev1.Protocol{}
	for i := range tc.def.PortMappings {
		pm := &tc.def.PortMappings[i]
		path := t.rep.Field(tc.path, ".portMappings[", strconv.Itoa(i), "]")
		protocol := corev1.ProtocolTCP
		switch p := ptr.Deref(pm.Protocol, ""); p {
		case "", "tcp":
		case "udp":
			protocol = corev1.ProtocolUDP
		default:
			t.rep.Fail(t.rep.Field(path, ".protocol"), "unknown protocol %q: use tcp or udp", p)
			continue
		}
		appProtocol := ptr.Deref(pm.AppProtocol, "")
		switch appProtocol {
		case "", "http", "http2", "grpc":
		default:
			t.rep.Fail(t.rep.Field(path, ".appProtocol"), "unknown appProtocol %q: use http, http2 or grpc", appProtocol)
		}
		if r := ptr.Deref(pm.ContainerPortRange, ""); r != "" {
			first, last, ok := parsePortRange(r)
			if !ok {
				t.rep.Fail(t.rep.Field(path, ".containerPortRange"), "invalid port range %q: use first-last with 1 <= first <= last <= 65535", r)
				continue
			}
			t.rep.Warn(t.rep.Field(path, ".containerPortRange"), "port range %d-%d not exposed through Services; the pod IP takes traffic on any port", first, last)
			continue
		}
		containerPort := ptr.Deref(pm.ContainerPort, 0)
		if containerPort < 1 || containerPort > 65535 {
			t.rep.Fail(t.rep.Field(path, ".containerPort"), "required: a port between 1 and 65535 (or a containerPortRange)")
			continue
		}
		if other, clash := protocolsByPort[containerPort]; clash && other != protocol {
			t.rep.Fail(path, "port %d is mapped with both tcp and udp in container %q; ECS allows one protocol per container port", containerPort, tc.def.Name)
			continue
		}
		protocolsByPort[containerPort] = protocol
		key := portKey{containerPort, protocol}
		if seen[key] {
			t.rep.Warn(path, "port %d/%s is mapped twice in container %q; the first mapping is kept", containerPort, protocol, tc.def.Name)
			continue
		}
		seen[key] = true

		hostPort := ptr.Deref(pm.HostPort, 0)
		port := corev1.ContainerPort{ContainerPort: containerPort, Protocol: protocol}
		switch t.networkMode {
		case "awsvpc", "host":
			if hostPort != 0 && hostPort != containerPort {
				t.rep.Fail(t.rep.Field(path, ".hostPort"), "must equal containerPort (%d) or be omitted with networkMode %s", containerPort, t.networkMode)
				continue
			}
			if t.networkMode == "host" {
				port.HostPort = containerPort
			}
		default:
			if hostPort != 0 {
				port.HostPort = hostPort
				t.rep.Warn(t.rep.Field(path, ".hostPort"), "static hostPort %d limits one pod per node", hostPort)
			}
		}
		ecsName := ptr.Deref(pm.Name, "")
		if ecsName != "" {
			port.Name = names.Port(ecsName)
			t.checkPortName(path+".name", ecsName, port.Name)
		}
		tc.k8s.Ports = appendSized(tc.k8s.Ports, len(tc.def.PortMappings), port)
		t.res.Ports = appendSized(t.res.Ports, t.portMappings(), TaskPort{
			Container:     tc.def.Name,
			Name:          port.Name,
			ECSName:       ecsName,
			ContainerPort: containerPort,
			HostPort:      hostPort,
			Protocol:      protocol,
			AppProtocol:   appProtocol,
		})
	}
	// Every container of a pod shares one network namespace.
	for _, p := range tc.k8s.Ports {
		for _, other := range t.containers[:tc.index] {
			for _, op := range other.k8s.Ports {
				if op.ContainerPort == p.ContainerPort && op.Protocol == p.Protocol {
					t.rep.Warn(t.rep.Field(tc.path, ".portMappings"), "port %d used by %s and %s will clash in one network namespace", p.ContainerPort, other.def.Name, tc.def.Name)
				}
			}
		}
	}
}

// checkPortName reports duplicate port names, before or after sanitising
// (field-map §3.2, §9): Services and Service Connect refer to them.
func (t *taskTranslation) checkPortName(path, ecsName, k8sName string) {
	for _, p := range t.res.Ports {
		switch {
		case p.ECSName == ecsName:
			t.rep.Fail(path, "port name %q is already used (container %q); port names must be unique in a task definition", ecsName, p.Container)
		case p.Name == k8sName:
			t.rep.Fail(path, "port names %q and %q both become %q after sanitising; rename one", p.ECSName, ecsName, k8sName)
		}
	}
}

func parsePortRange(r string) (first, last int, ok bool) {
	a, b, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	first, err1 := strconv.Atoi(a)
	last, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || first < 1 || last > 65535 || first > last {
		return 0, 0, false
	}
	return first, last, true
}

// translatePodNetworking merges the container-level network settings that
// are pod-wide in Kubernetes: links, extraHosts, hostname, dnsServers and
// dnsSearchDomains (field-map §3.1).
func (t *taskTranslation) translatePodNetworking() {
	aliasesByIP := map[string][]string{}
	var ipOrder []string
	addAlias := func(ip, hostname string) {
		if _, ok := aliasesByIP[ip]; !ok {
			ipOrder = append(ipOrder, ip)
		}
		if !slices.Contains(aliasesByIP[ip], hostname) {
			aliasesByIP[ip] = append(aliasesByIP[ip], hostname)
		}
	}
	hostIPs := map[string]string{}
	var servers, searches []string
	var serversField, searchesField string
	dnsContainers := 0
	var hostname string
	var hostnameFrom *taskContainer

	for _, tc := range t.containers {
		def := tc.def
		if len(def.Links) > 0 {
			for i, link := range def.Links {
				path := t.rep.Field(tc.path, ".links[", strconv.Itoa(i), "]")
				target, alias, _ := strings.Cut(link, ":")
				if _, ok := t.containerNamed(target); !ok {
					t.rep.Fail(path, "link to unknown container %q", target)
					continue
				}
				for _, h := range []string{target, alias} {
					if h == "" {
						continue
					}
					if len(validation.IsDNS1123Subdomain(h)) > 0 {
						t.rep.Warn(path, "link name %q is not a valid host name in Kubernetes; not resolvable", h)
						continue
					}
					addAlias("127.0.0.1", h)
				}
			}
			t.rep.Warn(t.rep.Field(tc.path, ".links"), "links replaced by localhost aliases")
		}
		for i, h := range def.ExtraHosts {
			path := t.rep.Field(tc.path, ".extraHosts[", strconv.Itoa(i), "]")
			if net.ParseIP(h.IPAddress) == nil {
				t.rep.Fail(t.rep.Field(path, ".ipAddress"), "%q is not an IP address", h.IPAddress)
				continue
			}
			if len(validation.IsDNS1123Subdomain(h.Hostname)) > 0 {
				t.rep.Fail(t.rep.Field(path, ".hostname"), "%q is not a valid host name", h.Hostname)
				continue
			}
			if prev, ok := hostIPs[h.Hostname]; ok && prev != h.IPAddress {
				t.rep.Warn(path, "host %s maps to both %s and %s; both entries are written, the first wins in most resolvers", h.Hostname, prev, h.IPAddress)
			}
			hostIPs[h.Hostname] = h.IPAddress
			addAlias(h.IPAddress, h.Hostname)
		}
		if len(def.DNSServers) > 0 || len(def.DNSSearchDomains) > 0 {
			dnsContainers++
		}
		if len(def.DNSServers) > 0 && serversField == "" {
			serversField = tc.path + ".dnsServers"
		}
		if len(def.DNSSearchDomains) > 0 && searchesField == "" {
			searchesField = tc.path + ".dnsSearchDomains"
		}
		for _, s := range def.DNSServers {
			if !slices.Contains(servers, s) {
				servers = append(servers, s)
			}
		}
		for _, s := range def.DNSSearchDomains {
			if !slices.Contains(searches, s) {
				searches = append(searches, s)
			}
		}
		if h := ptr.Deref(def.Hostname, ""); h != "" {
			switch {
			case hostnameFrom == nil:
				hostname, hostnameFrom = h, tc
			case h != hostname && tc.essential && !hostnameFrom.essential:
				t.rep.Warn(t.rep.Field(hostnameFrom.path, ".hostname"), "containers set different hostnames; the pod uses %q from essential container %q", h, def.Name)
				hostname, hostnameFrom = h, tc
			case h != hostname:
				t.rep.Warn(t.rep.Field(tc.path, ".hostname"), "containers set different hostnames; the pod uses %q from container %q", hostname, hostnameFrom.def.Name)
			}
		}
	}
	for _, ip := range ipOrder {
		t.pod.HostAliases = append(t.pod.HostAliases, corev1.HostAlias{IP: ip, Hostnames: aliasesByIP[ip]})
	}
	if hostnameFrom != nil {
		t.translateHostname(hostnameFrom, hostname)
	}
	t.translateDNS(servers, searches, serversField, searchesField, dnsContainers)
}

func (t *taskTranslation) translateHostname(tc *taskContainer, hostname string) {
	path := t.rep.Field(tc.path, ".hostname")
	switch {
	case t.pod.HostNetwork:
		t.rep.Warn(path, "hostname ignored with networkMode host: the pod uses the node's hostname")
	case len(validation.IsDNS1123Label(hostname)) == 0:
		t.pod.Hostname = hostname
	case len(validation.IsDNS1123Subdomain(hostname)) == 0 && t.caps.HostnameOverride && len(hostname) <= 64:
		t.pod.HostnameOverride = ptr.To(hostname)
	default:
		short := names.Object(strings.SplitN(hostname, ".", 2)[0])
		t.pod.Hostname = short
		t.rep.Warn(path, "hostname %q cannot be the pod hostname here; using %q", hostname, short)
	}
	if t.networkMode == "awsvpc" {
		t.rep.Info(path, "ECS does not allow hostname with awsvpc; applied to the pod")
	}
}

// translateDNS merges dnsServers and dnsSearchDomains into the pod's DNS
// settings; the fields name the first container that sets each.
func (t *taskTranslation) translateDNS(servers, searches []string, serversField, searchesField string, dnsContainers int) {
	if len(servers) == 0 && len(searches) == 0 {
		return
	}
	if len(servers) > 3 {
		t.rep.Fail(serversField, "%d distinct DNS servers across containers; Kubernetes allows at most 3 per pod", len(servers))
		return
	}
	if len(searches) > 32 {
		t.rep.Fail(searchesField, "%d distinct search domains across containers; Kubernetes allows at most 32 per pod", len(searches))
		return
	}
	for _, s := range servers {
		if net.ParseIP(s) == nil {
			t.rep.Fail(serversField, "%q is not an IP address", s)
			return
		}
	}
	t.pod.DNSConfig = &corev1.PodDNSConfig{Nameservers: servers, Searches: searches}
	if dnsContainers < len(t.containers) {
		field := serversField
		if field == "" {
			field = searchesField
		}
		t.rep.Warn(field, "dnsServers/dnsSearchDomains of some containers now apply to the whole pod")
	}
	if len(servers) == 0 {
		// Search domains merge with the cluster's under the default policy.
		return
	}
	keepCluster := t.spec.Kubernetes != nil && ptr.Deref(t.spec.Kubernetes.DNSServersKeepCluster, false)
	if keepCluster {
		// ClusterFirst plus dnsConfig puts the cluster resolver first and
		// appends these servers, keeping the cluster search path and
		// ndots, without the translation knowing the cluster DNS address.
		if t.pod.DNSPolicy == "" {
			t.pod.DNSPolicy = corev1.DNSClusterFirst
		}
		t.rep.Warn(serversField, "custom DNS servers follow the cluster DNS (kubernetes.dnsServersKeepCluster); the kubelet keeps at most 3 servers in total")
		return
	}
	t.pod.DNSPolicy = corev1.DNSNone
	t.rep.Warn(serversField, "custom DNS servers replace cluster DNS (Kubernetes Services no longer resolve; set kubernetes.dnsServersKeepCluster to keep them)")
}

// translateNetworkPolicy approximates networkMode none with a per-revision
// NetworkPolicy that denies all traffic to and from the task's pods.
func (t *taskTranslation) translateNetworkPolicy() {
	if t.networkMode != "none" {
		return
	}
	name := names.Suffixed(t.familyName, "none-r"+strconv.FormatInt(t.revision, 10))
	t.res.NetworkPolicy = &networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   t.namespace,
			Labels:      t.childLabels(true),
			Annotations: t.childAnnotations(t.family, t.familyName),
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{
				ecsv1.LabelFamily:   t.familyLabel,
				ecsv1.LabelRevision: strconv.FormatInt(t.revision, 10),
			}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
}
