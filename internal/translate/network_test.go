package translate

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/utils/ptr"

	"github.com/ecs-operator/ecs-operator/internal/names"
)

func TestNetworkModes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    string
		check   func(t *testing.T, res *TaskResult)
		warning string
	}{
		{"awsvpc", `"awsvpc"`, func(t *testing.T, res *TaskResult) {
			if res.PodTemplate.Spec.HostNetwork || res.NetworkPolicy != nil {
				t.Error("awsvpc is the normal pod network")
			}
		}, ""},
		{"host", `"host"`, func(t *testing.T, res *TaskResult) {
			spec := res.PodTemplate.Spec
			if !spec.HostNetwork || spec.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
				t.Errorf("hostNetwork %v dnsPolicy %q", spec.HostNetwork, spec.DNSPolicy)
			}
			if got := podContainer(t, res, "a").Ports[0].HostPort; got != 8080 {
				t.Errorf("hostPort = %d, want 8080", got)
			}
		}, ""},
		{"bridge", `"bridge"`, func(t *testing.T, res *TaskResult) {}, "containers now share one network namespace"},
		{"none", `"none"`, func(t *testing.T, res *TaskResult) {
			np := res.NetworkPolicy
			if np == nil {
				t.Fatal("no NetworkPolicy")
			}
			if np.Name != "f-none-r3" || np.Namespace != "apps" || np.APIVersion != "networking.k8s.io/v1" ||
				!reflect.DeepEqual(np.Spec.PolicyTypes, []networkingv1.PolicyType{"Ingress", "Egress"}) ||
				len(np.Spec.Ingress) != 0 || len(np.Spec.Egress) != 0 ||
				np.Spec.PodSelector.MatchLabels["ecs.operator.dev/revision"] != "3" {
				t.Errorf("NetworkPolicy = %+v", np)
			}
		}, "deny-all NetworkPolicy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := taskOK(t, taskIn(t, `{"family":"f","networkMode":`+tc.mode+`,"containerDefinitions":[
				{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":8080}]},{"name":"b","image":"i","memory":64}]}`))
			tc.check(t, res)
			if tc.warning != "" {
				requireWarning(t, res, "networkMode", tc.warning)
			}
		})
	}
	requireError(t, taskFails(t, taskIn(t, `{"family":"f","networkMode":"{{networkmode}}","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`)),
		"networkMode", "unknown network mode")
	requireError(t, taskFails(t, taskIn(t, `{"family":"f","networkMode":"bridge","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}`)),
		"networkMode", "FARGATE requires networkMode awsvpc")
}

func TestProcessAndIPCNamespaces(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","pidMode":"task","ipcMode":"host","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	spec := res.PodTemplate.Spec
	if !ptr.Deref(spec.ShareProcessNamespace, false) || !spec.HostIPC || spec.HostPID {
		t.Errorf("shareProcessNamespace %v hostIPC %v hostPID %v", spec.ShareProcessNamespace, spec.HostIPC, spec.HostPID)
	}
	res = taskOK(t, taskIn(t, `{"family":"f","pidMode":"host","ipcMode":"none","containerDefinitions":[{"name":"a","image":"i","memory":64}]}`))
	if !res.PodTemplate.Spec.HostPID {
		t.Error("pidMode host did not set hostPID")
	}
	requireWarning(t, res, "pidMode", "hostPID violates baseline PSS")
	requireWarning(t, res, "ipcMode", "private per-container IPC")
}

