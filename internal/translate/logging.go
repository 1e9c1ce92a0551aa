package translate

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/names"
)

// FireLens endpoint the ECS agent gives containers that log through
// awsfirelens (fluent-logger libraries read these variables).
const (
	fluentHost = "127.0.0.1"
	fluentPort = "24224"
)

// LogOutputsKey is the data key of the <family>-log-outputs ConfigMap: Fluent
// Bit [OUTPUT] sections for a node-level log agent.
const LogOutputsKey = "outputs.conf"

// awsfirelensOnlyOptions are options the ECS log router consumes itself;
// they are not Fluent Bit output settings.
var awsfirelensOnlyOptions = map[string]bool{"log-driver-buffer-limit": true}

// translateLogConfiguration maps logConfiguration and firelensConfiguration
// (field-map §3.7). Containers log to stdout, which the runtime collects;
// shipping is the job of a node-level agent.
func (t *taskTranslation) translateLogConfiguration(tc *taskContainer) {
	if fc := tc.def.FirelensConfiguration; fc != nil {
		path := t.rep.Field(tc.path, ".firelensConfiguration")
		tc.logRouter = true
		if fc.Type != "fluentbit" && fc.Type != "fluentd" {
			t.rep.Fail(t.rep.Field(path, ".type"), "unknown log router type %q: use fluentbit or fluentd", fc.Type)
		}
		for _, key := range slices.Sorted(maps.Keys(fc.Options)) {
			value := fc.Options[key]
			switch key {
			case "enable-ecs-log-metadata":
				t.rep.Info(path+".options."+key, "ignored: the node agent's kubernetes filter adds pod metadata")
			case "config-file-type":
				if value == "s3" {
					t.rep.Warn(path+".options."+key, "S3 router config not fetched; bake %s into the router image", fc.Options["config-file-value"])
				} else {
					t.rep.Info(path+".options."+key, "the router image must include %s", fc.Options["config-file-value"])
				}
			case "config-file-value":
			default:
				t.rep.Warn(path+".options."+key, "FireLens option not translated")
			}
		}
	}
	lc := tc.def.LogConfiguration
	if lc == nil {
		return
	}
	path := t.rep.Field(tc.path, ".logConfiguration")
	driver := lc.LogDriver
	if driver == "" {
		t.rep.Fail(t.rep.Field(path, ".logDriver"), "required: the log driver")
		return
	}
	if l := t.cluster.Logging; l != nil && len(l.AvailableDrivers) > 0 && !slices.Contains(l.AvailableDrivers, driver) {
		t.rep.Fail(t.rep.Field(path, ".logDriver"), "log driver %q is not available in this cluster (ECSCluster spec.logging.availableDrivers: %s)", driver, strings.Join(l.AvailableDrivers, ", "))
		return
	}
	// {"logDriver":…,"options":{…}}
	var room [512]byte
	annotation := appendJSONString(append(room[:0], `{"logDriver":`...), driver)
	if len(lc.Options) > 0 {
		annotation = appendJSONStringMap(append(annotation, `,"options":`...), lc.Options)
	}
	t.setAnnotation(containerAnnotationKey(ecsv1.AnnotationLogPrefix, tc.name), string(append(annotation, '}')))
	if len(lc.SecretOptions) > 0 {
		t.rep.Warn(t.rep.Field(path, ".secretOptions"), "log driver secrets not translated")
	}
	switch driver {
	case "awslogs":
		t.rep.Warn(t.rep.Field(path, ".logDriver"), "awslogs shipped by node agent; stream names become pod names")
	case "awsfirelens":
		addEnvIfUnset(tc.k8s, "FLUENT_HOST", fluentHost)
		addEnvIfUnset(tc.k8s, "FLUENT_PORT", fluentPort)
		t.rep.Warn(t.rep.Field(path, ".logDriver"), "stdout of %s is collected by the node agent, not the FireLens sidecar; its output is rendered into ConfigMap %s for that agent", tc.def.Name, t.logOutputsName())
	case "json-file", "journald", "none":
		t.rep.Info(t.rep.Field(path, ".logDriver"), "log driver %s: the container runtime keeps stdout", driver)
	default:
		t.rep.Warn(t.rep.Field(path, ".logDriver"), "log driver %s not supported: stdout is collected by the node agent", driver)
	}
}

func (t *taskTranslation) logOutputsName() string {
	return names.Suffixed(t.familyName, "log-outputs")
}

// translateLogOutputs renders the awsfirelens options of every container
// as Fluent Bit [OUTPUT] sections matching that container's log files, in
// ConfigMap <family>-log-outputs for a node agent to include.
func (t *taskTranslation) translateLogOutputs() {
	var router *taskContainer
	var users []*taskContainer
	for _, tc := range t.containers {
		if tc.logRouter && router == nil {
			router = tc
		}
		if lc := tc.def.LogConfiguration; lc != nil && lc.LogDriver == "awsfirelens" {
			users = append(users, tc)
		}
	}
	if len(users) == 0 {
		return
	}
	if router == nil {
		t.rep.Fail(users[0].path+".logConfiguration.logDriver", "awsfirelens needs a log router container (one with firelensConfiguration)")
		return
	}
	ns := t.namespace
	if ns == "" {
		ns = "*"
	}
	var conf strings.Builder
	for _, tc := range users {
		opts := tc.def.LogConfiguration.Options
		plugin := opts["Name"]
		if plugin == "" {
			t.rep.Warn(t.rep.Field(tc.path, ".logConfiguration.options"), "no Name option: output not rendered (the router's own configuration decides)")
			continue
		}
		conf.WriteString("[OUTPUT]\n    Name ")
		conf.WriteString(fluentBitValue(plugin))
		// Lines are written piece by piece: joining the pieces first
		// would make a string of its own for each.
		for _, part := range [...]string{"\n    Match kube.var.log.containers.*_", ns, "_", tc.name, "-*\n"} {
			conf.WriteString(part)
		}
		for _, key := range slices.Sorted(maps.Keys(opts)) {
			if key == "Name" || awsfirelensOnlyOptions[key] {
				continue
			}
			for _, part := range [...]string{"    ", fluentBitValue(key), " ", fluentBitValue(opts[key]), "\n"} {
				conf.WriteString(part)
			}
		}
	}
	if conf.Len() == 0 {
		return
	}
	name := t.logOutputsName()
	t.res.ConfigMaps = append(t.res.ConfigMaps, &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   t.namespace,
			Labels:      t.childLabels(false),
			Annotations: t.childAnnotations(t.family, t.familyName),
		},
		Data: map[string]string{LogOutputsKey: conf.String()},
	})
}

// fluentBitLine keeps a value on one configuration line.
var fluentBitLine = strings.NewReplacer("\n", " ", "\r", " ")

func fluentBitValue(s string) string { return fluentBitLine.Replace(s) }
