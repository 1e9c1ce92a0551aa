package translate

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestParseSecretValueFrom(t *testing.T) {
	for _, tc := range []struct {
		valueFrom string
		want      secretRemoteRef
		problem   string
	}{
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-Ab12Cd",
			secretRemoteRef{service: "SecretsManager", region: "us-east-1", key: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-Ab12Cd"}, ""},
		{"arn:aws:secretsmanager:us-east-1:111122223333:secret:agent-Ab12Cd:key::",
			secretRemoteRef{service: "SecretsManager", region: "us-east-1", key: "arn:aws:secretsmanager:us-east-1:111122223333:secret:agent-Ab12Cd", property: "key"}, ""},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-Ab12Cd:password:AWSPREVIOUS:",
			secretRemoteRef{service: "SecretsManager", region: "eu-west-1", key: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-Ab12Cd", property: "password", version: "AWSPREVIOUS"}, ""},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-Ab12Cd::::",
			secretRemoteRef{}, "too many ':' fields"},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-Ab12Cd:::0123-abcd",
			secretRemoteRef{service: "SecretsManager", region: "eu-west-1", key: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-Ab12Cd", version: "uuid/0123-abcd"}, ""},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-Ab12Cd::AWSCURRENT:0123",
			secretRemoteRef{}, "either version-stage or version-id"},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/db-password",
			secretRemoteRef{service: "ParameterStore", region: "us-east-1", key: "db-password"}, ""},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/prod/db/password",
			secretRemoteRef{service: "ParameterStore", region: "us-east-1", key: "/prod/db/password"}, ""},
		{"/prod/db/password", secretRemoteRef{service: "ParameterStore", region: "us-west-2", key: "/prod/db/password"}, ""},
		{"db-password", secretRemoteRef{service: "ParameterStore", region: "us-west-2", key: "db-password"}, ""},
		{"arn:aws:kms:us-east-1:111122223333:key/abc", secretRemoteRef{}, "neither a Secrets Manager secret ARN"},
		{"{{ ssm `/x` }}", secretRemoteRef{}, "unrendered template"},
	} {
		got, problem := parseSecretValueFrom(tc.valueFrom, "us-west-2")
		if tc.problem != "" {
			if !strings.Contains(problem, tc.problem) {
				t.Errorf("%s: problem %q, want one containing %q", tc.valueFrom, problem, tc.problem)
			}
			continue
		}
		if problem != "" || got != tc.want {
			t.Errorf("%s = %+v (%s), want %+v", tc.valueFrom, got, problem, tc.want)
		}
	}
}

func nested(tb testing.TB, u *unstructured.Unstructured, fields ...string) any {
	tb.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(u.Object, fields...)
	if err != nil || !found {
		tb.Fatalf("%s %s: no %v (%v)", u.GetKind(), u.GetName(), fields, err)
	}
	return v
}

// TestFieldMapExampleC is the secret part of field-map.md §10 example C.
func TestFieldMapExampleC(t *testing.T) {
	in := taskIn(t, `{"family":"agent","containerDefinitions":[{"name":"agent","image":"agent:2","memory":128,
		"secrets":[{"name":"API_KEY","valueFrom":"arn:aws:secretsmanager:us-east-1:1:secret:agent-Ab12Cd:key::"}]}]}`)
	in.Spec.ContainerDefinitions[0].Secrets[0].ValueFrom = "arn:aws:secretsmanager:us-east-1:111111111111:secret:agent-Ab12Cd:key::"
	in.Cluster = clusterSpecFromJSON(t, `{"secretStoreRef":{"kind":"ClusterSecretStore","name":"aws-secretsmanager-us-east-1"}}`)
	res := taskOK(t, in)
	env := podContainer(t, res, "agent").Env
	wantEnv := []corev1.EnvVar{{Name: "API_KEY", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "agent-secrets-r3"}, Key: "API_KEY"}}}}
	if !reflect.DeepEqual(env, wantEnv) {
		t.Errorf("env = %+v, want %+v", env, wantEnv)
	}
	if len(res.ExternalSecrets) != 1 {
		t.Fatalf("ExternalSecrets = %d, want 1", len(res.ExternalSecrets))
	}
	es := res.ExternalSecrets[0]
	if es.GetAPIVersion() != "external-secrets.io/v1" || es.GetKind() != "ExternalSecret" || es.GetName() != "agent-secrets-r3" || es.GetNamespace() != "apps" {
		t.Errorf("ExternalSecret = %s %s %s/%s", es.GetAPIVersion(), es.GetKind(), es.GetNamespace(), es.GetName())
	}
	wantSpec := map[string]any{
		"secretStoreRef": map[string]any{"kind": "ClusterSecretStore", "name": "aws-secretsmanager-us-east-1"},
		"target":         map[string]any{"name": "agent-secrets-r3", "creationPolicy": "Owner"},
		"data": []any{map[string]any{
			"secretKey": "API_KEY",
			"remoteRef": map[string]any{"key": "arn:aws:secretsmanager:us-east-1:111111111111:secret:agent-Ab12Cd", "property": "key"},
		}},
	}
	if got := nested(t, es, "spec"); !reflect.DeepEqual(got, wantSpec) {
		t.Errorf("spec = %#v\nwant %#v", got, wantSpec)
	}
	if es.GetLabels()["ecs.operator.dev/revision"] != "3" {
		t.Errorf("labels = %v", es.GetLabels())
	}
	for _, obj := range []*unstructured.Unstructured{es} {
		if strings.Contains(mustJSON(obj.Object), "value") {
			t.Errorf("%s mentions a value: %s", obj.GetName(), mustJSON(obj.Object))
		}
	}
}

