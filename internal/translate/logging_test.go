package translate

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestFireLens(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"app","image":"i","memory":64,"logConfiguration":{"logDriver":"awsfirelens",
		 "options":{"Name":"cloudwatch","region":"us-east-1","log_group_name":"/app","log-driver-buffer-limit":"2097152"},
		 "secretOptions":[{"name":"apikey","valueFrom":"arn:aws:ssm:us-east-1:111122223333:parameter/key"}]}},
		{"name":"log_router","image":"amazon/aws-for-fluent-bit","memory":64,"essential":true,
		 "firelensConfiguration":{"type":"fluentbit","options":{"enable-ecs-log-metadata":"true","config-file-type":"s3","config-file-value":"arn:aws:s3:::b/extra.conf"}},
		 "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"firelens"}}}]}`))
	spec := res.PodTemplate.Spec
	if got := containerNames(spec.InitContainers); !reflect.DeepEqual(got, []string{"log-router"}) {
		t.Fatalf("init containers = %v, want the router as a sidecar", got)
	}
	if ptr.Deref(spec.InitContainers[0].RestartPolicy, "") != corev1.ContainerRestartPolicyAlways {
		t.Error("router is not a native sidecar")
	}
	env := podContainer(t, res, "app").Env
	want := []corev1.EnvVar{{Name: "FLUENT_HOST", Value: "127.0.0.1"}, {Name: "FLUENT_PORT", Value: "24224"}}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("app env = %+v, want %+v", env, want)
	}
	if len(res.ConfigMaps) != 1 || res.ConfigMaps[0].Name != "f-log-outputs" {
		t.Fatalf("ConfigMaps = %v", res.ConfigMaps)
	}
	conf := res.ConfigMaps[0].Data["outputs.conf"]
	wantConf := "[OUTPUT]\n    Name cloudwatch\n    Match kube.var.log.containers.*_apps_app-*\n    log_group_name /app\n    region us-east-1\n"
	if conf != wantConf {
		t.Errorf("outputs.conf =\n%s\nwant\n%s", conf, wantConf)
	}
	ann := res.PodTemplate.Annotations
	if !strings.Contains(ann["ecs.operator.dev/log.app"], `"logDriver":"awsfirelens"`) || !strings.Contains(ann["ecs.operator.dev/log.log-router"], `"awslogs-group":"firelens"`) {
		t.Errorf("log annotations = %v", ann)
	}
	requireWarning(t, res, "containerDefinitions[0].logConfiguration.logDriver", "stdout of app is collected by the node agent, not the FireLens sidecar")
	requireWarning(t, res, "containerDefinitions[0].logConfiguration.secretOptions", "log driver secrets not translated")
	requireWarning(t, res, "containerDefinitions[1].firelensConfiguration.options.config-file-type", "S3 router config not fetched")
	requireWarning(t, res, "containerDefinitions[1].logConfiguration.logDriver", "awslogs shipped by node agent")

	requireError(t, taskFails(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"app","image":"i","memory":64,"logConfiguration":{"logDriver":"awsfirelens"}}]}`)),
		"containerDefinitions[0].logConfiguration.logDriver", "needs a log router container")
}

func TestLogDrivers(t *testing.T) {
	for _, tc := range []struct {
		driver, substr string
		note           bool
	}{
		{"splunk", "not supported", false},
		{"json-file", "runtime keeps stdout", true},
		{"none", "runtime keeps stdout", true},
	} {
		res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"logConfiguration":{"logDriver":"`+tc.driver+`"}}]}`))
		if tc.note {
			requireNote(t, res, "containerDefinitions[0].logConfiguration.logDriver", tc.substr)
		} else {
			requireWarning(t, res, "containerDefinitions[0].logConfiguration.logDriver", tc.substr)
		}
	}
	in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"logConfiguration":{"logDriver":"splunk"}}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"logging":{"availableDrivers":["awslogs","json-file"]}}`)
	requireError(t, taskFails(t, in), "containerDefinitions[0].logConfiguration.logDriver", `"splunk" is not available in this cluster`)
}
