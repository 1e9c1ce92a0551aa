package ecsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ecs-operator/ecs-operator/internal/testenv"
)

// corpusFailures lists the corpus files that Decode or Validate must
// reject, with a part of the error that names the problem. Every other
// file must decode and validate. Services without a taskDefinition
// (ecspresso style) fail here; the CLI fills them in from its flags.
var corpusFailures = map[string]string{
	// Not valid JSON (INDEX.md lists them).
	"taskdefs/001-ecs-agent-container-health.json":              "containerDefinitions[0].healthCheck: invalid JSON at line 14, column 13: expected a quoted key, found \"$$$$START_PERIOD$$$$\"; it looks like an unquoted template placeholder",
	"taskdefs/029-ecs-agent-telemetry-windows.json":             "containerDefinitions[0].cpu: invalid JSON at line 6, column 12: expected a value, found \"$$$$CPUSHARE$$$$\"; it looks like an unquoted template placeholder",
	"taskdefs/030-firelens-dynatrace.json":                      "invalid JSON at line 34, column 20: expected ',' or '}' after the value, found \"\\\"\" (a missing comma?)",
	"taskdefs/048-otel-ec2-instance-daemon-templated.json":      "containerDefinitions[0].command[0]: invalid JSON at line 16, column 10: expected a quoted key, found \"{command}}\"; it looks like an unquoted template placeholder",
	"taskdefs/064-devguide-firelens-multiline-broken.json":      "taskRoleArn: invalid JSON at line 3, column 38: a line break or control character inside a string (a missing closing quote?)",
	"taskdefs/065-devguide-efs-placeholder-integer.json":        "volumes[0].efsVolumeConfiguration.transitEncryptionPort: invalid JSON at line 29, column 42: expected a value, found \"integer\"",
	"taskdefs/087-appmesh-fargate-colorteller-jq-template.json": "family: invalid JSON at line 2, column 13: expected a value, found \"$NAME\"; it looks like an unquoted template placeholder",
	// portMappings is an object with CloudFormation-style keys.
	"taskdefs/038-firelens-logstash-awsvpc.json": "containerDefinitions[1].portMappings: expected an array, got an object",
	// Valid JSON that ECS (and the CRD) reject.
	"taskdefs/022-ecs-agent-iam-roles.json":                 `networkMode: unsupported value "$$$NETWORK_MODE$$$"; must be one of "", "bridge", "host", "awsvpc", "none", "default"; it looks like an unrendered template: render it first`,
	"taskdefs/045-cwagent-prometheus-templated.json":        `networkMode: unsupported value "{{networkmode}}"; must be one of "", "bridge", "host", "awsvpc", "none", "default"; it looks like an unrendered template: render it first`,
	"taskdefs/052-devguide-register-skeleton-template.json": "containerDefinitions[0].name: required: every container needs a name",
	"taskdefs/053-devguide-fsx-windows.json":                `containerDefinitions[0].mountPoints[0].sourceVolume: volume "fsx-windows-dir" is not declared in volumes (declared: "fsx-windows-vol")`,
	// ecspresso writes appProtocol "" for "none"; the CRD enum has no "".
	"services/007-devguide-service-definition-template.json": "launchType: launchType and capacityProviderStrategy are mutually exclusive: set one of them",
	// No taskDefinition: ecspresso and templates supply it at deploy time.
	"services/001-ecspresso-sv-alb-alarms.json":                      "taskDefinition: required: name the task definition",
	"services/002-ecspresso-service-circuit-breaker.json":            "taskDefinition: required: name the task definition",
	"services/003-ecspresso-daemon-minimal.json":                     "taskDefinition: required: name the task definition",
	"services/012-ecspresso-service-connect-internal.json":           "taskDefinition: required: name the task definition",
	"services/013-ecspresso-native-blue-green-lifecycle-hooks.json":  "taskDefinition: required: name the task definition",
	"services/014-ecspresso-capacity-provider-empty-launchtype.json": "taskDefinition: required: name the task definition",
	"services/015-ecspresso-output-fields-running-count.json":        "taskDefinition: required: name the task definition",
	"services/018-mythicalmysfits-template-no-taskdefinition.json":   "taskDefinition: required: name the task definition",
}

// corpusFile is one file of ../shared/corpus/ecs, named relative to it.
type corpusFile struct {
	name string
	data []byte
}

func corpusFiles(t testing.TB) []corpusFile {
	t.Helper()
	shared, ok := testenv.SharedDir()
	if !ok {
		t.Skipf("skipping: the shared ECS corpus is absent (%s); set ECS_OPERATOR_SHARED to run corpus tests", shared)
	}
	root := filepath.Join(shared, "corpus", "ecs")
	var files []corpusFile
	for _, dir := range []string{"taskdefs", "services"} {
		paths, err := filepath.Glob(filepath.Join(root, dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, corpusFile{name: dir + "/" + filepath.Base(p), data: data})
		}
	}
	if len(files) < 100 {
		t.Fatalf("found only %d corpus files under %s", len(files), root)
	}
	return files
}

// decodeAndValidate returns the documents of data, or the first error of
// Decode or Validate as "path: message" lines.
func decodeAndValidate(data []byte) ([]Document, string) {
	docs, err := Decode(data)
	if err != nil {
		return nil, err.Error()
	}
	var msgs []string
	for _, d := range docs {
		for _, e := range Validate(d) {
			msgs = append(msgs, joinPath(d.Path, e.Path)+": "+e.Message)
		}
	}
	return docs, strings.Join(msgs, "\n")
}