func TestSecretStoresPerServiceAndRegion(t *testing.T) {
	in := taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"i","memory":64,"secrets":[
			{"name":"SM","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-Ab12Cd"},
			{"name":"SSM","valueFrom":"/app/token"},
			{"name":"SAME","valueFrom":"/app/shared"}]},
		{"name":"b","image":"i","memory":64,"secrets":[
			{"name":"SAME","valueFrom":"/app/shared"},
			{"name":"SSM","valueFrom":"/other/token"}]}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"region":"us-east-1","secretStores":[
		{"service":"SecretsManager","region":"eu-west-1","storeRef":{"kind":"SecretStore","name":"sm-eu"}},
		{"service":"ParameterStore","storeRef":{"name":"ssm-any"}}]}`)
	res := taskOK(t, in)
	es := res.ExternalSecrets[0]
	data := nested(t, es, "spec", "data").([]any)
	var keys []string
	for _, d := range data {
		keys = append(keys, d.(map[string]any)["secretKey"].(string))
	}
	if want := []string{"SM", "SSM", "SAME", "SSM.b"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("secret keys = %v, want %v (one entry per distinct value)", keys, want)
	}
	if got := nested(t, es, "spec", "secretStoreRef"); !reflect.DeepEqual(got, map[string]any{"kind": "SecretStore", "name": "sm-eu"}) {
		t.Errorf("default store = %v", got)
	}
	ssm := data[1].(map[string]any)
	if !reflect.DeepEqual(ssm["sourceRef"], map[string]any{"storeRef": map[string]any{"kind": "ClusterSecretStore", "name": "ssm-any"}}) {
		t.Errorf("SSM entry sourceRef = %v", ssm["sourceRef"])
	}
	if got := podContainer(t, res, "b").Env[1].ValueFrom.SecretKeyRef.Key; got != "SSM.b" {
		t.Errorf("b's SSM key = %q", got)
	}
}

func TestSecretStoreDefaulted(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"secrets":[
		{"name":"A","valueFrom":"arn:aws:ssm:us-east-2:111122223333:parameter/a"},
		{"name":"B","valueFrom":"arn:aws:ssm:us-east-2:111122223333:parameter/b"}]}]}`))
	requireWarning(t, res, "containerDefinitions[0].secrets[0].valueFrom", "using ClusterSecretStore aws-parameterstore-us-east-2")
	requireNoWarning(t, res, "containerDefinitions[0].secrets[1].valueFrom")
}

