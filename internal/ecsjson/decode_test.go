package ecsjson

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
)

// summary renders what Decode returned in a form tests compare whole:
// one line per document, then its diagnostics.
func summary(docs []Document) string {
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, "%s at %q", d.Kind, d.Path)
		if d.ContainersOnly {
			b.WriteString(" containers-only")
		}
		if d.SourceRevision != nil {
			fmt.Fprintf(&b, " revision %d", *d.SourceRevision)
		}
		b.WriteString("\n")
		for _, g := range d.Diagnostics {
			fmt.Fprintf(&b, "  %s %s: %s\n", g.Severity, g.Path, g.Message)
		}
	}
	return b.String()
}

func TestDecodeShapes(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{
			name:  "RegisterTaskDefinition input",
			input: `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
			want:  "TaskDefinition at \"\"\n",
		},
		{
			name:  "describe-task-definition output with wrapper and tags",
			input: `{"taskDefinition":{"family":"web","revision":7,"status":"ACTIVE","containerDefinitions":[{"name":"app","image":"nginx"}]},"tags":[{"key":"team","value":"a"}]}`,
			want: "TaskDefinition at \"taskDefinition\" revision 7\n" +
				"  Info revision: read-only describe field; ignored (kept as the source revision)\n" +
				"  Info status: read-only describe field; ignored\n",
		},
		{
			name:  "describe-task-definition output without wrapper",
			input: `{"taskDefinitionArn":"arn:aws:ecs:us-east-1:1:task-definition/web:3","family":"web","revision":3,"containerDefinitions":[{"name":"app","image":"nginx"}],"compatibilities":["EC2"],"requiresAttributes":[{"name":"com.amazonaws.ecs.capability.docker-remote-api.1.18"}],"registeredAt":"2024-01-01T00:00:00Z","registeredBy":"arn:aws:iam::1:user/me"}`,
			want: "TaskDefinition at \"\" revision 3\n" +
				"  Info compatibilities: read-only describe field; ignored\n" +
				"  Info registeredAt: read-only describe field; ignored\n" +
				"  Info registeredBy: read-only describe field; ignored\n" +
				"  Info requiresAttributes: read-only describe field; ignored\n" +
				"  Info revision: read-only describe field; ignored (kept as the source revision)\n" +
				"  Info taskDefinitionArn: read-only describe field; ignored\n",
		},
		{
			name:  "bare containerDefinitions array",
			input: `[{"name":"app","image":"nginx","portBinding":[]}]`,
			want: "TaskDefinition at \"\" containers-only\n" +
				"  Warning containerDefinitions[0].portBinding: unknown key; not an ECS field here, ignored\n",
		},
		{
			name:  "CreateService input",
			input: `{"serviceName":"web","taskDefinition":"web:3","desiredCount":2}`,
			want:  "Service at \"\"\n",
		},
		{
			name:  "ecspresso service without name or task definition",
			input: `{"schedulingStrategy":"DAEMON"}`,
			want:  "Service at \"\"\n",
		},
		{
			name:  "create-service output",
			input: `{"service":{"serviceName":"web","taskDefinition":"web","serviceArn":"arn:aws:ecs:us-east-1:1:service/c/web","runningCount":0,"events":[]}}`,
			want: "Service at \"service\"\n" +
				"  Info events: read-only describe field; ignored\n" +
				"  Info runningCount: read-only describe field; ignored\n" +
				"  Info serviceArn: read-only describe field; ignored\n",
		},
		{
			name:  "describe-services output with failures",
			input: `{"services":[{"serviceName":"a","taskDefinition":"a","clusterArn":"arn:aws:ecs:us-east-1:1:cluster/c"},{"serviceName":"b","taskDefinition":"b","deployments":[{"id":"x"}],"currentServiceDeployment":"arn"}],"failures":[{"arn":"arn:aws:ecs:us-east-1:1:service/c/gone","reason":"MISSING"}]}`,
			want: "Service at \"services[0]\"\n" +
				"  Warning : describe-services also reported failures[0] (arn arn:aws:ecs:us-east-1:1:service/c/gone, reason MISSING); that service is not in the file\n" +
				"  Info clusterArn: read-only describe field; ignored (set cluster to choose the ECSCluster)\n" +
				"Service at \"services[1]\"\n" +
				"  Info currentServiceDeployment: read-only describe field; ignored\n" +
				"  Info deployments: read-only describe field; ignored\n",
		},
		{
			name:  "unknown keys with suggestions, at every depth",
			input: `{"family":"web","Cpu":"256","containerDefinitions":[{"name":"app","image":"nginx","portBindings":[{"containerPort":80}],"portMappings":[{"ContainerPort":80}],"inferenceDevices":["x"]}]}`,
			want: "TaskDefinition at \"\"\n" +
				"  Warning Cpu: unknown key; did you mean \"cpu\"? (keys are case-sensitive; ignored)\n" +
				"  Warning containerDefinitions[0].inferenceDevices: unknown key; not an ECS field here, ignored\n" +
				"  Warning containerDefinitions[0].portBindings: unknown key; ECS calls it \"portMappings\" (ignored)\n" +
				"  Warning containerDefinitions[0].portMappings[0].ContainerPort: unknown key; did you mean \"containerPort\"? (keys are case-sensitive; ignored)\n",
		},
		{
			name:  "duplicate keys, in structs and maps",
			input: `{"family":"a","family":"web","containerDefinitions":[{"name":"app","image":"nginx","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"a","awslogs-group":"b"}}}]}`,
			want: "TaskDefinition at \"\"\n" +
				"  Warning containerDefinitions[0].logConfiguration.options.awslogs-group: duplicate key; the last value is used, as the AWS CLI does\n" +
				"  Warning family: duplicate key; the last value is used, as the AWS CLI does\n",
		},
		{
			name:  "unknown key in the describe wrapper",
			input: `{"taskDefinition":{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]},"ResponseMetadata":{}}`,
			want: "TaskDefinition at \"taskDefinition\"\n" +
				"  Warning : unknown key \"ResponseMetadata\" next to taskDefinition in the describe output; ignored\n",
		},
		{
			name:  "unknown key in the describe-services wrapper",
			input: `{"services":[{"serviceName":"a","taskDefinition":"a"}],"failures":[],"nextToken":"x"}`,
			want: "Service at \"services[0]\"\n" +
				"  Warning : unknown key \"nextToken\" next to services in the describe output; ignored\n",
		},
		{
			name:  "explicit nulls, blank lines and tabs",
			input: "\n\n\t{\"family\":\"web\",\t\"ipcMode\":null,\"volumes\":null,\"containerDefinitions\":[{\"name\":\"app\",\"image\":\"nginx\",\"memory\":null,\"mountPoints\":[{\"readOnly\":null}]}]}\n\n",
			want:  "TaskDefinition at \"\"\n",
		},
		{
			name:  "templated values are notes, not errors; ${X} in commands is shell",
			input: `{"family":"web","executionRoleArn":"{{ must_env ` + "`ROLE`" + ` }}","containerDefinitions":[{"name":"app","image":"<IMAGE1_NAME>","command":["sh","-c","echo ${HOME}"],"environment":[{"name":"REGION","value":"$$$TEST_REGION$$$"}]}]}`,
			want: "TaskDefinition at \"\"\n" +
				"  Info containerDefinitions[0].environment[0].value: \"$$$TEST_REGION$$$\" looks like an unrendered template placeholder; render the file with its deploy tool before applying\n" +
				"  Info containerDefinitions[0].image: \"<IMAGE1_NAME>\" looks like an unrendered template placeholder; render the file with its deploy tool before applying\n" +
				"  Info executionRoleArn: \"{{ must_env `ROLE` }}\" looks like an unrendered template placeholder; render the file with its deploy tool before applying\n",
		},
		{
			name:  "byte order mark",
			input: "\xef\xbb\xbf{\"serviceName\":\"web\",\"taskDefinition\":\"web\"}",
			want:  "Service at \"\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Decode([]byte(tt.input))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got := summary(docs); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	docs, err := Decode([]byte(`{"taskDefinition":{"family":"web","cpu":"1024","memory":2048,"revision":4,
		"containerDefinitions":[{"name":"app","image":"nginx","cpu":0,"essential":false,"environment":[],"dockerLabels":{}},
		                        {"name":"side","image":"busybox","memoryReservation":64}]},
		"tags":[{"key":"team","value":"a"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	spec := docs[0].TaskDefinition
	want := &ecsv1.TaskDefinitionSpec{
		Family: ptr.To("web"),
		CPU:    ptr.To(intstr.FromString("1024")),
		Memory: ptr.To(intstr.FromInt32(2048)),
		ContainerDefinitions: []ecsv1.ContainerDefinition{
			{Name: "app", Image: "nginx", CPU: ptr.To[int32](0), Essential: ptr.To(false), Environment: []ecsv1.KeyValuePair{}, DockerLabels: map[string]string{}},
			{Name: "side", Image: "busybox", MemoryReservation: ptr.To[int32](64)},
		},
		Tags: []ecsv1.Tag{{Key: ptr.To("team"), Value: ptr.To("a")}},
	}
	if !reflect.DeepEqual(spec, want) {
		got, _ := EncodeTaskDefinition(spec)
		wantJSON, _ := EncodeTaskDefinition(want)
		t.Errorf("got %s\nwant %s", got, wantJSON)
	}
	if docs[0].SourceRevision == nil || *docs[0].SourceRevision != 4 {
		t.Errorf("SourceRevision = %v, want 4", docs[0].SourceRevision)
	}
	if spec.Revision != nil {
		t.Errorf("read-only revision kept in the spec")
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, input string
		want        []string // each error, as path: message
	}{
		{
			name:  "empty input",
			input: "  \n ",
			want:  []string{"empty input: expected an ECS task definition or service as JSON"},
		},
		{
			name:  "neither task definition nor service",
			input: `{"name":"x","value":"y"}`,
			want:  []string{`not an ECS task definition or service: expected a task definition (containerDefinitions, family, ...), a service (serviceName, taskDefinition, desiredCount, ...), or describe output ({"taskDefinition": ...}, {"service": ...}, {"services": [...]})`},
		},
		{
			name:  "a single container",
			input: `{"name":"app","image":"nginx"}`,
			want:  []string{`not an ECS task definition or service: expected a task definition (containerDefinitions, family, ...), a service (serviceName, taskDefinition, desiredCount, ...), or describe output ({"taskDefinition": ...}, {"service": ...}, {"services": [...]}); this looks like a single container definition: put it in an array or under containerDefinitions`},
		},
		{
			name:  "CloudFormation properties",
			input: `{"ContainerDefinitions":[]}`,
			want:  []string{`not an ECS task definition or service: expected a task definition (containerDefinitions, family, ...), a service (serviceName, taskDefinition, desiredCount, ...), or describe output ({"taskDefinition": ...}, {"service": ...}, {"services": [...]}); keys such as "ContainerDefinitions" look like CloudFormation properties: ECS JSON spells them in camelCase ("containerDefinitions")`},
		},
		{
			name:  "only read-only describe fields",
			input: `{"deployments":[],"serviceName":null}`,
			want:  []string{`not an ECS task definition or service: expected a task definition (containerDefinitions, family, ...), a service (serviceName, taskDefinition, desiredCount, ...), or describe output ({"taskDefinition": ...}, {"service": ...}, {"services": [...]})`},
		},
		{
			name:  "a string",
			input: `"web"`,
			want:  []string{`expected a JSON object (an ECS task definition or service) or an array of container definitions, got a string "web"`},
		},
		{
			name:  "empty array",
			input: `[]`,
			want:  []string{"empty array: expected a task definition or service object, or an array of container definitions"},
		},
		{
			name:  "array of task definitions",
			input: `[{"family":"a","containerDefinitions":[]}]`,
			want:  []string{"[0]: an array of task definitions is not an accepted shape: put each task definition in its own file"},
		},
		{
			name:  "describe-services without services",
			input: `{"services":[],"failures":[{"arn":"arn:x","reason":"MISSING"}]}`,
			want:  []string{"services: describe-services output without services: nothing to convert (arn arn:x, reason MISSING)"},
		},
		{
			name:  "type errors name the full path",
			input: `{"family":"web","containerDefinitions":[{"name":"a","image":"x"},{"name":"b","image":"y","cpu":"256","essential":"True","portMappings":{"containerPort":80},"memory":1.5,"dockerLabels":{"a":1}}],"cpu":0.5}`,
			want: []string{
				`containerDefinitions[1].cpu: expected a number, got a string "256"; write it without quotes (256)`,
				`containerDefinitions[1].memory: expected a whole number, got a number (1.5)`,
				`containerDefinitions[1].portMappings: expected an array, got an object; a single entry still goes in [ ]`,
				`containerDefinitions[1].essential: expected true or false, got a string "True"; write it without quotes (true)`,
				`containerDefinitions[1].dockerLabels.a: expected a string, got a number (1); write it in quotes ("1")`,
				`cpu: expected a whole number or a string, got a number (0.5)`,
			},
		},
		{
			name:  "a number out of range",
			input: `{"serviceName":"web","taskDefinition":"web","desiredCount":3000000000}`,
			want:  []string{"desiredCount: expected a number between -2147483648 and 2147483647, got a number (3000000000)"},
		},
		{
			name:  "a templated number",
			input: `{"family":"web","containerDefinitions":[{"name":"a","image":"x","cpu":"{{cpu}}"}]}`,
			want:  []string{`containerDefinitions[0].cpu: expected a number, got a string "{{cpu}}"; it looks like an unrendered template: render it first`},
		},
		{
			name:  "type error inside describe-services",
			input: `{"services":[{"serviceName":"a","taskDefinition":"a"},{"serviceName":"b","taskDefinition":"b","desiredCount":"2"}]}`,
			want:  []string{`services[1].desiredCount: expected a number, got a string "2"; write it without quotes (2)`},
		},
		{
			name:  "missing comma",
			input: "{\n  \"family\": \"web\"\n  \"containerDefinitions\": []\n}",
			want:  []string{`invalid JSON at line 3, column 3: expected ',' or '}' after the value, found "\"" (a missing comma?)`},
		},
		{
			name:  "unquoted mustache template",
			input: "{\"family\":\"web\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"command\":[ {{command}} ]}]}",
			want:  []string{`containerDefinitions[0].command[0]: invalid JSON at line 1, column 78: expected a quoted key, found "{command}}"; it looks like an unquoted template placeholder: render the file with its template tool first`},
		},
		{
			name:  "unquoted jq variable",
			input: "{\n\t\"family\": $NAME\n}",
			want:  []string{`family: invalid JSON at line 2, column 12: expected a value, found "$NAME"; it looks like an unquoted template placeholder: render the file with its template tool first`},
		},
		{
			name:  "unterminated string",
			input: "{\"family\": \"web,\n\"containerDefinitions\": []}",
			want:  []string{"family: invalid JSON at line 1, column 17: a line break or control character inside a string (a missing closing quote?)"},
		},
		{
			name:  "truncated file",
			input: `{"family": "web", "containerDefinitions": [`,
			want:  []string{"containerDefinitions: invalid JSON at line 1, column 44: the document ends early (an unclosed bracket, brace or string)"},
		},
		{
			name:  "two documents in one file",
			input: "{\"serviceName\":\"a\"}\n{\"serviceName\":\"b\"}",
			want:  []string{`invalid JSON at line 2, column 1: unexpected "{" after the end of the document (one file holds one JSON document)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Decode([]byte(tt.input))
			if err == nil {
				t.Fatalf("Decode succeeded: %s", summary(docs))
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var one Error
			if !errors.As(err, &one) || one.Message == "" {
				t.Errorf("errors.As(err, &Error{}) did not find the first error")
			}
		})
	}
}
