package framework

import (
	"regexp"
	"testing"
)

func TestClusterNameOf(t *testing.T) {
	const workdir = "/home/u/.cache/ecs-operator/kwok"
	for _, tc := range []struct {
		kubeconfig, want string
	}{
		{workdir + "/clusters/ecs-operator/kubeconfig.yaml", "ecs-operator"},
		{workdir + "/clusters/demo/kubeconfig.yaml", "demo"},
		{workdir + "/clusters/demo/other.yaml", ""},
		{workdir + "/clusters/kubeconfig.yaml", ""},
		{workdir + "/clusters/a/b/kubeconfig.yaml", ""},
		{"/home/u/.kube/config", ""},
		{workdir + "/../kwok/clusters/x/kubeconfig.yaml", "x"},
	} {
		if got := clusterNameOf(tc.kubeconfig, workdir); got != tc.want {
			t.Errorf("clusterNameOf(%q) = %q, want %q", tc.kubeconfig, got, tc.want)
		}
	}
}

func TestNamespaceName(t *testing.T) {
	dnsLabel := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	for _, tc := range []struct {
		test, random, want string
	}{
		{"TestZoneSpread", "ABCDEFGH", "e2e-testzonespread-abcde"},
		{"TestBinpack/binpack-cpu", "Q2W3E4R5", "e2e-testbinpack-binpack-cpu-q2w3e"},
		{"TestPlacement/memberOf_attribute:ecs.instance-type_=~_m5.*_and_more_words", "zzzzzzzz",
			"e2e-testplacement-memberof-attribute-ecs-instance-zzzzz"},
		{"Test__x__", "a", "e2e-test-x-a"},
	} {
		got := namespaceName(tc.test, tc.random)
		if got != tc.want {
			t.Errorf("namespaceName(%q) = %q, want %q", tc.test, got, tc.want)
		}
		if len(got) > 63 || !dnsLabel.MatchString(got) {
			t.Errorf("namespaceName(%q) = %q is not a DNS label", tc.test, got)
		}
	}
}