func TestSecretErrors(t *testing.T) {
	errs := taskFails(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"secrets":[
		{"name":"A","valueFrom":"$$$SECRET$$$"}]}]}`))
	requireError(t, errs, "containerDefinitions[0].secrets[0].valueFrom", "unrendered template")
}

func TestRepositoryCredentials(t *testing.T) {
	in := taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"registry.example.com/team/app:1","memory":64,"repositoryCredentials":{"credentialsParameter":"arn:aws:secretsmanager:us-east-1:111122223333:secret:reg-Ab12Cd"}},
		{"name":"b","image":"user/tool:2","memory":64,"repositoryCredentials":{"credentialsParameter":"arn:aws:secretsmanager:us-east-1:111122223333:secret:hub-Ab12Cd"}}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"secretStoreRef":{"name":"aws"},"registryAuth":{"imagePullSecrets":[{"name":"corp-pull"}]}}`)
	res := taskOK(t, in)
	wantPull := []corev1.LocalObjectReference{{Name: "f-pull-r3"}, {Name: "corp-pull"}}
	if got := res.PodTemplate.Spec.ImagePullSecrets; !reflect.DeepEqual(got, wantPull) {
		t.Errorf("imagePullSecrets = %v, want %v", got, wantPull)
	}
	var pull *unstructured.Unstructured
	for _, es := range res.ExternalSecrets {
		if es.GetName() == "f-pull-r3" {
			pull = es
		}
	}
	if pull == nil {
		t.Fatal("no pull ExternalSecret")
	}
	tmpl := nested(t, pull, "spec", "target", "template").(map[string]any)
	if tmpl["type"] != "kubernetes.io/dockerconfigjson" || tmpl["engineVersion"] != "v2" {
		t.Errorf("template = %v", tmpl)
	}
	config := tmpl["data"].(map[string]any)[".dockerconfigjson"].(string)
	for _, want := range []string{`"registry.example.com":{"username":{{ .r0_username | toJson }}`, `"https://index.docker.io/v1/":{"username":{{ .r1_username | toJson }}`, `b64enc`} {
		if !strings.Contains(config, want) {
			t.Errorf(".dockerconfigjson template lacks %s:\n%s", want, config)
		}
	}
	if got := len(nested(t, pull, "spec", "data").([]any)); got != 4 {
		t.Errorf("pull data entries = %d, want username and password of two secrets", got)
	}
}

func TestRegistryAuthECR(t *testing.T) {
	in := taskIn(t, `{"family":"f","containerDefinitions":[
		{"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1","memory":64},
		{"name":"b","image":"public.ecr.aws/nginx/nginx:1","memory":64}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"registryAuth":{"ecr":{"region":"us-east-1","roleArn":"arn:aws:iam::111122223333:role/pull"}}}`)
	res := taskOK(t, in)
	if len(res.ExternalSecrets) != 2 {
		t.Fatalf("objects = %d, want the generator and its ExternalSecret", len(res.ExternalSecrets))
	}
	gen, es := res.ExternalSecrets[0], res.ExternalSecrets[1]
	if gen.GetKind() != "ECRAuthorizationToken" || gen.GetAPIVersion() != "generators.external-secrets.io/v1alpha1" {
		t.Errorf("generator = %s %s", gen.GetAPIVersion(), gen.GetKind())
	}
	if !reflect.DeepEqual(nested(t, gen, "spec"), map[string]any{"region": "us-east-1", "role": "arn:aws:iam::111122223333:role/pull"}) {
		t.Errorf("generator spec = %v", nested(t, gen, "spec"))
	}
	ref := nested(t, es, "spec", "dataFrom").([]any)[0].(map[string]any)["sourceRef"].(map[string]any)["generatorRef"].(map[string]any)
	if ref["name"] != gen.GetName() || ref["kind"] != "ECRAuthorizationToken" {
		t.Errorf("generatorRef = %v", ref)
	}
	config := nested(t, es, "spec", "target", "template", "data", ".dockerconfigjson").(string)
	if !strings.Contains(config, `"111122223333.dkr.ecr.us-east-1.amazonaws.com"`) || strings.Contains(config, "public.ecr.aws") {
		t.Errorf("auths = %s, want the private ECR registry only", config)
	}
	if got := res.PodTemplate.Spec.ImagePullSecrets; len(got) != 1 || got[0].Name != "f-ecr-r3" {
		t.Errorf("imagePullSecrets = %v", got)
	}
}

func TestEnvironment(t *testing.T) {
	res := taskOK(t, taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,
		"environment":[{"name":"A","value":"1"},{"name":"B","value":"$(A)"},{"name":"A","value":"2"},{"name":"EMPTY"}],
		"environmentFiles":[{"value":"arn:aws:s3:::bucket/app.env","type":"s3"}]}]}`))
	c := podContainer(t, res, "a")
	want := []corev1.EnvVar{{Name: "B", Value: "$$(A)"}, {Name: "A", Value: "2"}, {Name: "EMPTY"}}
	if !reflect.DeepEqual(c.Env, want) {
		t.Errorf("env = %+v, want %+v", c.Env, want)
	}
	requireWarning(t, res, "containerDefinitions[0].environment[2]", "set twice")
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef.Name != "f-envfile-0" {
		t.Errorf("envFrom = %+v", c.EnvFrom)
	}
	requireWarning(t, res, "containerDefinitions[0].environmentFiles[0]", "must be supplied as ConfigMap f-envfile-0")

	in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"environment":[{"name":"my var","value":"1"}]}]}`)
	taskOK(t, in)
	in.Capabilities.RelaxedEnvironmentVariableValidation = false
	requireError(t, taskFails(t, in), "containerDefinitions[0].environment[0].name", "RelaxedEnvironmentVariableValidation")
}

