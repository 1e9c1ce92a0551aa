//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/testenv"
	"github.com/ecs-operator/ecs-operator/test/e2e/framework"
)

// TestHelmInstall installs the chart as a user would and proves it is
// enough to run the operator and the binpack scheduler:
//
//   - helm install --wait into a namespace that enforces the restricted Pod
//     Security Standard, so the API server itself admits (or refuses) the
//     chart's pods;
//   - the chart's ServiceAccounts may do what config/rbac/role.yaml says and
//     nothing with Secrets (kubectl auth can-i and SubjectAccessReviews);
//   - the operator binary and the real kube-scheduler run outside the
//     cluster (the fake nodes run no containers) with tokens of the chart's
//     ServiceAccounts and the chart's flags and scheduler configuration,
//     and the sample web and worker services converge with no request
//     refused;
//   - metrics are served over HTTPS to callers bound to the metrics-reader
//     role only, probes answer, and the leader Lease is released on stop.
func TestHelmInstall(t *testing.T) {
	ctx := t.Context()
	releaseNS := cluster.Namespace(t)
	appNS := cluster.Namespace(t)
	suffix := releaseNS[strings.LastIndex(releaseNS, "-")+1:]
	release := "ecs-operator-" + suffix
	operatorSA := release
	schedulerSA := release + "-binpack-scheduler"
	profiles := map[string]string{
		"binpack":       "e2e-" + suffix + "-binpack",
		"binpackCPU":    "e2e-" + suffix + "-binpack-cpu",
		"binpackMemory": "e2e-" + suffix + "-binpack-memory",
	}
	metricsPort, probePort, schedulerPort := freePort(t), freePort(t), freePort(t)

	labelNamespace(t, releaseNS, map[string]string{
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "latest",
	})
	// The sample cluster's allowedRoleArns let this team use shop-* roles.
	labelNamespace(t, appNS, map[string]string{"example.com/team": "shop"})
	installIntegrationCRDs(t)

	chart := filepath.Join(testenv.RepoRoot(), "charts", "ecs-operator")
	start := time.Now()
	_, err := cluster.Helm(ctx, "install", release, chart, "--namespace", releaseNS,
		"--wait", "--timeout", "3m",
		"--set", "metrics.port="+strconv.Itoa(metricsPort),
		"--set", "healthProbePort="+strconv.Itoa(probePort),
		"--set", "operator.watchNamespaces={"+appNS+"}",
		"--set", "scheduler.enabled=true",
		"--set", "scheduler.profiles.binpack="+profiles["binpack"],
		"--set", "scheduler.profiles.binpackCPU="+profiles["binpackCPU"],
		"--set", "scheduler.profiles.binpackMemory="+profiles["binpackMemory"],
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("helm install --wait took %s", time.Since(start).Round(100*time.Millisecond))
	t.Cleanup(func() {
		// Cluster-scoped RBAC goes with the release; the namespaces go after.
		if _, err := cluster.Helm(context.Background(), "uninstall", release, "--namespace", releaseNS); err != nil {
			t.Errorf("helm uninstall: %v", err)
		}
	})

	t.Run("restricted pods admitted", func(t *testing.T) {
		pods, err := cluster.Pods(ctx, releaseNS, map[string]string{"app.kubernetes.io/instance": release})
		if err != nil {
			t.Fatal(err)
		}
		components := map[string]int{}
		for _, p := range pods {
			if podReady(p) {
				components[p.Labels["app.kubernetes.io/component"]]++
			}
		}
		want := map[string]int{"operator": 1, "binpack-scheduler": 1}
		if fmt.Sprint(components) != fmt.Sprint(want) {
			t.Errorf("ready pods by component = %v, want %v", components, want)
		}
	})

	t.Run("operator RBAC", func(t *testing.T) {
		checkOperatorRBAC(t, releaseNS, appNS, operatorSA)
	})

	// The chart's scheduler: its configuration from the installed
	// ConfigMap, its identity from a token of its ServiceAccount.
	scheduler := startScheduler(t, releaseNS, release, schedulerSA, schedulerPort)
	waitLeaseHeld(t, releaseNS, release+"-binpack-scheduler")
	for _, path := range []string{"/livez", "/readyz"} {
		waitHTTPS(t, fmt.Sprintf("https://127.0.0.1:%d%s", schedulerPort, path), "", http.StatusOK)
	}

	// The operator with the flags of the installed Deployment. In a pod it
	// would find its namespace in the ServiceAccount mount.
	var deploy appsv1.Deployment
	if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: releaseNS, Name: release}, &deploy); err != nil {
		t.Fatal(err)
	}
	args := append(slices.Clone(deploy.Spec.Template.Spec.Containers[0].Args), "--leader-election-namespace="+releaseNS)
	operator := cluster.RunOperator(t, framework.OperatorOptions{
		Name: "helm-install",
		Args: args,
		Env:  []string{"KUBECONFIG=" + tokenKubeconfig(t, releaseNS, operatorSA)},
	})
	for _, path := range []string{"/healthz", "/readyz"} {
		waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d%s", probePort, path))
	}
	waitLeaseHeld(t, releaseNS, "ecs-operator.ecs.operator.dev")

	t.Run("sample services converge", func(t *testing.T) {
		clusterName := applySamples(t, appNS, suffix, profiles)
		for _, name := range []string{"web", "worker"} {
			waitServiceSteady(t, appNS, name)
		}
		checkSampleChildren(t, appNS, clusterName, profiles)
	})

	t.Run("binpack scheduler packs pods", func(t *testing.T) {
		checkBinpack(t, appNS, profiles["binpack"])
	})

	t.Run("metrics need authentication and the reader role", func(t *testing.T) {
		checkMetrics(t, releaseNS, release, metricsPort)
	})

	t.Run("no request refused", func(t *testing.T) {
		for name, logs := range map[string]string{"operator": operator.Logs(), "scheduler": scheduler.Logs()} {
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, "forbidden") {
					t.Errorf("%s was refused a request: %s", name, line)
				}
			}
		}
	})

	t.Run("leader Lease released on stop", func(t *testing.T) {
		if err := operator.Stop(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		var lease coordinationv1.Lease
		key := client.ObjectKey{Namespace: releaseNS, Name: "ecs-operator.ecs.operator.dev"}
		if err := cluster.Client.Get(ctx, key, &lease); err != nil {
			t.Fatal(err)
		}
		if holder := ptr.Deref(lease.Spec.HolderIdentity, ""); holder != "" {
			t.Errorf("Lease still held by %q after a graceful stop; the next leader would wait for it to expire", holder)
		}
	})
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func labelNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	var ns corev1.Namespace
	if err := cluster.Client.Get(t.Context(), client.ObjectKey{Name: name}, &ns); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(ns.DeepCopy())
	for k, v := range labels {
		metav1.SetMetaDataLabel(&ns.ObjectMeta, k, v)
	}
	if err := cluster.Client.Patch(t.Context(), &ns, patch); err != nil {
		t.Fatal(err)
	}
}

