package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// renderLine is the form of every diagnostic line render prints.
var renderLine = regexp.MustCompile(`^(note|warning|error): [^:]+(: [^ ]+)?: .+$`)

func objectsByKind(objs []*unstructured.Unstructured) map[string][]*unstructured.Unstructured {
	out := map[string][]*unstructured.Unstructured{}
	for _, o := range objs {
		out[o.GetKind()] = append(out[o.GetKind()], o)
	}
	return out
}

func checkRenderLines(t *testing.T, stderr string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line != "" && !renderLine.MatchString(line) {
			t.Errorf("stderr line has not the documented form: %q", line)
		}
	}
}

// TestRenderCorpus renders every corpus task definition: each one gives
// manifests (a Deployment and the task's objects, all in the namespace)
// or exit code 1 with field-named errors, never a crash.
func TestRenderCorpus(t *testing.T) {
	rendered := 0
	for _, f := range corpusFiles(t) {
		if !strings.HasPrefix(f.name, "taskdefs/") {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", "render", "-f", f.path, "-n", "shop")
			checkRenderLines(t, stderr)
			switch code {
			case 0:
				rendered++
				kinds := objectsByKind(parseStream(t, stdout))
				if len(kinds["Deployment"]) != 1 {
					t.Fatalf("want one Deployment, got kinds %v", kinds)
				}
				deployment := kinds["Deployment"][0]
				if replicas, _, _ := unstructured.NestedInt64(deployment.Object, "spec", "replicas"); replicas != 1 {
					t.Errorf("replicas = %d, want 1", replicas)
				}
				for _, objs := range kinds {
					for _, o := range objs {
						if o.GetKind() != "PersistentVolume" && o.GetNamespace() != "shop" {
							t.Errorf("%s %s in namespace %q", o.GetKind(), o.GetName(), o.GetNamespace())
						}
					}
				}
			case 1:
				if stdout != "" {
					t.Errorf("manifests printed despite errors:\n%s", stdout)
				}
				if !strings.Contains(stderr, "error: "+f.path+": ") {
					t.Errorf("exit code 1 without an error naming the file:\n%s", stderr)
				}
			default:
				t.Fatalf("exit code %d\n%s", code, stderr)
			}
		})
	}
	if rendered < 30 {
		t.Errorf("only %d corpus task definitions rendered", rendered)
	}
}

const (
	renderWebTask = `{"family":"web","networkMode":"awsvpc","cpu":"0.5 vCPU","memory":"1GB",
 "taskRoleArn":"web-role",
 "containerDefinitions":[{"name":"app","image":"nginx:1.27","cpu":256,"memoryReservation":256,
   "portMappings":[{"name":"http","containerPort":80,"appProtocol":"http"}],
   "secrets":[{"name":"TOKEN","valueFrom":"/web/token"}],
   "healthCheck":{"command":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"startPeriod":60}}]}`
	renderWebService = `{"serviceName":"web","taskDefinition":"web","desiredCount":4,"launchType":"EC2",
 "deploymentConfiguration":{"maximumPercent":150,"minimumHealthyPercent":50},
 "loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/abc","containerName":"app","containerPort":80}]}`
	renderCluster = `apiVersion: ecs.operator.dev/v1alpha1
kind: ECSCluster
metadata:
  name: prod
spec:
  region: us-east-1
  iam:
    accountId: "111122223333"
  secretStoreRef:
    name: aws-parameterstore
`
)

func TestRenderTaskAndService(t *testing.T) {
	dir := writeFiles(t, map[string]string{"task.json": renderWebTask, "service.json": renderWebService, "cluster.yaml": renderCluster})
	code, stdout, stderr := runCLI(t, "", "render", "-f", filepath.Join(dir, "task.json"), "-f", filepath.Join(dir, "service.json"),
		"--cluster-config", filepath.Join(dir, "cluster.yaml"), "-n", "shop")
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	checkRenderLines(t, stderr)
	kinds := objectsByKind(parseStream(t, stdout))
	for kind, n := range map[string]int{"ServiceAccount": 1, "ExternalSecret": 1, "Deployment": 1, "Service": 1, "TargetGroupBinding": 1} {
		if len(kinds[kind]) != n {
			t.Errorf("%d %s objects, want %d (kinds: %v)", len(kinds[kind]), kind, n, kinds)
		}
	}
	deployment := kinds["Deployment"][0]
	if replicas, _, _ := unstructured.NestedInt64(deployment.Object, "spec", "replicas"); replicas != 4 {
		t.Errorf("replicas = %d, want 4", replicas)
	}
	if cluster := deployment.GetLabels()["ecs.operator.dev/cluster"]; cluster != "prod" {
		t.Errorf("cluster label = %q, want the --cluster-config name", cluster)
	}
	containers, _, _ := unstructured.NestedSlice(deployment.Object, "spec", "template", "spec", "containers")
	app := containers[0].(map[string]any)
	if threshold, _, _ := unstructured.NestedInt64(app, "startupProbe", "failureThreshold"); threshold != 5 {
		t.Errorf("startupProbe failureThreshold = %d, want ceil(60/30)+3", threshold)
	}
	role := kinds["ServiceAccount"][0].GetAnnotations()["eks.amazonaws.com/role-arn"]
	if role != "arn:aws:iam::111122223333:role/web-role" {
		t.Errorf("role = %q", role)
	}
	if !strings.Contains(stderr, "warning: "+filepath.Join(dir, "task.json")+": taskRoleArn: ") {
		t.Errorf("task warnings not reported against the task file:\n%s", stderr)
	}
	if strings.Contains(stdout, "status:") {
		t.Errorf("manifests carry status:\n%s", stdout)
	}
}

