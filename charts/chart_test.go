// Package charts tests the Helm chart in ecs-operator/ by rendering it with
// the pinned helm binary (hack/testbed.sh) and checking the objects a
// cluster would get: restricted pods, the generated RBAC rules, the
// operator's flags, the binpack scheduler profiles and the values schema.
package charts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

const (
	release   = "ecs-operator"
	namespace = "ecs-operator-system"
)

var (
	repoRoot  = repositoryRoot()
	chartDir  = filepath.Join(repoRoot, "charts", "ecs-operator")
	fullValue = filepath.Join(chartDir, "ci", "full-values.yaml")
	helmPath  string
)

func repositoryRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func TestMain(m *testing.M) {
	// hack/testbed.sh builds helm once (cached) and prints the bin directory.
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "testbed.sh"), "all")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the test bed (helm) with hack/testbed.sh: %v\n", err)
		os.Exit(1)
	}
	helmPath = filepath.Join(strings.TrimSpace(string(out)), "helm")
	os.Exit(m.Run())
}

// readChartFiles reads every file of the chart. helm reads them in a
// subprocess, which go test's result cache does not see; reading them in
// the test (after TestMain, where reads are not recorded) makes a chart
// change invalidate cached results.
var readChartFiles = sync.OnceValue(func() error {
	return filepath.WalkDir(chartDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	})
})

func helm(args ...string) (string, error) {
	if err := readChartFiles(); err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(helmPath, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// rendered are the objects of one `helm template`, by kind and name.
type rendered map[string]*unstructured.Unstructured

func render(t *testing.T, args ...string) rendered {
	t.Helper()
	base := []string{"template", release, chartDir, "--namespace", namespace, "--kube-version", "v1.37.2"}
	out, err := helm(append(base, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	objs := rendered{}
	decoder := yamlutil.NewYAMLOrJSONDecoder(strings.NewReader(out), 4096)
	for {
		var obj unstructured.Unstructured
		if err := decoder.Decode(&obj.Object); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding the rendered chart: %v", err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		key := obj.GetKind() + "/" + obj.GetName()
		if _, dup := objs[key]; dup {
			t.Fatalf("%s rendered twice", key)
		}
		objs[key] = &obj
	}
	return objs
}

// typed converts a rendered object into its Go type, failing on fields the
// type does not have (a misspelt field would be dropped by the API server).
func typed[T any](t *testing.T, objs rendered, key string) *T {
	t.Helper()
	obj, ok := objs[key]
	if !ok {
		t.Fatalf("%s not rendered; have %v", key, objs.keys())
	}
	var into T
	if err := k8sruntime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj.Object, &into, true); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return &into
}

func (r rendered) keys() []string {
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (r rendered) ofKind(kind string) []string {
	var keys []string
	for _, k := range r.keys() {
		if strings.HasPrefix(k, kind+"/") {
			keys = append(keys, k)
		}
	}
	return keys
}

var valueSets = []struct {
	name string
	args []string
}{
	{"defaults", nil},
	{"every value set", []string{"-f", fullValue}},
	{"scheduler and metrics off", []string{"--set", "scheduler.enabled=true,metrics.enabled=false,rbac.aggregateToDefaultRoles=false"}},
}

func TestChartLintsClean(t *testing.T) {
	for _, values := range []string{"", fullValue} {
		args := []string{"lint", "--strict", chartDir}
		if values != "" {
			args = append(args, "-f", values)
		}
		out, err := helm(args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "0 chart(s) failed") {
			t.Errorf("helm %s:\n%s", strings.Join(args, " "), out)
		}
	}
}

// Every Deployment the chart renders passes the restricted Pod Security
// Standard as the pod-security admission plugin evaluates it, and keeps
// its root filesystem read-only (which the standard does not require).
func TestDeploymentsMeetRestrictedPodSecurity(t *testing.T) {
	evaluator, err := psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	restricted := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			objs := render(t, vs.args...)
			deployments := objs.ofKind("Deployment")
			wantDeployments := 1
			if vs.name != "defaults" {
				wantDeployments = 2 // the binpack scheduler too
			}
			if len(deployments) != wantDeployments {
				t.Fatalf("Deployments = %v, want %d", deployments, wantDeployments)
			}
			for _, key := range deployments {
				deploy := typed[appsv1.Deployment](t, objs, key)
				pod := deploy.Spec.Template
				for _, result := range evaluator.EvaluatePod(restricted, &pod.ObjectMeta, &pod.Spec) {
					if !result.Allowed {
						t.Errorf("%s violates restricted: %s: %s", key, result.ForbiddenReason, result.ForbiddenDetail)
					}
				}
				for _, c := range pod.Spec.Containers {
					sc := c.SecurityContext
					if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
						t.Errorf("%s container %s: root filesystem is writable", key, c.Name)
					}
					if c.LivenessProbe == nil || c.ReadinessProbe == nil {
						t.Errorf("%s container %s: liveness and readiness probes are required", key, c.Name)
					}
					if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
						t.Errorf("%s container %s: resources = %v, want cpu requests and a memory limit", key, c.Name, c.Resources)
					}
				}
			}
		})
	}
}

