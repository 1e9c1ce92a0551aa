package translate

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	ecsv1 "github.com/ecs-operator/ecs-operator/api/v1alpha1"
	"github.com/ecs-operator/ecs-operator/internal/report"
)

// The test below proves that no ECS field is silently dropped: it walks every
// field of TaskDefinitionSpec (containers, volumes and every nested object
// included) by reflection, changes it, and requires that the translation
// changes (objects, warnings, notes or errors) or reports a problem on that
// field or one of its parents.

// fieldsBaseTask is the task every field change starts from: container 0
// gets the container fields, "side" is a HEALTHY dependency target with
// custom DNS and "init" a COMPLETE dependency target (so the kubernetes
// settings have something to act on), and "vol" a volume to mount.
const fieldsBaseTask = `{"family":"f","volumes":[{"name":"vol"}],"containerDefinitions":[
	{"name":"app","image":"nginx:1","memory":128,"dependsOn":[{"containerName":"init","condition":"COMPLETE"}]},
	{"name":"side","image":"busybox:1","memory":64,"essential":false,"healthCheck":{"command":["CMD","true"]},"dnsServers":["10.0.0.2"]},
	{"name":"init","image":"busybox:1","memory":64,"essential":false,"entryPoint":["/init"]}]}`

// fieldsExempt are fields that by design do not influence one
// translation, with the reason.
var fieldsExempt = map[string]string{
	"kubernetes.revisionHistoryLimit": "retention of old revisions is the TaskDefinition controller's business",
}

// fieldSkeletons are the smallest valid values of nested ECS objects with
// required fields; a field of such an object is changed inside a valid one,
// so that the change itself is what the translation sees.
var fieldSkeletons = map[reflect.Type]any{
	reflect.TypeFor[ecsv1.Volume]():                                  ecsv1.Volume{Name: strPtr("vol")},
	reflect.TypeFor[ecsv1.EFSVolumeConfiguration]():                  ecsv1.EFSVolumeConfiguration{FileSystemID: "fs-1"},
	reflect.TypeFor[ecsv1.FSxWindowsFileServerVolumeConfiguration](): ecsv1.FSxWindowsFileServerVolumeConfiguration{FileSystemID: "fs-1", RootDirectory: "share", AuthorizationConfig: ecsv1.FSxWindowsFileServerAuthorizationConfig{CredentialsParameter: "arn:aws:secretsmanager:us-east-1:111122223333:secret:c-Ab12Cd", Domain: "example.com"}},
	reflect.TypeFor[ecsv1.MountPoint]():                              ecsv1.MountPoint{SourceVolume: strPtr("vol"), ContainerPath: strPtr("/m")},
	reflect.TypeFor[ecsv1.VolumeFrom]():                              ecsv1.VolumeFrom{SourceContainer: strPtr("side")},
	reflect.TypeFor[ecsv1.ContainerDependency]():                     ecsv1.ContainerDependency{ContainerName: "side", Condition: "START"},
	reflect.TypeFor[ecsv1.PortMapping]():                             ecsv1.PortMapping{ContainerPort: int32Ptr(8080)},
	reflect.TypeFor[ecsv1.KeyValuePair]():                            ecsv1.KeyValuePair{Name: strPtr("A"), Value: strPtr("1")},
	reflect.TypeFor[ecsv1.EnvironmentFile]():                         ecsv1.EnvironmentFile{Value: "arn:aws:s3:::bucket/app.env", Type: "s3"},
	reflect.TypeFor[ecsv1.Secret]():                                  ecsv1.Secret{Name: "S", ValueFrom: "arn:aws:ssm:us-east-1:111122223333:parameter/p"},
	reflect.TypeFor[ecsv1.HostEntry]():                               ecsv1.HostEntry{Hostname: "h", IPAddress: "10.0.0.1"},
	reflect.TypeFor[ecsv1.Ulimit]():                                  ecsv1.Ulimit{Name: "nofile", SoftLimit: 1024, HardLimit: 2048},
	reflect.TypeFor[ecsv1.LogConfiguration]():                        ecsv1.LogConfiguration{LogDriver: "awslogs"},
	reflect.TypeFor[ecsv1.HealthCheck]():                             ecsv1.HealthCheck{Command: []string{"CMD", "true"}},
	reflect.TypeFor[ecsv1.SystemControl]():                           ecsv1.SystemControl{Namespace: strPtr("net.ipv4.tcp_syncookies"), Value: strPtr("1")},
	reflect.TypeFor[ecsv1.ResourceRequirement]():                     ecsv1.ResourceRequirement{Type: "GPU", Value: "1"},
	reflect.TypeFor[ecsv1.FirelensConfiguration]():                   ecsv1.FirelensConfiguration{Type: "fluentbit"},
	reflect.TypeFor[ecsv1.RepositoryCredentials]():                   ecsv1.RepositoryCredentials{CredentialsParameter: "arn:aws:secretsmanager:us-east-1:111122223333:secret:r-Ab12Cd"},
	reflect.TypeFor[ecsv1.ContainerRestartPolicy]():                  ecsv1.ContainerRestartPolicy{Enabled: true},
	reflect.TypeFor[ecsv1.Device]():                                  ecsv1.Device{HostPath: "/dev/fuse"},
	reflect.TypeFor[ecsv1.Tmpfs]():                                   ecsv1.Tmpfs{ContainerPath: "/t", Size: 16},
	reflect.TypeFor[ecsv1.Tag]():                                     ecsv1.Tag{Key: strPtr("team"), Value: strPtr("web")},
	reflect.TypeFor[ecsv1.PlacementConstraint]():                     ecsv1.PlacementConstraint{Type: strPtr("memberOf"), Expression: strPtr("attribute:ecs.os-type == linux")},
	reflect.TypeFor[ecsv1.ProxyConfiguration]():                      ecsv1.ProxyConfiguration{ContainerName: "app"},
	reflect.TypeFor[ecsv1.InferenceAccelerator]():                    ecsv1.InferenceAccelerator{DeviceName: "d", DeviceType: "eia2.medium"},
	reflect.TypeFor[ecsv1.EphemeralStorage]():                        ecsv1.EphemeralStorage{SizeInGiB: 30},
	reflect.TypeFor[ecsv1.Attribute]():                               ecsv1.Attribute{Name: "ecs.capability.secrets.ssm.environment-variables"},
}