// installIntegrationCRDs installs the real integration CRDs: all of them
// with ../shared, else those Go modules provide (External Secrets, VPC
// resource controller, KEDA), which are the ones the samples need.
func installIntegrationCRDs(t *testing.T) {
	t.Helper()
	err := cluster.InstallIntegrationCRDs(t.Context())
	if !errors.Is(err, testenv.ErrNoShared) {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	var paths []string
	for _, m := range testenv.ModuleCRDs {
		dir, err := testenv.ModuleDir(m.Module)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Join(dir, m.Path))
	}
	if err := cluster.InstallCRDs(t.Context(), paths...); err != nil {
		t.Fatal(err)
	}
}

// tokenKubeconfig writes a kubeconfig that authenticates as the
// ServiceAccount with a real token, so requests carry exactly the
// identity (user and groups) a pod of the chart would have.
func tokenKubeconfig(t *testing.T, namespace, serviceAccount string) string {
	t.Helper()
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}
	token, err := cluster.Clientset.CoreV1().ServiceAccounts(namespace).CreateToken(t.Context(), serviceAccount, req, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("token for %s/%s: %v", namespace, serviceAccount, err)
	}
	cfg := cluster.Config
	config := clientcmdapi.NewConfig()
	config.Clusters["e2e"] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthority:     cfg.TLSClientConfig.CAFile,
		CertificateAuthorityData: cfg.TLSClientConfig.CAData,
	}
	config.AuthInfos[serviceAccount] = &clientcmdapi.AuthInfo{Token: token.Status.Token}
	config.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: serviceAccount}
	config.CurrentContext = "e2e"
	path := filepath.Join(t.TempDir(), serviceAccount+".kubeconfig")
	if err := clientcmd.WriteToFile(*config, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkOperatorRBAC verifies the operator's ServiceAccount may do every
// verb of config/rbac/role.yaml cluster-wide and its leader election in
// the release namespace, and may not touch Secrets anywhere.
func checkOperatorRBAC(t *testing.T, releaseNS, appNS, serviceAccount string) {
	user := "system:serviceaccount:" + releaseNS + ":" + serviceAccount
	groups := []string{"system:serviceaccounts", "system:serviceaccounts:" + releaseNS, "system:authenticated"}

	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(data, &role); err != nil {
		t.Fatal(err)
	}
	type access struct{ namespace, verb, group, resource string }
	var allowed []access
	for _, rule := range role.Rules {
		for _, group := range rule.APIGroups {
			for _, res := range rule.Resources {
				for _, verb := range rule.Verbs {
					allowed = append(allowed, access{"", verb, group, res})
				}
			}
		}
	}
	for _, verb := range []string{"get", "create", "update"} {
		allowed = append(allowed, access{releaseNS, verb, "coordination.k8s.io", "leases"})
	}
	allowed = append(allowed,
		access{"", "create", "authentication.k8s.io", "tokenreviews"},
		access{"", "create", "authorization.k8s.io", "subjectaccessreviews"},
	)
	var denied []access
	for _, ns := range []string{"", releaseNS, appNS, "kube-system"} {
		for _, verb := range []string{"get", "list", "watch", "create", "update", "patch", "delete"} {
			denied = append(denied, access{ns, verb, "", "secrets"})
		}
	}
	denied = append(denied,
		access{"", "create", "rbac.authorization.k8s.io", "clusterrolebindings"},
		access{"", "escalate", "rbac.authorization.k8s.io", "clusterroles"},
		access{"", "bind", "rbac.authorization.k8s.io", "clusterroles"},
		access{"", "impersonate", "", "users"},
		access{"", "impersonate", "", "serviceaccounts"},
		access{"", "create", "", "serviceaccounts/token"},
		access{"", "create", "", "pods/exec"},
		access{"", "update", "", "nodes"},
	)

	review := func(a access) (bool, string) {
		res, sub, _ := strings.Cut(a.resource, "/")
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: groups,
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: a.namespace, Verb: a.verb, Group: a.group, Resource: res, Subresource: sub,
			},
		}}
		if err := cluster.Client.Create(t.Context(), sar); err != nil {
			t.Fatalf("SubjectAccessReview %+v: %v", a, err)
		}
		return sar.Status.Allowed, sar.Status.Reason
	}
	for _, a := range allowed {
		if ok, reason := review(a); !ok {
			t.Errorf("%s may not %s %s.%s in %q: %s", serviceAccount, a.verb, a.resource, a.group, a.namespace, reason)
		}
	}
	for _, a := range denied {
		if ok, reason := review(a); ok {
			t.Errorf("%s may %s %s.%s in %q (%s); it must not", serviceAccount, a.verb, a.resource, a.group, a.namespace, reason)
		}
	}
	t.Logf("%d accesses allowed, %d denied, as SubjectAccessReviews say", len(allowed), len(denied))

	// What an administrator would type to check the same.
	canI := func(args ...string) string {
		out, err := cluster.Kubectl(t.Context(), append([]string{"auth", "can-i", "--as=" + user}, args...)...)
		answer := strings.TrimSpace(out)
		if err != nil && answer != "no" {
			t.Fatalf("kubectl auth can-i %s: %v", strings.Join(args, " "), err)
		}
		return answer
	}
	for _, args := range [][]string{
		{"get", "secrets", "--all-namespaces"},
		{"list", "secrets", "--all-namespaces"},
		{"watch", "secrets", "--all-namespaces"},
		{"get", "secrets", "-n", releaseNS},
		{"list", "secrets", "-n", appNS},
	} {
		if got := canI(args...); got != "no" {
			t.Errorf("kubectl auth can-i %s --as=%s = %s, want no", strings.Join(args, " "), user, got)
		}
	}
	for _, args := range [][]string{
		{"patch", "deployments.apps", "--all-namespaces"},
		{"create", "externalsecrets.external-secrets.io", "-n", appNS},
		{"patch", "ecsservices.ecs.operator.dev", "--subresource=status", "--all-namespaces"},
		{"update", "leases.coordination.k8s.io", "-n", releaseNS},
	} {
		if got := canI(args...); got != "yes" {
			t.Errorf("kubectl auth can-i %s --as=%s = %s, want yes", strings.Join(args, " "), user, got)
		}
	}
}

