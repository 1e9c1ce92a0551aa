package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// runCLI runs kubectl-ecs in-process and returns the exit code, standard
// output and standard error.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, ioStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

// parseStream parses a YAML stream into objects.
func parseStream(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var objs []*unstructured.Unstructured
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("stdout is not a YAML stream: %v\n%s", err, stream)
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(raw); err != nil {
			t.Fatalf("stdout holds a document that is not an object: %v\n%s", err, raw)
		}
		objs = append(objs, obj)
	}
}

// writeFiles writes name → content files into a new directory and
// returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	webTask     = `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","portBindings":[]}]}`
	apiTask     = `{"family":"api","containerDefinitions":[{"name":"app","image":"api:1"}]}`
	ecspressoSv = `{"desiredCount":2,"launchType":"FARGATE"}`
)

func TestConvert(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"web.json":          webTask,
		"api.json":          apiTask,
		"service-def.json":  ecspressoSv,
		"broken.json":       "{\n  \"family\": \"x\"\n  \"containerDefinitions\": []\n}",
		"invalid-ecs.json":  `{"family":"bad","networkMode":"{{networkmode}}","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		"containers.json":   `[{"name":"app","image":"nginx"}]`,
		"web-again.json":    `{"family":"Web","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		"described.json":    `{"taskDefinition":{"family":"My_App","revision":12,"status":"ACTIVE","cpu":"256","containerDefinitions":[{"name":"app","image":"nginx"}]}}`,
		"sv-with-name.json": `{"serviceName":"front","taskDefinition":"web:3"}`,
	})
	file := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		objects []string // kind/namespace/name of each output object
		stderr  []string // exact lines
		check   func(t *testing.T, objs []*unstructured.Unstructured)
	}{
		{
			name:    "task definition and ecspresso service",
			args:    []string{"convert", "-f", file("web.json"), "-f", file("service-def.json")},
			objects: []string{"TaskDefinition//web", "ECSService//service-def"},
			stderr: []string{
				"warning: " + file("web.json") + `: containerDefinitions[0].portBindings: unknown key; ECS calls it "portMappings" (ignored)`,
				"warning: " + file("service-def.json") + `: serviceName: not in the file; using the file name "service-def" (pass --service-name to choose)`,
				"note: " + file("service-def.json") + `: taskDefinition: not in the file; using "web", the task definition converted alongside`,
			},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				td, _, _ := unstructured.NestedString(objs[1].Object, "spec", "taskDefinition")
				desired, _, _ := unstructured.NestedInt64(objs[1].Object, "spec", "desiredCount")
				if td != "web" || desired != 2 {
					t.Errorf("service spec: taskDefinition %q, desiredCount %d", td, desired)
				}
				if _, has := objs[0].Object["status"]; has {
					t.Error("output carries a status")
				}
			},
		},
		{
			name:    "flags fill in service names; namespace",
			args:    []string{"convert", "-f", file("service-def.json"), "--service-name", "Shop Front", "--task-definition", "web:7", "-n", "shop"},
			objects: []string{"ECSService/shop/shop-front"},
			stderr: []string{
				"note: " + file("service-def.json") + `: serviceName: not in the file; using --service-name "Shop Front"`,
				"note: " + file("service-def.json") + `: taskDefinition: not in the file; using --task-definition "web:7"`,
			},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				if got := objs[0].GetAnnotations()["ecs.operator.dev/original-name"]; got != "Shop Front" {
					t.Errorf("original-name annotation %q", got)
				}
				td, _, _ := unstructured.NestedString(objs[0].Object, "spec", "taskDefinition")
				name, _, _ := unstructured.NestedString(objs[0].Object, "spec", "serviceName")
				if td != "web:7" || name != "Shop Front" {
					t.Errorf("spec: serviceName %q, taskDefinition %q", name, td)
				}
			},
		},
		{
			name:    "flags do not override the file",
			args:    []string{"convert", "--notes=false", "-f", file("sv-with-name.json"), "--service-name", "other", "--task-definition", "other"},
			objects: []string{"ECSService//front"},
		},
		{
			name:    "describe output from stdin keeps revision and original name",
			stdin:   `{"taskDefinition":{"family":"My_App","revision":12,"status":"ACTIVE","cpu":"256","containerDefinitions":[{"name":"app","image":"nginx"}]}}`,
			args:    []string{"convert", "-f", "-"},
			objects: []string{"TaskDefinition//my-app"},
			stderr: []string{
				"note: <stdin>: taskDefinition.revision: read-only describe field; ignored (kept as the source revision)",
				"note: <stdin>: taskDefinition.status: read-only describe field; ignored",
			},
			check: func(t *testing.T, objs []*unstructured.Unstructured) {
				ann := objs[0].GetAnnotations()
				if ann["ecs.operator.dev/source-revision"] != "12" || ann["ecs.operator.dev/original-name"] != "My_App" {
					t.Errorf("annotations %v", ann)
				}
				cpu, found, _ := unstructured.NestedString(objs[0].Object, "spec", "cpu")
				if !found || cpu != "256" {
					t.Errorf("task cpu %q (string form kept: %v)", cpu, found)
				}
				if _, found, _ := unstructured.NestedFieldNoCopy(objs[0].Object, "spec", "revision"); found {
					t.Error("read-only revision is in the spec")
				}
			},
		},
		{
			name:   "bare array from stdin needs --family",
			stdin:  `[{"name":"app","image":"nginx"}]`,
			args:   []string{"convert", "-f", "-"},
			code:   1,
			stderr: []string{"error: <stdin>: family: not in the file (a bare containerDefinitions array); pass --family NAME"},
		},
		{
			name:    "bare array with --family",
			stdin:   `[{"name":"app","image":"nginx"}]`,
			args:    []string{"convert", "-f", "-", "--family", "web"},
			objects: []string{"TaskDefinition//web"},
			stderr:  []string{`note: <stdin>: family: not in the file (a bare containerDefinitions array); using --family "web"`},
		},
		{
			name:    "bare array file defaults to the file name",
			args:    []string{"convert", "-f", file("containers.json")},
			objects: []string{"TaskDefinition//containers"},
			stderr:  []string{"warning: " + file("containers.json") + `: family: not in the file (a bare containerDefinitions array); using the file name "containers" (pass --family to choose)`},
		},
		{
			name:    "a broken file fails alone",
			args:    []string{"convert", "--notes=false", "-f", file("broken.json"), "-f", file("invalid-ecs.json"), "-f", file("api.json")},
			code:    1,
			objects: []string{"TaskDefinition//api"},
			stderr: []string{
				"error: " + file("broken.json") + `: invalid JSON at line 3, column 3: expected ',' or '}' after the value, found "\"" (a missing comma?)`,
				"error: " + file("invalid-ecs.json") + `: networkMode: unsupported value "{{networkmode}}"; must be one of "", "bridge", "host", "awsvpc", "none", "default"; it looks like an unrendered template: render it first`,
			},
		},
		{
			name:    "service without task definition among several",
			args:    []string{"convert", "-f", file("web.json"), "-f", file("api.json"), "-f", file("service-def.json"), "--notes=false"},
			code:    1,
			objects: []string{"TaskDefinition//web", "TaskDefinition//api"},
			stderr: []string{
				"warning: " + file("web.json") + `: containerDefinitions[0].portBindings: unknown key; ECS calls it "portMappings" (ignored)`,
				"warning: " + file("service-def.json") + `: serviceName: not in the file; using the file name "service-def" (pass --service-name to choose)`,
				"error: " + file("service-def.json") + ": taskDefinition: required: not in the file, and 2 task definitions are converted alongside; pass --task-definition FAMILY[:REVISION]",
			},
		},
		{
			name:    "two files producing the same object",
			args:    []string{"convert", "--notes=false", "-f", file("api.json"), "-f", file("api.json")},
			code:    1,
			objects: []string{"TaskDefinition//api"},
			stderr:  []string{"error: " + file("api.json") + `: TaskDefinition "api" is also produced by ` + file("api.json") + "; give them different names"},
		},
		{
			name:    "a directory",
			args:    []string{"convert", "--notes=false", "-f", writeFiles(t, map[string]string{"a.json": apiTask, "b.json": `{"serviceName":"b","taskDefinition":"api"}`, "notes.txt": "x"})},
			objects: []string{"TaskDefinition//api", "ECSService//b"},
		},
		{
			name:   "missing file",
			args:   []string{"convert", "-f", file("nope.json"), "-f", file("api.json")},
			code:   1,
			stderr: []string{"error: " + file("nope.json") + ": no such file or directory"},
			// The other file is still converted.
			objects: []string{"TaskDefinition//api"},
		},
		{
			name:   "no input",
			args:   []string{"convert"},
			code:   1,
			stderr: []string{"error: no input: name ECS JSON files with -f FILE (or -f - for standard input)"},
		},
		{
			name:   "positional argument",
			args:   []string{"convert", "task.json"},
			code:   1,
			stderr: []string{`error: unexpected argument "task.json": name input files with -f`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			objs := parseStream(t, stdout)
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
				if o.GetAPIVersion() != "ecs.operator.dev/v1alpha1" {
					t.Errorf("apiVersion %q", o.GetAPIVersion())
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.objects, "\n") {
				t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.objects, "\n"))
			}
			if lines := strings.TrimSuffix(stderr, "\n"); lines != strings.Join(tt.stderr, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", lines, strings.Join(tt.stderr, "\n"))
			}
			if tt.check != nil && len(objs) == len(tt.objects) {
				tt.check(t, objs)
			}
		})
	}
}