func TestCorpusDecodesOrFailsNamingTheProblem(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range corpusFiles(t) {
		seen[f.name] = true
		t.Run(f.name, func(t *testing.T) {
			docs, problems := decodeAndValidate(f.data)
			want, shouldFail := corpusFailures[f.name]
			switch {
			case shouldFail && problems == "":
				t.Fatalf("accepted, want an error containing %q", want)
			case shouldFail && !strings.Contains(problems, want):
				t.Fatalf("error:\n%s\nwant it to contain %q", problems, want)
			case !shouldFail && problems != "":
				t.Fatalf("unexpected error:\n%s", problems)
			}
			if !shouldFail && len(docs) == 0 {
				t.Fatal("no documents")
			}
		})
	}
	for name := range corpusFailures {
		if !seen[name] {
			t.Errorf("corpusFailures names %s, which is not in the corpus", name)
		}
	}
}

// TestCorpusRoundTrip: ECS JSON → API types → ECS JSON gives back the input
// minus read-only describe fields and reported unknown keys (compared as
// parsed JSON with nulls removed, key order aside). Numbers keep their
// form: a task cpu written "1024" stays a string.
func TestCorpusRoundTrip(t *testing.T) {
	for _, f := range corpusFiles(t) {
		docs, err := Decode(f.data)
		if err != nil {
			continue // TestCorpusDecodesOrFailsNamingTheProblem covers these
		}
		t.Run(f.name, func(t *testing.T) {
			input := parseJSON(t, f.data)
			for _, doc := range docs {
				want := documentTree(t, input, doc)
				if svc, ok := want.(map[string]any); ok && doc.Kind == KindService && svc["taskDefinition"] == "" {
					// EncodeService leaves an empty taskDefinition out, as
					// ecspresso-style files do.
					delete(svc, "taskDefinition")
				}
				for _, d := range doc.Diagnostics {
					if strings.HasPrefix(d.Message, "unknown key") || strings.HasPrefix(d.Message, readOnlyMessage) {
						deletePath(want, d.Path)
					}
				}
				var encoded []byte
				var err error
				if doc.Kind == KindTaskDefinition {
					encoded, err = EncodeTaskDefinition(doc.TaskDefinition)
				} else {
					encoded, err = EncodeService(doc.Service)
				}
				if err != nil {
					t.Fatal(err)
				}
				got := parseJSON(t, encoded)
				if diffs := jsonDiff(want, got, doc.Path); len(diffs) > 0 {
					t.Errorf("round trip differs:\n%s", strings.Join(diffs, "\n"))
				}
			}
		})
	}
}

func parseJSON(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return dropNulls(v)
}

// documentTree is the part of the input a document came from, as the
// encoder writes it: the inner object of describe output (with its sibling
// tags), or {"containerDefinitions": [...]} for a bare array.
func documentTree(t *testing.T, input any, doc Document) any {
	t.Helper()
	if doc.ContainersOnly {
		return map[string]any{"containerDefinitions": input}
	}
	if doc.Path == "" {
		return input
	}
	top := input.(map[string]any)
	if doc.Path == "taskDefinition" {
		inner := top["taskDefinition"].(map[string]any)
		if tags, ok := top["tags"]; ok {
			if _, has := inner["tags"]; !has {
				inner["tags"] = tags
			}
		}
		return inner
	}
	if doc.Path == "service" {
		return top["service"]
	}
	var i int
	if _, err := fmt.Sscanf(doc.Path, "services[%d]", &i); err != nil {
		t.Fatalf("unexpected document path %q", doc.Path)
	}
	return top["services"].([]any)[i]
}

func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropNulls(x)
		}
	}
	return v
}

// deletePath removes the value at a JSON path (a.b[0].c) from tree.
func deletePath(tree any, path string) {
	segs := pathSegments(path)
	for i, seg := range segs {
		last := i == len(segs)-1
		switch node := tree.(type) {
		case map[string]any:
			if last {
				delete(node, seg.key)
				return
			}
			tree = node[seg.key]
		case []any:
			if seg.index < 0 || seg.index >= len(node) || last {
				return
			}
			tree = node[seg.index]
		default:
			return
		}
	}
}

// jsonDiff lists the paths where want and got differ. Numbers compare by
// value; a number and a string never compare equal.
func jsonDiff(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %v", path, got)}
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		var out []string
		for _, k := range sortedKeys(keys) {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inW:
				out = append(out, fmt.Sprintf("%s: added %v", joinPath(path, k), gv))
			case !inG:
				out = append(out, fmt.Sprintf("%s: missing (want %v)", joinPath(path, k), wv))
			default:
				out = append(out, jsonDiff(wv, gv, joinPath(path, k))...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
		}
		var out []string
		for i := range w {
			out = append(out, jsonDiff(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case json.Number:
		g, ok := got.(json.Number)
		if ok {
			wf, _ := strconv.ParseFloat(string(w), 64)
			gf, _ := strconv.ParseFloat(string(g), 64)
			if wf == gf {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: want number %v, got %#v", path, w, got)}
	default:
		if want != got {
			return []string{fmt.Sprintf("%s: want %#v, got %#v", path, want, got)}
		}
		return nil
	}
}