// The manager ClusterRole is exactly config/rbac/role.yaml, which
// controller-gen generates from the controllers' RBAC markers.
func TestManagerRulesAreTheGeneratedRole(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "config", "rbac", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var generated rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(data, &generated); err != nil {
		t.Fatalf("config/rbac/role.yaml: %v", err)
	}
	for _, vs := range valueSets[:2] {
		t.Run(vs.name, func(t *testing.T) {
			objs := render(t, vs.args...)
			prefix := "ecs-operator"
			if vs.name != "defaults" {
				prefix = "platform-ecs-operator"
			}
			role := typed[rbacv1.ClusterRole](t, objs, "ClusterRole/"+prefix+"-manager")
			if !equality.Semantic.DeepEqual(role.Rules, generated.Rules) {
				t.Errorf("chart manager rules differ from config/rbac/role.yaml (run make manifests):\nchart: %v\nrole.yaml: %v", role.Rules, generated.Rules)
			}
			binding := typed[rbacv1.ClusterRoleBinding](t, objs, "ClusterRoleBinding/"+prefix+"-manager")
			sa := typed[corev1.ServiceAccount](t, objs, "ServiceAccount/"+serviceAccountOf(t, objs))
			want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: namespace}}
			if binding.RoleRef.Name != role.Name || !equality.Semantic.DeepEqual(binding.Subjects, want) {
				t.Errorf("manager binding = %v → %v, want %s → %v", binding.RoleRef, binding.Subjects, role.Name, want)
			}
		})
	}
}

func serviceAccountOf(t *testing.T, objs rendered) string {
	t.Helper()
	for _, key := range objs.ofKind("Deployment") {
		deploy := typed[appsv1.Deployment](t, objs, key)
		if deploy.Labels["app.kubernetes.io/component"] == "operator" {
			return deploy.Spec.Template.Spec.ServiceAccountName
		}
	}
	t.Fatal("no operator Deployment rendered")
	return ""
}

// Least privilege: nothing bound to the operator's ServiceAccount reads
// Secrets, and no rule uses wildcards.
func TestOperatorHasNoSecretAccess(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			objs := render(t, vs.args...)
			operatorSA := serviceAccountOf(t, objs)
			bound := map[string]bool{} // "ClusterRole/x" or "Role/x"
			for _, key := range append(objs.ofKind("ClusterRoleBinding"), objs.ofKind("RoleBinding")...) {
				var subjects []rbacv1.Subject
				var ref rbacv1.RoleRef
				if strings.HasPrefix(key, "ClusterRoleBinding/") {
					b := typed[rbacv1.ClusterRoleBinding](t, objs, key)
					subjects, ref = b.Subjects, b.RoleRef
				} else {
					b := typed[rbacv1.RoleBinding](t, objs, key)
					subjects, ref = b.Subjects, b.RoleRef
				}
				for _, s := range subjects {
					if s.Kind == "ServiceAccount" && s.Name == operatorSA {
						bound[ref.Kind+"/"+ref.Name] = true
					}
				}
			}
			if len(bound) == 0 {
				t.Fatal("no role is bound to the operator's ServiceAccount")
			}
			for key := range bound {
				var rules []rbacv1.PolicyRule
				if strings.HasPrefix(key, "ClusterRole/") {
					rules = typed[rbacv1.ClusterRole](t, objs, key).Rules
				} else {
					rules = typed[rbacv1.Role](t, objs, key).Rules
				}
				for _, rule := range rules {
					if slices.Contains(rule.Resources, "secrets") || slices.Contains(rule.Resources, "*") ||
						slices.Contains(rule.APIGroups, "*") || slices.Contains(rule.Verbs, "*") {
						t.Errorf("%s grants %v", key, rule)
					}
				}
			}
		})
	}
}

func TestOperatorFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{{
		name: "defaults",
		want: []string{
			"--leader-elect=true",
			"--metrics-bind-address=:8443",
			"--metrics-secure=true",
			"--health-probe-bind-address=:8081",
			"--kube-api-qps=200",
			"--kube-api-burst=400",
			"--max-concurrent-reconciles=32",
			"--zap-log-level=info",
			"--zap-encoder=json",
		},
	}, {
		name: "every value set",
		args: []string{"-f", fullValue},
		want: []string{
			"--leader-elect=true",
			"--metrics-bind-address=:9443",
			"--metrics-secure=true",
			"--health-probe-bind-address=:9081",
			"--kube-api-qps=100",
			"--kube-api-burst=200",
			"--max-concurrent-reconciles=8",
			"--watch-namespaces=payments,checkout",
			"--zap-log-level=debug",
			"--zap-encoder=console",
			"--leader-election-id=platform-ecs-operator",
		},
	}, {
		name: "metrics off, single replica without leader election",
		args: []string{"--set", "metrics.enabled=false,leaderElection.enabled=false,operator.logLevel=5"},
		want: []string{
			"--leader-elect=false",
			"--metrics-bind-address=0",
			"--health-probe-bind-address=:8081",
			"--kube-api-qps=200",
			"--kube-api-burst=400",
			"--max-concurrent-reconciles=32",
			"--zap-log-level=5",
			"--zap-encoder=json",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := render(t, tt.args...)
			name := "ecs-operator"
			if tt.name == "every value set" {
				name = "platform-ecs-operator"
			}
			deploy := typed[appsv1.Deployment](t, objs, "Deployment/"+name)
			got := deploy.Spec.Template.Spec.Containers[0].Args
			if !slices.Equal(got, tt.want) {
				t.Errorf("args =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// With metrics on, the chart serves them over HTTPS to authorized callers:
// a Service, the TokenReview/SubjectAccessReview role and a reader role.
// The ServiceMonitor is opt-in (the Prometheus Operator CRD may be absent).
func TestMetricsObjects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
		none []string
	}{{
		name: "defaults",
		want: []string{"Service/ecs-operator-metrics", "ClusterRole/ecs-operator-metrics-auth", "ClusterRole/ecs-operator-metrics-reader"},
		none: []string{"ServiceMonitor/ecs-operator", "PodDisruptionBudget/ecs-operator"},
	}, {
		name: "every value set",
		args: []string{"-f", fullValue},
		want: []string{"Service/platform-ecs-operator-metrics", "ServiceMonitor/platform-ecs-operator", "PodDisruptionBudget/platform-ecs-operator"},
	}, {
		name: "metrics off",
		args: []string{"--set", "metrics.enabled=false,metrics.serviceMonitor.enabled=true"},
		none: []string{"Service/ecs-operator-metrics", "ClusterRole/ecs-operator-metrics-auth", "ServiceMonitor/ecs-operator"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := render(t, tt.args...)
			for _, key := range tt.want {
				if objs[key] == nil {
					t.Errorf("%s not rendered; have %v", key, objs.keys())
				}
			}
			for _, key := range tt.none {
				if objs[key] != nil {
					t.Errorf("%s rendered, want none", key)
				}
			}
		})
	}

	objs := render(t, "-f", fullValue)
	svc := typed[corev1.Service](t, objs, "Service/platform-ecs-operator-metrics")
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 9443 || svc.Spec.Ports[0].TargetPort.StrVal != "metrics" {
		t.Errorf("metrics Service ports = %v, want 9443 → metrics", svc.Spec.Ports)
	}
	endpoint, _, _ := unstructured.NestedSlice(objs["ServiceMonitor/platform-ecs-operator"].Object, "spec", "endpoints")
	if len(endpoint) != 1 || endpoint[0].(map[string]any)["scheme"] != "https" || endpoint[0].(map[string]any)["port"] != "https" {
		t.Errorf("ServiceMonitor endpoints = %v, want one https endpoint", endpoint)
	}
}

// The chart's binpack scheduler runs the same profiles as the test bed's
// scheduler (hack/cluster/scheduler-config.yaml), which the e2e tests prove
// on a real kube-scheduler.
func TestSchedulerProfilesMatchTestBed(t *testing.T) {
	type config struct {
		APIVersion     string           `json:"apiVersion"`
		Kind           string           `json:"kind"`
		LeaderElection map[string]any   `json:"leaderElection,omitempty"`
		Profiles       []map[string]any `json:"profiles"`
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "hack", "cluster", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var testBed config
	if err := yaml.Unmarshal(data, &testBed); err != nil {
		t.Fatal(err)
	}
	testBed.Profiles = slices.DeleteFunc(testBed.Profiles, func(p map[string]any) bool {
		return p["schedulerName"] == "default-scheduler"
	})

	objs := render(t, "--set", "scheduler.enabled=true", "--kube-version", "v1.35.4-eks-2d5f260")
	cm := typed[corev1.ConfigMap](t, objs, "ConfigMap/ecs-operator-binpack-scheduler")
	var chart config
	if err := yaml.UnmarshalStrict([]byte(cm.Data["config.yaml"]), &chart); err != nil {
		t.Fatalf("scheduler config: %v", err)
	}
	if chart.APIVersion != testBed.APIVersion || chart.Kind != testBed.Kind {
		t.Errorf("scheduler config is %s %s, want %s %s", chart.APIVersion, chart.Kind, testBed.APIVersion, testBed.Kind)
	}
	if !equality.Semantic.DeepEqual(chart.Profiles, testBed.Profiles) {
		t.Errorf("chart profiles differ from hack/cluster/scheduler-config.yaml:\nchart: %v\ntest bed: %v", chart.Profiles, testBed.Profiles)
	}
	wantElection := map[string]any{"leaderElect": true, "resourceName": "ecs-operator-binpack-scheduler", "resourceNamespace": namespace}
	if !equality.Semantic.DeepEqual(chart.LeaderElection, wantElection) {
		t.Errorf("leaderElection = %v, want %v", chart.LeaderElection, wantElection)
	}

	deploy := typed[appsv1.Deployment](t, objs, "Deployment/ecs-operator-binpack-scheduler")
	if got, want := deploy.Spec.Template.Spec.Containers[0].Image, "registry.k8s.io/kube-scheduler:v1.35.4"; got != want {
		t.Errorf("scheduler image = %s, want %s (the cluster version without its distribution suffix)", got, want)
	}
	if sa := deploy.Spec.Template.Spec.ServiceAccountName; sa != "ecs-operator-binpack-scheduler" {
		t.Errorf("scheduler ServiceAccount = %s", sa)
	}
	roleRefs := map[string]string{}
	for _, key := range objs.ofKind("ClusterRoleBinding") {
		b := typed[rbacv1.ClusterRoleBinding](t, objs, key)
		if b.Subjects[0].Name == "ecs-operator-binpack-scheduler" {
			roleRefs[b.RoleRef.Name] = key
		}
	}
	for _, role := range []string{"system:kube-scheduler", "system:volume-scheduler"} {
		if roleRefs[role] == "" {
			t.Errorf("scheduler is not bound to %s", role)
		}
	}
	reader := typed[rbacv1.RoleBinding](t, objs, "RoleBinding/ecs-operator-binpack-scheduler-authentication-reader")
	if reader.Namespace != "kube-system" || reader.RoleRef.Name != "extension-apiserver-authentication-reader" {
		t.Errorf("authentication reader binding = %s/%s", reader.Namespace, reader.RoleRef.Name)
	}
}

// values.schema.json rejects what the chart cannot honour.
func TestValuesSchemaRejects(t *testing.T) {
	tests := []struct {
		name    string
		set     string
		message string
	}{
		{"unknown value", "replicas=2", "replicas"},
		{"unknown nested value", "operator.qps=10", "qps"},
		{"log encoder", "operator.logEncoder=xml", "logEncoder"},
		{"zero concurrency", "operator.maxConcurrentReconciles=0", "maxConcurrentReconciles"},
		{"image digest", "image.digest=latest", "digest"},
		{"profile name", "scheduler.profiles.binpack=Bin_Pack", "binpack"},
		{"replicas without leader election", "replicaCount=2,leaderElection.enabled=false", "leaderElection.enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := helm("template", release, chartDir, "--namespace", namespace, "--set", tt.set)
			if err == nil {
				t.Fatalf("--set %s rendered, want an error", tt.set)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error does not name %q:\n%v", tt.message, err)
			}
		})
	}
}