func TestConvertHelp(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "convert", "--help")
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, want := range []string{
		"kubectl ecs convert -f FILE [-f FILE...]",
		"aws ecs describe-task-definition --task-definition web:3 | kubectl ecs convert -f -",
		"--task-definition string",
		"-n, --namespace string",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, stdout)
		}
	}
}

// corpusCLIFailures are the corpus files `kubectl ecs convert -f FILE`
// (alone, without flags) rejects, with a part of the error line.
var corpusCLIFailures = map[string]string{
	"taskdefs/001-ecs-agent-container-health.json":              "containerDefinitions[0].healthCheck: invalid JSON at line 14, column 13",
	"taskdefs/029-ecs-agent-telemetry-windows.json":             "containerDefinitions[0].cpu: invalid JSON at line 6, column 12",
	"taskdefs/030-firelens-dynatrace.json":                      "invalid JSON at line 34, column 20",
	"taskdefs/048-otel-ec2-instance-daemon-templated.json":      "invalid JSON at line 16, column 10",
	"taskdefs/064-devguide-firelens-multiline-broken.json":      "taskRoleArn: invalid JSON at line 3, column 38",
	"taskdefs/065-devguide-efs-placeholder-integer.json":        "volumes[0].efsVolumeConfiguration.transitEncryptionPort: invalid JSON at line 29, column 42",
	"taskdefs/087-appmesh-fargate-colorteller-jq-template.json": "family: invalid JSON at line 2, column 13",
	"taskdefs/038-firelens-logstash-awsvpc.json":                "containerDefinitions[1].portMappings: expected an array, got an object",
	"taskdefs/022-ecs-agent-iam-roles.json":                     `networkMode: unsupported value "$$$NETWORK_MODE$$$"`,
	"taskdefs/045-cwagent-prometheus-templated.json":            `networkMode: unsupported value "{{networkmode}}"`,
	"taskdefs/052-devguide-register-skeleton-template.json":     "containerDefinitions[0].name: required",
	"taskdefs/053-devguide-fsx-windows.json":                    `containerDefinitions[0].mountPoints[0].sourceVolume: volume "fsx-windows-dir" is not declared in volumes`,
	"services/007-devguide-service-definition-template.json":    "launchType: launchType and capacityProviderStrategy are mutually exclusive",
	// ecspresso-style services without taskDefinition, converted alone.
	"services/001-ecspresso-sv-alb-alarms.json":                      "taskDefinition: required: not in the file",
	"services/002-ecspresso-service-circuit-breaker.json":            "taskDefinition: required: not in the file",
	"services/003-ecspresso-daemon-minimal.json":                     "taskDefinition: required: not in the file",
	"services/012-ecspresso-service-connect-internal.json":           "taskDefinition: required: not in the file",
	"services/013-ecspresso-native-blue-green-lifecycle-hooks.json":  "taskDefinition: required: not in the file",
	"services/014-ecspresso-capacity-provider-empty-launchtype.json": "taskDefinition: required: not in the file",
	"services/015-ecspresso-output-fields-running-count.json":        "taskDefinition: required: not in the file",
	"services/018-mythicalmysfits-template-no-taskdefinition.json":   "taskDefinition: required: not in the file",
}