func TestRenderErrorsAndWarnings(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.json":      `{"family":"bad","containerDefinitions":[{"name":"app","image":"i","memory":64,"dependsOn":[{"containerName":"db","condition":"SUCCESS"}]},{"name":"db","image":"i","memory":64}]}`,
		"warn.json":     `{"family":"warn","containerDefinitions":[{"name":"app","image":"i","memory":64,"ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}]}]}`,
		"clean.json":    `{"family":"clean","containerDefinitions":[{"name":"app","image":"i@sha256:0000000000000000000000000000000000000000000000000000000000000000","memory":64}]}`,
		"service.json":  `{"serviceName":"other","taskDefinition":"missing:2"}`,
		"cluster.yaml":  "kind: ECSCluster\nspec:\n  regoin: us-east-1\n",
		"notnodes.json": `{"kind":"PodList","items":[]}`,
	})
	file := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"SUCCESS on an essential container", []string{"-f", file("bad.json")}, 1,
			"error: " + file("bad.json") + `: containerDefinitions[0].dependsOn[0].condition: container "db" is essential`},
		{"warning", []string{"-f", file("warn.json")}, 0,
			"warning: " + file("warn.json") + ": containerDefinitions[0].ulimits: ulimits are set by the node runtime"},
		{"error on warning", []string{"-f", file("warn.json"), "--error-on-warning"}, 1,
			"warning: " + file("warn.json") + ": containerDefinitions[0].ulimits:"},
		{"clean with error on warning", []string{"-f", file("clean.json"), "--error-on-warning"}, 0, ""},
		{"service without its task", []string{"-f", file("clean.json"), "-f", file("service.json")}, 1,
			"error: " + file("service.json") + `: taskDefinition: task definition "missing:2" is not among the rendered ones`},
		{"misspelt cluster setting", []string{"-f", file("clean.json"), "--cluster-config", file("cluster.yaml")}, 1,
			"error: " + file("cluster.yaml") + ": not an ECSCluster manifest"},
		{"not nodes", []string{"-f", file("clean.json"), "--nodes", file("notnodes.json")}, 1,
			"error: " + file("notnodes.json") + ": found a PodList"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append([]string{"render"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr)
			}
			if (code == 0) != (stdout != "") {
				t.Errorf("exit code %d with stdout:\n%s", code, stdout)
			}
		})
	}
}

func TestRenderPlacementWithNodes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"task.json": `{"family":"gpu","placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type =~ g5.*"}],
			"containerDefinitions":[{"name":"app","image":"i","memory":64}]}`,
		"nodes.json": `{"kind":"List","apiVersion":"v1","items":[
			{"kind":"Node","apiVersion":"v1","metadata":{"name":"a","labels":{"node.kubernetes.io/instance-type":"g5.xlarge"}}},
			{"kind":"Node","apiVersion":"v1","metadata":{"name":"b","labels":{"node.kubernetes.io/instance-type":"m5.large"}}}]}`,
	})
	code, stdout, stderr := runCLI(t, "", "render", "-f", filepath.Join(dir, "task.json"), "--nodes", filepath.Join(dir, "nodes.json"))
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "g5.xlarge") || strings.Contains(stdout, "m5.large") {
		t.Errorf("placement not expanded against the nodes:\n%s", stdout)
	}
	code, _, stderr = runCLI(t, "", "render", "-f", filepath.Join(dir, "task.json"))
	if code != 1 || !strings.Contains(stderr, "placementConstraints[0]") {
		t.Errorf("without nodes: exit %d, want an error on placementConstraints[0]:\n%s", code, stderr)
	}
}
