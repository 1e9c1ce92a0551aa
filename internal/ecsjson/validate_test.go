package ecsjson

import (
	"fmt"
	"strings"
	"testing"
)

// validateCases are documents with one problem each, and the error
// Validate must report. The API server agreement test (cmd/kubectl-ecs)
// applies the same documents to a real API server.
var validateCases = []struct {
	name, input string
	want        string // "path: message"; "" for a valid document
}{
	{"valid task definition", `{"family":"web","cpu":".25 vcpu","memory":"2GB","containerDefinitions":[{"name":"app","image":"nginx"}]}`, ""},
	{"valid service", `{"serviceName":"web","taskDefinition":"web","desiredCount":2,"launchType":""}`, ""},
	{"enum", `{"family":"web","networkMode":"overlay","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		`networkMode: unsupported value "overlay"; must be one of "", "bridge", "host", "awsvpc", "none", "default"`},
	{"enum in a list", `{"family":"web","requiresCompatibilities":["{{launchtype}}"],"containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		`requiresCompatibilities[0]: unsupported value "{{launchtype}}"; must be one of "EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"; it looks like an unrendered template: render it first`},
	{"port range", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","portMappings":[{"containerPort":70000}]}]}`,
		"containerDefinitions[0].portMappings[0].containerPort: must be at most 65535 (is 70000)"},
	{"health check interval", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","healthCheck":{"command":["CMD","true"],"interval":1}}]}`,
		"containerDefinitions[0].healthCheck.interval: must be at least 5 (is 1)"},
	{"health check command", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","healthCheck":{"command":["curl","localhost"]}}]}`,
		`containerDefinitions[0].healthCheck.command[0]: must be CMD, CMD-SHELL or NONE, not "curl" (e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"])`},
	{"missing image", `{"family":"web","containerDefinitions":[{"name":"app"}]}`,
		"containerDefinitions[0].image: required: every container needs an image"},
	{"no containers", `{"family":"web","containerDefinitions":[]}`,
		"containerDefinitions: must have at least 1 entry (has 0)"},
	{"too many containers", `{"family":"web","containerDefinitions":[` + numberedContainers(11) + `]}`,
		`containerDefinitions: must have at most 10 entries (has 11)`},
	{"duplicate container names", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"},{"name":"app","image":"nginx"}]}`,
		`containerDefinitions[1].name: duplicate container name "app"; container names must be unique`},
	{"no essential container", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","essential":false}]}`,
		"containerDefinitions: at least one container must be essential (essential defaults to true)"},
	{"dependsOn unknown container", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","dependsOn":[{"containerName":"db","condition":"START"}]}]}`,
		`containerDefinitions[0].dependsOn[0].containerName: "db" is not a container of this task definition`},
	{"dependsOn itself", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","dependsOn":[{"containerName":"app","condition":"START"}]}]}`,
		`containerDefinitions[0].dependsOn[0].containerName: container "app" depends on itself`},
	{"dependsOn condition", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"},{"name":"b","image":"x","dependsOn":[{"containerName":"app","condition":"READY"}]}]}`,
		`containerDefinitions[1].dependsOn[0].condition: unsupported value "READY"; must be one of "START", "COMPLETE", "SUCCESS", "HEALTHY"`},
	{"link to unknown container", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","links":["db:database"]}]}`,
		`containerDefinitions[0].links[0]: "db" is not a container of this task definition (links are name or name:alias)`},
	{"volumesFrom unknown container", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","volumesFrom":[{"sourceContainer":"data"}]}]}`,
		`containerDefinitions[0].volumesFrom[0].sourceContainer: "data" is not a container of this task definition`},
	{"mountPoint unknown volume", `{"family":"web","volumes":[{"name":"a"}],"containerDefinitions":[{"name":"app","image":"nginx","mountPoints":[{"sourceVolume":"b","containerPath":"/b"}]}]}`,
		`containerDefinitions[0].mountPoints[0].sourceVolume: volume "b" is not declared in volumes (declared: "a")`},
	{"duplicate volume names", `{"family":"web","volumes":[{"name":"a"},{"name":"a"}],"containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		`volumes[1].name: duplicate volume name "a"; volume names must be unique`},
	{"task cpu format", `{"family":"web","cpu":"1 core","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		`cpu: "1 core" must be CPU units (1024 or "1024") or vCPUs ("1 vCPU", ".25 vcpu")`},
	{"task memory format", `{"family":"web","memory":"${MEMORY}","containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		`memory: "${MEMORY}" must be MiB (2048 or "2048") or GB ("2 GB", "2GB", ".5 gb"); it looks like an unrendered template: render it first`},
	{"negative task memory", `{"family":"web","memory":-1,"containerDefinitions":[{"name":"app","image":"nginx"}]}`,
		"memory: must not be negative (is -1)"},
	{"port range pattern", `{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","portMappings":[{"containerPortRange":"80:90"}]}]}`,
		`containerDefinitions[0].portMappings[0].containerPortRange: "80:90" does not have the expected form (^[0-9]+-[0-9]+$)`},
	{"service without task definition", `{"serviceName":"web"}`,
		"taskDefinition: required: name the task definition the service runs (family, family:revision or an ARN)"},
	{"launchType with capacity providers", `{"serviceName":"web","taskDefinition":"web","launchType":"EC2","capacityProviderStrategy":[{"capacityProvider":"spot"}]}`,
		"launchType: launchType and capacityProviderStrategy are mutually exclusive: set one of them"},
	{"daemon with placement strategy", `{"serviceName":"web","taskDefinition":"web","schedulingStrategy":"DAEMON","placementStrategy":[{"type":"spread","field":"host"}]}`,
		"placementStrategy: not allowed with schedulingStrategy DAEMON"},
	{"daemon on Fargate", `{"serviceName":"web","taskDefinition":"web","schedulingStrategy":"DAEMON","launchType":"FARGATE"}`,
		"schedulingStrategy: DAEMON is not supported with launchType FARGATE"},
	{"minimum above maximum", `{"serviceName":"web","taskDefinition":"web","deploymentConfiguration":{"maximumPercent":100,"minimumHealthyPercent":100}}`, ""},
	{"minimum healthy above maximum", `{"serviceName":"web","taskDefinition":"web","deploymentConfiguration":{"maximumPercent":50,"minimumHealthyPercent":100}}`,
		"deploymentConfiguration.minimumHealthyPercent: 100 must not exceed maximumPercent (50)"},
	{"negative desired count", `{"serviceName":"web","taskDefinition":"web","desiredCount":-1}`,
		"desiredCount: must be at least 0 (is -1)"},
	{"scheduling strategy", `{"serviceName":"web","taskDefinition":"web","schedulingStrategy":"daemon"}`,
		`schedulingStrategy: unsupported value "daemon"; must be one of "REPLICA", "DAEMON"`},
	{"too many placement strategies", `{"serviceName":"web","taskDefinition":"web","placementStrategy":[` + strings.Repeat(`{"type":"random"},`, 5) + `{"type":"random"}]}`,
		"placementStrategy: must have at most 5 entries (has 6)"},
	{"autoScaling on a daemon", `{"serviceName":"web","taskDefinition":"web","schedulingStrategy":"DAEMON","autoScaling":{"minCapacity":1,"maxCapacity":2}}`,
		"autoScaling: not allowed with schedulingStrategy DAEMON (a daemon runs one task per node)"},
	{"autoScaling capacities", `{"serviceName":"web","taskDefinition":"web","autoScaling":{"minCapacity":3,"maxCapacity":2}}`,
		"autoScaling.minCapacity: 3 must not exceed maxCapacity (2)"},
	{"target tracking metric", `{"serviceName":"web","taskDefinition":"web","autoScaling":{"minCapacity":1,"maxCapacity":2,"targetTrackingScalingPolicies":[{"targetValue":50}]}}`,
		"autoScaling.targetTrackingScalingPolicies[0]: set exactly one of predefinedMetricSpecification and customizedMetricSpecification"},
}

func TestValidate(t *testing.T) {
	for _, tt := range validateCases {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Decode([]byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range Validate(docs[0]) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

// numberedContainers returns n container definitions c0, c1, ... as JSON
// array items.
func numberedContainers(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"name":"c%d","image":"x"}`, i)
	}
	return strings.Join(items, ",")
}