// startScheduler runs the real kube-scheduler with the configuration the
// chart installed and a token of the chart's scheduler ServiceAccount.
func startScheduler(t *testing.T, releaseNS, release, serviceAccount string, port int) *framework.Operator {
	t.Helper()
	var cm corev1.ConfigMap
	if err := cluster.Client.Get(t.Context(), client.ObjectKey{Namespace: releaseNS, Name: release + "-binpack-scheduler"}, &cm); err != nil {
		t.Fatal(err)
	}
	var config map[string]any
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &config); err != nil {
		t.Fatal(err)
	}
	kubeconfig := tokenKubeconfig(t, releaseNS, serviceAccount)
	// In a pod the in-cluster configuration is used; here the token.
	config["clientConnection"] = map[string]any{"kubeconfig": kubeconfig}
	data, err := yaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	configPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(configPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(dir, "kube-scheduler.log")
	scheduler := &framework.Operator{
		Binary: filepath.Join(cluster.BinDir, "kube-scheduler"),
		Args: []string{
			"--config=" + configPath,
			"--authentication-kubeconfig=" + kubeconfig,
			"--authorization-kubeconfig=" + kubeconfig,
			"--bind-address=127.0.0.1",
			"--secure-port=" + strconv.Itoa(port),
			"--v=2",
		},
		Env:     os.Environ(),
		LogPath: logs,
	}
	if err := scheduler.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := scheduler.Stop(10 * time.Second); err != nil {
			t.Errorf("stopping kube-scheduler: %v", err)
		}
		if t.Failed() {
			t.Logf("kube-scheduler log (last 60 lines):\n%s", scheduler.LogTail(60))
		}
	})
	return scheduler
}