// corpusFile is one file of ../shared/corpus/ecs.
type corpusFile struct {
	name string // relative to the corpus, e.g. taskdefs/001-....json
	path string
}

func corpusFiles(t *testing.T) []corpusFile {
	t.Helper()
	shared, ok := testenv.SharedDir()
	if !ok {
		t.Skipf("skipping: the shared ECS corpus is absent (%s); set ECS_OPERATOR_SHARED to run corpus tests", shared)
	}
	var files []corpusFile
	for _, dir := range []string{"taskdefs", "services"} {
		paths, err := filepath.Glob(filepath.Join(shared, "corpus", "ecs", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			files = append(files, corpusFile{name: dir + "/" + filepath.Base(p), path: p})
		}
	}
	if len(files) < 100 {
		t.Fatalf("found only %d corpus files", len(files))
	}
	return files
}

// TestConvertCorpus runs `convert -f FILE` on every corpus file, and once
// more through standard input, and checks the exit code, that stdout is a
// YAML stream of valid objects and that every stderr line has the
// documented form.
func TestConvertCorpus(t *testing.T) {
	for _, f := range corpusFiles(t) {
		t.Run(f.name, func(t *testing.T) {
			data, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			for _, input := range []struct{ name, arg, stdin string }{{f.path, f.path, ""}, {stdinName, "-", string(data)}} {
				code, stdout, stderr := runCLI(t, input.stdin, "convert", "-f", input.arg, "--family", "from-flag", "--service-name", "from-flag")
				want, shouldFail := corpusCLIFailures[f.name]
				switch {
				case shouldFail && (code != 1 || !strings.Contains(stderr, want)):
					t.Errorf("%s: exit code %d, stderr:\n%s\nwant exit code 1 and an error containing %q", input.name, code, stderr, want)
				case !shouldFail && code != 0:
					t.Errorf("%s: exit code %d, stderr:\n%s", input.name, code, stderr)
				}
				line := regexp.MustCompile(`^(warning|note|error): ` + regexp.QuoteMeta(input.name) + `: \S.*$`)
				for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
					if l != "" && !line.MatchString(l) {
						t.Errorf("%s: stderr line not in the form \"severity: FILE: PATH: message\": %q", input.name, l)
					}
				}
				objs := parseStream(t, stdout)
				if shouldFail {
					if len(objs) != 0 {
						t.Errorf("%s: a failed file produced %d objects", input.name, len(objs))
					}
					continue
				}
				if len(objs) == 0 {
					t.Fatalf("%s: no objects", input.name)
				}
				for _, o := range objs {
					if errs := validation.IsDNS1123Label(o.GetName()); len(errs) > 0 {
						t.Errorf("%s: object name %q: %v", input.name, o.GetName(), errs)
					}
					if _, ok := o.Object["spec"].(map[string]any); !ok {
						t.Errorf("%s: %s has no spec", input.name, o.GetName())
					}
				}
			}
		})
	}
}

// TestConvertCorpusServicesWithTaskDefinition converts each ecspresso-style
// service together with a task definition, as users do: the service takes
// its family.
func TestConvertCorpusServicesWithTaskDefinition(t *testing.T) {
	files := corpusFiles(t)
	var task string
	for _, f := range files {
		if f.name == "taskdefs/057-devguide-arm64-fargate.json" {
			task = f.path
		}
	}
	for _, f := range files {
		if !strings.HasPrefix(f.name, "services/") || !strings.Contains(corpusCLIFailures[f.name], "taskDefinition: required") {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", "convert", "-f", task, "-f", f.path)
			if code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			objs := parseStream(t, stdout)
			if len(objs) != 2 {
				t.Fatalf("%d objects", len(objs))
			}
			family, _, _ := unstructured.NestedString(objs[0].Object, "spec", "family")
			td, _, _ := unstructured.NestedString(objs[1].Object, "spec", "taskDefinition")
			if family == "" || td != family {
				t.Errorf("service taskDefinition %q, task definition family %q", td, family)
			}
		})
	}
}