func TestBareParameterNameNeedsRegion(t *testing.T) {
	in := taskIn(t, `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"secrets":[{"name":"A","valueFrom":"/app/token"}]}]}`)
	in.Cluster = clusterSpecFromJSON(t, `{"secretStores":[{"service":"ParameterStore","region":"eu-west-1","storeRef":{"name":"ssm-eu"}}]}`)
	requireError(t, taskFails(t, in), "containerDefinitions[0].secrets[0].valueFrom", "set ECSCluster spec.region")
	in.Cluster.Region = "eu-west-1"
	res := taskOK(t, in)
	if got := nested(t, res.ExternalSecrets[0], "spec", "secretStoreRef", "name"); got != "ssm-eu" {
		t.Errorf("store = %v, want ssm-eu", got)
	}
}

// The secret reference forms as regular expressions: the specification
// the hand-written matchers of secrets.go follow.
var (
	secretsManagerARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):([0-9]{12}):secret:([^:]+)(?::(.*))?$`)
	ssmParameterARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:ssm:([a-z0-9-]+):([0-9]{12}):parameter(/.+)$`)
	ssmParameterNamePattern  = regexp.MustCompile(`^/?[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$`)
)

// secretReferenceSamples are values at the edges of the secret reference
// forms.
var secretReferenceSamples = []string{
	"", "arn:", "arn:aws", "/", "//", "a//b", "/a/b", "a/", "a.b_c-D9", "a b", "/a/b/c/", "\u00e9",
	"arn:aws:secretsmanager:us-east-1:111122223333:secret:db",
	"arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:db:key:stage:",
	"arn:aws:secretsmanager:us-east-1:111122223333:secret:db:a\nb",
	"arn:aws:secretsmanager:us-east-1:111122223333:secret:d\nb:key",
	"arn:aws:secretsmanager:us-east-1:111122223333:secret::key",
	"arn:aws:secretsmanager:us-east-1:111122223333:secret:",
	"arn:aws:secretsmanager:us-east-1:11112222333:secret:db",
	"arn:aws:secretsmanager:us-east-1:1111222233334:secret:db",
	"arn:aws:secretsmanager::111122223333:secret:db",
	"arn:aws:secretsmanager:US-east-1:111122223333:secret:db",
	"arn:aws:secretsmanager:us-east-1:111122223333:secrets:db",
	"arn:aws:ssm:eu-west-1:111122223333:parameter/db/password",
	"arn:aws:ssm:eu-west-1:111122223333:parameter/",
	"arn:aws:ssm:eu-west-1:111122223333:parameter/a\n",
	"arn:aws:ssm:eu-west-1:111122223333:parameterx/a",
	"arn:aws-cn:ssm:cn-north-1:111122223333:parameter/x",
	"arn:awsX:ssm:eu-west-1:111122223333:parameter/x",
}

func TestSecretReferenceMatchersFollowTheirExpressions(t *testing.T) {
	for _, s := range secretReferenceSamples {
		checkSecretReferenceMatchers(t, s)
	}
}

func FuzzSecretReferenceMatchers(f *testing.F) {
	for _, s := range secretReferenceSamples {
		f.Add(s)
	}
	f.Fuzz(checkSecretReferenceMatchers)
}

func checkSecretReferenceMatchers(t *testing.T, s string) {
	region, name, suffix, ok := matchSecretsManagerARN(s)
	if m := secretsManagerARNPattern.FindStringSubmatch(s); (m != nil) != ok || (ok && (m[1] != region || m[3] != name || m[4] != suffix)) {
		t.Errorf("matchSecretsManagerARN(%q) = %q, %q, %q, %t; the expression finds %q", s, region, name, suffix, ok, m)
	}
	region, name, ok = matchSSMParameterARN(s)
	if m := ssmParameterARNPattern.FindStringSubmatch(s); (m != nil) != ok || (ok && (m[1] != region || m[3] != name)) {
		t.Errorf("matchSSMParameterARN(%q) = %q, %q, %t; the expression finds %q", s, region, name, ok, m)
	}
	if got, want := isSSMParameterName(s), ssmParameterNamePattern.MatchString(s); got != want {
		t.Errorf("isSSMParameterName(%q) = %t, the expression says %t", s, got, want)
	}
}