func TestPortMappings(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[
		{"name":"http","containerPort":80,"hostPort":0,"appProtocol":"http"},
		{"name":"metrics-endpoint-port","containerPort":9090,"hostPort":9090,"protocol":"tcp"},
		{"name":"dns","containerPort":53,"protocol":"udp","appProtocol":"grpc"},
		{"containerPortRange":"10000-10100"}]}]}`))
	want := []corev1.ContainerPort{
		{Name: "http", ContainerPort: 80, Protocol: corev1.ProtocolTCP},
		{Name: names.Port("metrics-endpoint-port"), ContainerPort: 9090, HostPort: 9090, Protocol: corev1.ProtocolTCP},
		{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP},
	}
	if got := podContainer(t, res, "a").Ports; !reflect.DeepEqual(got, want) {
		t.Errorf("ports = %+v\nwant %+v", got, want)
	}
	if len(res.Ports) != 3 || res.Ports[1].ECSName != "metrics-endpoint-port" || res.Ports[2].AppProtocol != "grpc" || res.Ports[1].HostPort != 9090 {
		t.Errorf("TaskResult.Ports = %+v", res.Ports)
	}
	requireWarning(t, res, "containerDefinitions[0].portMappings[1].hostPort", "static hostPort 9090")
	requireWarning(t, res, "containerDefinitions[0].portMappings[3].containerPortRange", "port range 10000-10100 not exposed")

	for _, tc := range []struct{ name, task, field, substr string }{
		{"tcp and udp on one port", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":53},{"containerPort":53,"protocol":"udp"}]}]}`,
			"containerDefinitions[0].portMappings[1]", "both tcp and udp"},
		{"duplicate name", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"name":"web","containerPort":80}]},{"name":"b","image":"i","memory":64,"portMappings":[{"name":"web","containerPort":81}]}]}`,
			"containerDefinitions[1].portMappings[0].name", `port name "web" is already used`},
		{"duplicate after sanitising", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"name":"Web","containerPort":80},{"name":"web","containerPort":81}]}]}`,
			"containerDefinitions[0].portMappings[1].name", `both become "web"`},
		{"awsvpc host port differs", `{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80,"hostPort":8080}]}]}`,
			"containerDefinitions[0].portMappings[0].hostPort", "must equal containerPort"},
		{"bad range", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPortRange":"20-10"}]}]}`,
			"containerDefinitions[0].portMappings[0].containerPortRange", "invalid port range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, taskFails(t, taskIn(t, tc.task)), tc.field, tc.substr)
		})
	}
}

func TestHostsDNSAndHostname(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"web","image":"i","memory":64,"hostname":"web","links":["db:database"],
		 "extraHosts":[{"hostname":"api.internal","ipAddress":"10.0.0.1"},{"hostname":"cache.internal","ipAddress":"10.0.0.1"}],
		 "dnsServers":["10.0.0.2"],"dnsSearchDomains":["corp.example"]},
		{"name":"db","image":"i","memory":64,"dnsServers":["10.0.0.2","10.0.0.3"]}]}`))
	spec := res.PodTemplate.Spec
	wantAliases := []corev1.HostAlias{
		{IP: "127.0.0.1", Hostnames: []string{"db", "database"}},
		{IP: "10.0.0.1", Hostnames: []string{"api.internal", "cache.internal"}},
	}
	if !reflect.DeepEqual(spec.HostAliases, wantAliases) {
		t.Errorf("hostAliases = %+v, want %+v", spec.HostAliases, wantAliases)
	}
	if spec.Hostname != "web" {
		t.Errorf("hostname = %q", spec.Hostname)
	}
	wantDNS := &corev1.PodDNSConfig{Nameservers: []string{"10.0.0.2", "10.0.0.3"}, Searches: []string{"corp.example"}}
	if spec.DNSPolicy != corev1.DNSNone || !reflect.DeepEqual(spec.DNSConfig, wantDNS) {
		t.Errorf("dnsPolicy %q dnsConfig %+v", spec.DNSPolicy, spec.DNSConfig)
	}
	requireWarning(t, res, "containerDefinitions[0].links", "localhost aliases")
	requireWarning(t, res, "containerDefinitions[0].dnsServers", "replace cluster DNS")

	in := taskIn(t, `{"family":"f","kubernetes":{"dnsServersKeepCluster":true},"containerDefinitions":[{"name":"a","image":"i","memory":64,"dnsServers":["10.0.0.2"],"hostname":"a.example.com"}]}`)
	res = taskOK(t, in)
	if res.PodTemplate.Spec.DNSPolicy != corev1.DNSClusterFirst {
		t.Errorf("dnsPolicy with dnsServersKeepCluster = %q", res.PodTemplate.Spec.DNSPolicy)
	}
	if ptr.Deref(res.PodTemplate.Spec.HostnameOverride, "") != "a.example.com" {
		t.Errorf("hostnameOverride = %v", res.PodTemplate.Spec.HostnameOverride)
	}
	in.Capabilities.HostnameOverride = false
	res = taskOK(t, in)
	if res.PodTemplate.Spec.Hostname != "a" {
		t.Errorf("hostname without HostnameOverride = %q", res.PodTemplate.Spec.Hostname)
	}
	requireWarning(t, res, "containerDefinitions[0].hostname", `using "a"`)

	requireError(t, taskFails(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"dnsServers":["10.0.0.1","10.0.0.2","10.0.0.3","10.0.0.4"]}]}`)),
		"containerDefinitions[0].dnsServers", "at most 3")
}