func waitLeaseHeld(t *testing.T, namespace, name string) {
	t.Helper()
	framework.Eventually(t, 0, "Lease "+namespace+"/"+name+" held", func(ctx context.Context) (bool, string, error) {
		var lease coordinationv1.Lease
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &lease); err != nil {
			return false, err.Error(), nil
		}
		holder := ptr.Deref(lease.Spec.HolderIdentity, "")
		return holder != "", "holder " + holder, nil
	})
}

var insecureTLS = &http.Client{
	Timeout: 5 * time.Second,
	// Both servers present self-signed certificates.
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}

// httpGet returns the status code and body of a GET with an optional bearer
// token.
func httpGet(url, token string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := insecureTLS.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func waitHTTPS(t *testing.T, url, token string, want int) string {
	t.Helper()
	var body string
	framework.Eventually(t, 0, fmt.Sprintf("GET %s → %d", url, want), func(context.Context) (bool, string, error) {
		code, b, err := httpGet(url, token)
		if err != nil {
			return false, err.Error(), nil
		}
		body = b
		return code == want, fmt.Sprintf("%d %.200s", code, b), nil
	})
	return body
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	waitHTTPS(t, url, "", http.StatusOK)
}

// applySamples applies config/samples' cluster, web and worker into the
// test's namespace, with a cluster of the test's own whose binpack
// profiles are the chart scheduler's. It returns the cluster's name.
func applySamples(t *testing.T, namespace, suffix string, profiles map[string]string) string {
	t.Helper()
	samples := filepath.Join(testenv.RepoRoot(), "config", "samples")
	objs, err := framework.ReadObjects(filepath.Join(samples, "ecscluster.yaml"), filepath.Join(samples, "web.yaml"), filepath.Join(samples, "worker.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	clusterName := "e2e-install-" + suffix
	for _, obj := range objs {
		switch obj.GetKind() {
		case "ECSCluster":
			obj.SetName(clusterName)
			setNested(t, obj, profiles["binpack"], "spec", "binpackSchedulerName")
			setNested(t, obj, profiles["binpackCPU"], "spec", "binpackSchedulerNames", "cpu")
			setNested(t, obj, profiles["binpackMemory"], "spec", "binpackSchedulerNames", "memory")
		case "ECSService":
			obj.SetNamespace(namespace)
			setNested(t, obj, clusterName, "spec", "cluster")
		default:
			obj.SetNamespace(namespace)
		}
	}
	if err := cluster.Apply(t.Context(), objs...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ecsCluster := &ecsv1.ECSCluster{ObjectMeta: metav1.ObjectMeta{Name: clusterName}}
		if err := cluster.Client.Delete(context.Background(), ecsCluster); client.IgnoreNotFound(err) != nil {
			t.Errorf("deleting ECSCluster %s: %v", clusterName, err)
		}
	})
	return clusterName
}

func setNested(t *testing.T, obj *unstructured.Unstructured, value string, fields ...string) {
	t.Helper()
	if err := unstructured.SetNestedField(obj.Object, value, fields...); err != nil {
		t.Fatal(err)
	}
}

// waitServiceSteady waits for the ECS steady state: Ready for the latest
// generation and every desired task running.
func waitServiceSteady(t *testing.T, namespace, name string) {
	t.Helper()
	framework.Eventually(t, 0, "ECSService "+namespace+"/"+name+" steady", func(ctx context.Context) (bool, string, error) {
		var svc ecsv1.ECSService
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &svc); err != nil {
			return false, "", err
		}
		st := svc.Status
		ready := meta.FindStatusCondition(st.Conditions, ecsv1.ConditionReady)
		state := fmt.Sprintf("generation %d observed %d, running %d/%d pending %d, Ready %v",
			svc.Generation, st.ObservedGeneration, st.RunningCount, st.DesiredCount, st.PendingCount, ready)
		return st.ObservedGeneration == svc.Generation && ready != nil && ready.Status == metav1.ConditionTrue &&
			st.DesiredCount > 0 && st.RunningCount == st.DesiredCount && st.PendingCount == 0, state, nil
	})
}

// checkSampleChildren asserts the objects the chart's RBAC let the
// operator create for the samples.
func checkSampleChildren(t *testing.T, namespace, clusterName string, profiles map[string]string) {
	ctx := t.Context()
	get := func(gvk schema.GroupVersionKind, name string) *unstructured.Unstructured {
		t.Helper()
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(gvk)
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, obj); err != nil {
			t.Errorf("%s %s: %v", gvk.Kind, name, err)
			return nil
		}
		return obj
	}
	for _, sa := range []struct{ name, role string }{
		{"web", "arn:aws:iam::111122223333:role/shop-web"},
		{"worker", "arn:aws:iam::111122223333:role/shop-worker"},
	} {
		var account corev1.ServiceAccount
		if err := cluster.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: sa.name}, &account); err != nil {
			t.Errorf("ServiceAccount %s: %v", sa.name, err)
		} else if got := account.Annotations["eks.amazonaws.com/role-arn"]; got != sa.role {
			t.Errorf("ServiceAccount %s role = %q, want %q", sa.name, got, sa.role)
		}
	}
	for _, child := range []struct {
		gvk  schema.GroupVersionKind
		name string
	}{
		{corev1.SchemeGroupVersion.WithKind("Service"), "web"},
		{schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"}, "web"},
		{schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}, "web"},
		{schema.GroupVersionKind{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}, "web"},
		{schema.GroupVersionKind{Group: "vpcresources.k8s.aws", Version: "v1beta1", Kind: "SecurityGroupPolicy"}, "web"},
	} {
		if obj := get(child.gvk, child.name); obj != nil && obj.GetLabels()[ecsv1.LabelCluster] != clusterName {
			t.Errorf("%s %s: label %s = %q, want %q", child.gvk.Kind, child.name, ecsv1.LabelCluster, obj.GetLabels()[ecsv1.LabelCluster], clusterName)
		}
	}
	var secrets unstructured.UnstructuredList
	secrets.SetGroupVersionKind(schema.GroupVersionKind{Group: "external-secrets.io", Version: "v1", Kind: "ExternalSecretList"})
	if err := cluster.Client.List(ctx, &secrets, client.InNamespace(namespace)); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, es := range secrets.Items {
		data, _, _ := unstructured.NestedSlice(es.Object, "spec", "data")
		for _, d := range data {
			if key, ok := d.(map[string]any)["secretKey"].(string); ok {
				keys = append(keys, key)
			}
		}
		if store, _, _ := unstructured.NestedString(es.Object, "spec", "secretStoreRef", "name"); store != "aws-secrets-manager" {
			t.Errorf("ExternalSecret %s store = %q, want aws-secrets-manager", es.GetName(), store)
		}
	}
	slices.Sort(keys)
	if want := []string{"DATABASE_URL", "PAYMENTS_API_KEY"}; !slices.Equal(keys, want) {
		t.Errorf("ExternalSecret keys = %v, want %v", keys, want)
	}

	// The worker's binpack(memory) placement runs on the chart's scheduler,
	// which bound every pod.
	pods, err := cluster.Pods(ctx, namespace, map[string]string{ecsv1.LabelService: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods {
		if p.Spec.SchedulerName != profiles["binpackMemory"] || p.Spec.NodeName == "" {
			t.Errorf("worker pod %s: scheduler %q on node %q, want %q and a node", p.Name, p.Spec.SchedulerName, p.Spec.NodeName, profiles["binpackMemory"])
		}
	}
}

// checkBinpack creates pods for the chart scheduler's binpack profile and
// checks they land on one node, where the default scheduler would spread
// them.
func checkBinpack(t *testing.T, namespace, profile string) {
	selector := map[string]string{"e2e": "binpack"}
	for i := range 4 {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("binpack-%d", i), Namespace: namespace, Labels: selector},
			Spec: corev1.PodSpec{
				SchedulerName: profile,
				Containers: []corev1.Container{{
					Name:  "app",
					Image: "public.ecr.aws/docker/library/busybox:1.37",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU:    resource.MustParse("250m"),
						corev1.ResourceMemory: resource.MustParse("256Mi"),
					}},
				}},
			},
		}
		// One at a time: each placement sees the previous one's requests.
		if err := cluster.Client.Create(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		cluster.WaitPodsScheduled(t, namespace, selector, i+1)
	}
	perNode, err := cluster.PodsPerNodeLabel(t.Context(), namespace, selector, "kubernetes.io/hostname")
	if err != nil {
		t.Fatal(err)
	}
	if len(perNode) != 1 {
		t.Errorf("binpack pods per node = %v, want all 4 on one node", perNode)
	}
}