func int32Ptr(v int32) *int32 { return &v }

// fieldChange is one field of the task definition to change.
type fieldChange struct {
	path    string
	prepare func(root reflect.Value) // creates the field's parents
	change  func(root reflect.Value) // changes the field
}

var (
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	rawJSONType     = reflect.TypeFor[apiextensionsv1.JSON]()
)

func isLeafFieldType(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == intOrStringType || t == rawJSONType {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		return false
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Struct
	default:
		return true
	}
}

func jsonFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// collectFieldChanges lists a change for every leaf field of struct type t
// at path; locate returns the struct (addressable) inside the root,
// creating parents as needed.
func collectFieldChanges(t reflect.Type, path string, locate func(root reflect.Value) reflect.Value, out *[]fieldChange) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonFieldName(f)
		if name == "" || name == "-" {
			continue
		}
		fieldPath := name
		if path != "" {
			fieldPath = path + "." + name
		}
		index := i
		fieldAt := func(root reflect.Value) reflect.Value { return locate(root).Field(index) }
		ft := f.Type
		switch {
		case isLeafFieldType(ft):
			*out = append(*out, fieldChange{
				path:    fieldPath,
				prepare: func(root reflect.Value) { locate(root) },
				change:  func(root reflect.Value) { changeLeaf(fieldAt(root)) },
			})
		case ft.Kind() == reflect.Pointer:
			collectFieldChanges(ft.Elem(), fieldPath, func(root reflect.Value) reflect.Value {
				v := fieldAt(root)
				if v.IsNil() {
					v.Set(reflect.New(ft.Elem()))
					v.Elem().Set(fieldSkeleton(ft.Elem()))
				}
				return v.Elem()
			}, out)
		case ft.Kind() == reflect.Struct:
			collectFieldChanges(ft, fieldPath, fieldAt, out)
		case ft.Kind() == reflect.Slice:
			collectFieldChanges(ft.Elem(), fieldPath+"[0]", func(root reflect.Value) reflect.Value {
				v := fieldAt(root)
				if v.Len() == 0 {
					v.Set(reflect.Append(v, fieldSkeleton(ft.Elem())))
				}
				return v.Index(0)
			}, out)
		}
	}
}

// fieldSkeleton returns a deep copy of the skeleton of t (changes must not
// reach the shared skeleton through its pointers).
func fieldSkeleton(t reflect.Type) reflect.Value {
	v := reflect.New(t)
	if s, ok := fieldSkeletons[t]; ok {
		if err := json.Unmarshal([]byte(mustJSON(s)), v.Interface()); err != nil {
			panic(err)
		}
	}
	return v.Elem()
}

// changeLeaf sets a leaf field to a value different from its current one.
func changeLeaf(v reflect.Value) {
	switch v.Type() {
	case intOrStringType:
		v.Set(reflect.ValueOf(intstr.FromInt32(v.Interface().(intstr.IntOrString).IntVal + 256)))
		return
	case reflect.PointerTo(intOrStringType):
		v.Set(reflect.ValueOf(ptrTo(intstr.FromInt32(256))))
		return
	case reflect.PointerTo(rawJSONType):
		v.Set(reflect.ValueOf(&apiextensionsv1.JSON{Raw: []byte(`"2026-01-02T03:04:05Z"`)}))
		return
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(v.Int() + 1)
	case reflect.Slice:
		elem := reflect.New(v.Type().Elem()).Elem()
		switch elem.Kind() {
		case reflect.String:
			elem.SetString("x")
		case reflect.Int32, reflect.Int64:
			elem.SetInt(1)
		}
		v.Set(reflect.Append(v, elem))
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		value := reflect.New(v.Type().Elem()).Elem()
		if value.Kind() == reflect.String {
			value.SetString("v")
		}
		v.SetMapIndex(reflect.ValueOf("k"), value)
	default:
		panic("changeLeaf: unhandled kind " + v.Kind().String())
	}
}

func ptrTo[T any](v T) *T { return &v }

// fieldsOutcome is everything a translation says, for comparison.
type fieldsOutcome struct {
	Result *TaskResult `json:"result,omitempty"`
	Errors []string    `json:"errors,omitempty"`
	paths  []string
}

var indexInPath = regexp.MustCompile(`\[[0-9]*\]`)

func translateForFields(tb testing.TB, spec *ecsv1.TaskDefinitionSpec, cluster *ecsv1.ECSClusterSpec) (string, []string) {
	tb.Helper()
	in := TaskInput{Namespace: "apps", Name: "td", Revision: 1, Spec: spec, ClusterName: "c", Cluster: cluster, Capabilities: AllCapabilities()}
	res, err := TranslateTask(in)
	var out fieldsOutcome
	if err != nil {
		var errs report.Errors
		if !errors.As(err, &errs) {
			tb.Fatalf("error is %T, want report.Errors: %v", err, err)
		}
		for _, e := range errs {
			out.Errors = append(out.Errors, e.Error())
			out.paths = append(out.paths, e.Field)
		}
	} else {
		out.Result = res
		for _, w := range append(append([]ecsv1.TranslationWarning(nil), res.Warnings...), res.Notes...) {
			out.paths = append(out.paths, w.Field)
		}
	}
	data, err := yaml.Marshal(out)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data), out.paths
}

// fieldPathsRelated reports whether a reported path names the field, one of
// its parents or one of its children (indices ignored).
func fieldPathsRelated(reported, field string) bool {
	r := indexInPath.ReplaceAllString(reported, "[]")
	f := indexInPath.ReplaceAllString(field, "[]")
	return r == f || strings.HasPrefix(f, r+".") || strings.HasPrefix(f, r+"[") ||
		strings.HasPrefix(r, f+".") || strings.HasPrefix(r, f+"[")
}

func TestEveryTaskFieldIsTranslatedOrReported(t *testing.T) {
	var changes []fieldChange
	collectFieldChanges(reflect.TypeFor[ecsv1.TaskDefinitionSpec](), "", func(root reflect.Value) reflect.Value { return root }, &changes)
	if len(changes) < 120 {
		t.Fatalf("only %d fields found; the walk is broken", len(changes))
	}
	t.Logf("%d fields", len(changes))
	cluster := &ecsv1.ECSClusterSpec{Region: "us-east-1", SecretStoreRef: &ecsv1.SecretStoreRef{Name: "aws"}, IAM: &ecsv1.ClusterIAM{AccountID: "111122223333"}}
	seen := map[string]bool{}
	for _, c := range changes {
		if seen[c.path] {
			t.Fatalf("field %s listed twice", c.path)
		}
		seen[c.path] = true
		if reason, ok := fieldsExempt[c.path]; ok {
			t.Logf("%s exempt: %s", c.path, reason)
			continue
		}
		base := taskSpecFromJSON(t, fieldsBaseTask)
		c.prepare(reflect.ValueOf(base).Elem())
		before, _ := translateForFields(t, base, cluster)

		changed := taskSpecFromJSON(t, fieldsBaseTask)
		c.prepare(reflect.ValueOf(changed).Elem())
		c.change(reflect.ValueOf(changed).Elem())
		after, paths := translateForFields(t, changed, cluster)

		if after != before {
			continue
		}
		related := false
		for _, p := range paths {
			if fieldPathsRelated(p, c.path) {
				related = true
				break
			}
		}
		if !related {
			t.Errorf("%s: changing it changes nothing and nothing reports it (silently dropped); reported: %v", c.path, paths)
		}
	}
	for path := range fieldsExempt {
		if !seen[path] {
			t.Errorf("exempt field %s does not exist", path)
		}
	}
}