// checkMetrics scrapes the operator's metrics as Prometheus would: with a
// ServiceAccount token, allowed only when bound to the chart's
// metrics-reader ClusterRole.
func checkMetrics(t *testing.T, releaseNS, release string, port int) {
	ctx := t.Context()
	url := fmt.Sprintf("https://127.0.0.1:%d/metrics", port)
	for _, name := range []string{"scraper", "stranger"} {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: releaseNS}}
		if err := cluster.Client.Create(ctx, sa); err != nil {
			t.Fatal(err)
		}
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: releaseNS + "-scraper"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: release + "-metrics-reader"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "scraper", Namespace: releaseNS}},
	}
	if err := cluster.Client.Create(ctx, binding); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cluster.Client.Delete(context.Background(), binding); client.IgnoreNotFound(err) != nil {
			t.Errorf("deleting %s: %v", binding.Name, err)
		}
	})
	token := func(sa string) string {
		req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}}
		tok, err := cluster.Clientset.CoreV1().ServiceAccounts(releaseNS).CreateToken(ctx, sa, req, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Status.Token
	}
	// RBAC bindings take effect at once, but the metrics filter caches
	// decisions briefly, so wait rather than probe once.
	body := waitHTTPS(t, url, token("scraper"), http.StatusOK)
	if !strings.Contains(body, "controller_runtime_reconcile_total") {
		t.Errorf("metrics lack controller_runtime_reconcile_total:\n%.500s", body)
	}
	for _, c := range []struct {
		who, token string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"a ServiceAccount without the reader role", token("stranger"), http.StatusForbidden},
	} {
		code, body, err := httpGet(url, c.token)
		if err != nil {
			t.Fatal(err)
		}
		if code != c.want {
			t.Errorf("metrics for %s: %d %.200s, want %d", c.who, code, body, c.want)
		}
	}
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
